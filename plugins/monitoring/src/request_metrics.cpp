#include "request_metrics.hpp"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace valory::plugins::monitoring {

RequestMetrics::RequestMetrics(std::vector<std::uint64_t> boundsUs, std::size_t maxSeries)
    : bounds_(std::move(boundsUs)), maxSeries_(maxSeries) {
    LatencyHistogram check(bounds_);  // validates the bounds once, here
}

std::string_view RequestMetrics::normaliseMethod(std::string_view m) noexcept {
    static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    for (auto k : kKnown)
        if (m == k) return k;
    return "OTHER";
}

std::string_view RequestMetrics::statusClass(int status) noexcept {
    static constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    if (status < 100 || status > 599) return "other";
    return kClasses[status / 100 - 1];
}

void RequestMetrics::record(std::string_view method, std::string_view route, int status,
                            std::uint64_t durationUs) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (status >= 500 && status <= 599) errors_.fetch_add(1, std::memory_order_relaxed);
    const std::string_view m = normaliseMethod(method);
    const std::string_view sc = statusClass(status);
    thread_local std::string key;  // reused: no allocation once it has grown
    key.clear();
    key.append(m).push_back('\x1f');
    key.append(route).push_back('\x1f');
    key.append(sc);
    {
        std::shared_lock lock(mutex_);
        if (auto it = series_.find(key); it != series_.end()) {
            it->second->histogram.observe(durationUs);
            return;
        }
    }
    std::unique_lock lock(mutex_);
    auto it = series_.find(key);
    if (it == series_.end()) {
        if (series_.size() >= maxSeries_) {
            overflow_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        it = series_
                 .emplace(key, std::make_unique<Entry>(std::string(m), std::string(route), std::string(sc),
                                                       bounds_))
                 .first;
    }
    it->second->histogram.observe(durationUs);
}

std::vector<RequestMetrics::Series> RequestMetrics::snapshot() const {
    std::vector<Series> out;
    {
        std::shared_lock lock(mutex_);
        out.reserve(series_.size());
        for (const auto& [key, e] : series_)
            out.push_back(Series{e->method, e->route, e->statusClass, e->histogram.snapshot()});
    }
    std::sort(out.begin(), out.end(), [](const Series& a, const Series& b) {
        return std::tie(a.route, a.method, a.statusClass) < std::tie(b.route, b.method, b.statusClass);
    });
    return out;
}

}  // namespace valory::plugins::monitoring
