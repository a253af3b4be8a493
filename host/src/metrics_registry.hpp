// Metric families with fixed label names (histograms with fixed buckets), recorded by id plus
// label values; visit() walks every sample for an exporter.
#pragma once

#include <valory/metrics.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace valory::host {

class MetricsRegistry {
  public:
    struct FamilyDef {
        valory_metric_kind kind = VALORY_METRIC_COUNTER;
        std::string name;
        std::string help;
        std::vector<std::string> labelNames;
        std::vector<double> buckets;
    };

    /// Defines a family or returns the id of an identical one; VALORY_ERR_CONFLICT (message set)
    /// when the name exists with another kind, labels or buckets; VALORY_ERR_INVALID_ARGUMENT for a
    /// bad name or unsorted buckets.
    valory_status define(const std::string& owner, const FamilyDef& def, std::uint32_t& id,
                         std::string& message);

    /// Recording; wrong ids or label counts are ignored and counted in droppedSamples().
    void counterAdd(std::uint32_t id, const valory_str* labels, std::size_t count, double delta);
    void gaugeSet(std::uint32_t id, const valory_str* labels, std::size_t count, double value);
    void gaugeAdd(std::uint32_t id, const valory_str* labels, std::size_t count, double delta);
    void histogramObserve(std::uint32_t id, const valory_str* labels, std::size_t count, double value);

    /// C++ conveniences for host code.
    void counterAdd(std::uint32_t id, std::initializer_list<std::string_view> labels, double delta = 1);
    void gaugeSet(std::uint32_t id, std::initializer_list<std::string_view> labels, double value);
    void histogramObserve(std::uint32_t id, std::initializer_list<std::string_view> labels, double value);

    void visit(valory_metric_visitor visitor, void* user) const;
    std::uint64_t droppedSamples() const { return dropped_.load(std::memory_order_relaxed); }

  private:
    struct Series {
        std::vector<std::string> labelValues;
        double value = 0;
        std::uint64_t count = 0;
        std::vector<std::uint64_t> bucketCounts;  // non-cumulative, buckets + 1 (+Inf)
    };
    struct Family {
        FamilyDef def;
        std::string owner;
        mutable std::mutex mutex;
        std::map<std::string, Series> series;  // key: label values joined by '\x1f'
    };
    Series* seriesFor(Family& f, const valory_str* labels, std::size_t count);
    Family* family(std::uint32_t id, valory_metric_kind kind, std::size_t labelCount);

    mutable std::shared_mutex mutex_;
    std::vector<std::unique_ptr<Family>> families_;  // id = index + 1
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace valory::host
