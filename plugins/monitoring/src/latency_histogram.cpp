#include "latency_histogram.hpp"

#include <algorithm>
#include <stdexcept>

namespace valory::plugins::monitoring {

LatencyHistogram::LatencyHistogram(std::vector<std::uint64_t> boundsUs) : bounds_(std::move(boundsUs)) {
    if (bounds_.empty()) throw std::invalid_argument("histogram: at least one bucket bound is required");
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        if (bounds_[i] == 0) throw std::invalid_argument("histogram: bucket bounds must be > 0");
        if (i && bounds_[i] <= bounds_[i - 1])
            throw std::invalid_argument("histogram: bucket bounds must be strictly ascending");
    }
    buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
    for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

std::vector<std::uint64_t> LatencyHistogram::defaultBoundsUs() {
    return {100,   250,    500,    1000,   2500,    5000,    10000,   25000,
            50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
}

void LatencyHistogram::observe(std::uint64_t us) noexcept {
    // Prometheus buckets are "less than or equal": the first bound >= us.
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), us);
    buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(us, std::memory_order_relaxed);
    std::uint64_t seen = max_.load(std::memory_order_relaxed);
    while (us > seen && !max_.compare_exchange_weak(seen, us, std::memory_order_relaxed)) {
    }
}

LatencyHistogram::Snapshot LatencyHistogram::snapshot() const {
    Snapshot s;
    s.boundsUs = bounds_;
    s.cumulative.resize(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    s.count = running;
    s.sumUs = sum_.load(std::memory_order_relaxed);
    s.maxUs = max_.load(std::memory_order_relaxed);
    return s;
}

double LatencyHistogram::Snapshot::quantileUs(double q) const noexcept {
    if (count == 0) return 0.0;
    q = std::clamp(q, 0.0, 1.0);
    const double rank = q * static_cast<double>(count);
    std::size_t i = 0;
    while (i < cumulative.size() && static_cast<double>(cumulative[i]) < rank) ++i;
    if (i >= boundsUs.size()) return static_cast<double>(maxUs);  // +Inf bucket
    const double lower = i == 0 ? 0.0 : static_cast<double>(boundsUs[i - 1]);
    const double upper = static_cast<double>(boundsUs[i]);
    const double below = i == 0 ? 0.0 : static_cast<double>(cumulative[i - 1]);
    const double inBucket = static_cast<double>(cumulative[i]) - below;
    double v = inBucket > 0 ? lower + (upper - lower) * ((rank - below) / inBucket) : lower;
    return std::min(v, static_cast<double>(maxUs));
}

}  // namespace valory::plugins::monitoring
