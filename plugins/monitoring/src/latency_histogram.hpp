// A fixed-bucket latency histogram in microseconds: lock-free observation (atomics only), with
// count, sum, max and quantiles estimated from the buckets the way Prometheus' histogram_quantile
// does (linear interpolation inside the bucket that holds the rank).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace valory::plugins::monitoring {

class LatencyHistogram {
  public:
    /// Upper bounds in µs, strictly ascending and > 0 (std::invalid_argument otherwise); an
    /// implicit +Inf bucket follows the last one.
    explicit LatencyHistogram(std::vector<std::uint64_t> boundsUs);

    void observe(std::uint64_t us) noexcept;

    struct Snapshot {
        std::vector<std::uint64_t> boundsUs;
        std::vector<std::uint64_t> cumulative;  ///< boundsUs.size() + 1 entries; the last is +Inf
        std::uint64_t count = 0;
        std::uint64_t sumUs = 0;
        std::uint64_t maxUs = 0;

        double meanUs() const noexcept { return count ? static_cast<double>(sumUs) / count : 0.0; }
        /// q in [0, 1]. 0 when empty. Ranks that fall into the +Inf bucket yield the largest
        /// observation; results never exceed it.
        double quantileUs(double q) const noexcept;
    };
    /// A consistent-enough copy: every counter is read once (observations racing the copy may be
    /// in some counters and not yet in others; count is derived from the buckets so that
    /// cumulative.back() == count always holds).
    Snapshot snapshot() const;

    const std::vector<std::uint64_t>& boundsUs() const noexcept { return bounds_; }

    /// The default request buckets: 100 µs … 10 s.
    static std::vector<std::uint64_t> defaultBoundsUs();

  private:
    std::vector<std::uint64_t> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative, bounds + 1
    std::atomic<std::uint64_t> sum_{0};
    std::atomic<std::uint64_t> max_{0};
};

}  // namespace valory::plugins::monitoring
