// Request statistics per (method, route template, status class): count, latency histogram (µs),
// running mean and max. Fed from VALORY_EVENT_REQUEST_FINISHED on HTTP threads; the hot path takes a
// shared lock and allocates nothing once a series exists.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "latency_histogram.hpp"

namespace valory::plugins::monitoring {

class RequestMetrics {
  public:
    explicit RequestMetrics(std::vector<std::uint64_t> boundsUs = LatencyHistogram::defaultBoundsUs(),
                            std::size_t maxSeries = 2000);

    void record(std::string_view method, std::string_view route, int status, std::uint64_t durationUs);

    struct Series {
        std::string method;
        std::string route;
        std::string statusClass;  ///< "1xx" … "5xx" ("other" outside 100-599)
        LatencyHistogram::Snapshot latency;
    };
    /// Every series, sorted by route, method, status class.
    std::vector<Series> snapshot() const;

    /// Totals since start (for the alert windows): requests, and those answered 5xx.
    std::uint64_t requests() const noexcept { return requests_.load(std::memory_order_relaxed); }
    std::uint64_t errors() const noexcept { return errors_.load(std::memory_order_relaxed); }
    /// Observations dropped because maxSeries distinct series exist already.
    std::uint64_t overflow() const noexcept { return overflow_.load(std::memory_order_relaxed); }

    /// Known methods keep their name; anything else is "OTHER" (bounded label values).
    static std::string_view normaliseMethod(std::string_view method) noexcept;
    static std::string_view statusClass(int status) noexcept;

  private:
    struct Entry {
        std::string method, route, statusClass;
        LatencyHistogram histogram;
        Entry(std::string m, std::string r, std::string s, const std::vector<std::uint64_t>& b)
            : method(std::move(m)), route(std::move(r)), statusClass(std::move(s)), histogram(b) {}
    };
    std::vector<std::uint64_t> bounds_;
    std::size_t maxSeries_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::unique_ptr<Entry>> series_;
    std::atomic<std::uint64_t> requests_{0}, errors_{0}, overflow_{0};
};

}  // namespace valory::plugins::monitoring
