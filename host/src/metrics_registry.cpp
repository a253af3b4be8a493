#include "metrics_registry.hpp"
#include "strings.hpp"

#include <algorithm>
#include <regex>

namespace valory::host {

valory_status MetricsRegistry::define(const std::string& owner, const FamilyDef& def, std::uint32_t& id,
                                      std::string& message) {
    static const std::regex nameRe("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
    if (!std::regex_match(def.name, nameRe)) {
        message = "invalid metric name '" + def.name + "'";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    if (def.kind != VALORY_METRIC_COUNTER && def.kind != VALORY_METRIC_GAUGE &&
        def.kind != VALORY_METRIC_HISTOGRAM) {
        message = "metric '" + def.name + "': unknown kind " + std::to_string(def.kind);
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    if (def.kind == VALORY_METRIC_HISTOGRAM &&
        (def.buckets.empty() || !std::is_sorted(def.buckets.begin(), def.buckets.end()) ||
         std::adjacent_find(def.buckets.begin(), def.buckets.end()) != def.buckets.end())) {
        message = "metric '" + def.name + "': histogram buckets must be non-empty and strictly ascending";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    for (const auto& l : def.labelNames)
        if (!std::regex_match(l, nameRe)) {
            message = "metric '" + def.name + "': invalid label name '" + l + "'";
            return VALORY_ERR_INVALID_ARGUMENT;
        }
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < families_.size(); ++i) {
        const auto& f = *families_[i];
        if (f.def.name != def.name) continue;
        const bool same = f.def.kind == def.kind && f.def.labelNames == def.labelNames &&
                          (def.kind != VALORY_METRIC_HISTOGRAM || f.def.buckets == def.buckets);
        if (!same) {
            message = "metric '" + def.name + "' already defined by '" + f.owner +
                      "' with another kind, labels or buckets";
            return VALORY_ERR_CONFLICT;
        }
        id = static_cast<std::uint32_t>(i + 1);
        return VALORY_OK;
    }
    auto f = std::make_unique<Family>();
    f->def = def;
    if (def.kind != VALORY_METRIC_HISTOGRAM) f->def.buckets.clear();
    f->owner = owner;
    families_.push_back(std::move(f));
    id = static_cast<std::uint32_t>(families_.size());
    return VALORY_OK;
}

MetricsRegistry::Family* MetricsRegistry::family(std::uint32_t id, valory_metric_kind kind,
                                                 std::size_t labelCount) {
    std::shared_lock lock(mutex_);
    if (id == 0 || id > families_.size()) return nullptr;
    Family* f = families_[id - 1].get();
    if (f->def.kind != kind || f->def.labelNames.size() != labelCount) return nullptr;
    return f;
}

MetricsRegistry::Series* MetricsRegistry::seriesFor(Family& f, const valory_str* labels, std::size_t count) {
    std::string key;
    for (std::size_t i = 0; i < count; ++i) {
        if (i) key.push_back('\x1f');
        if (labels[i].size) key.append(labels[i].data, labels[i].size);
    }
    auto it = f.series.find(key);
    if (it != f.series.end()) return &it->second;
    Series s;
    for (std::size_t i = 0; i < count; ++i)
        s.labelValues.emplace_back(labels[i].data ? std::string(labels[i].data, labels[i].size)
                                                  : std::string());
    if (f.def.kind == VALORY_METRIC_HISTOGRAM) s.bucketCounts.assign(f.def.buckets.size() + 1, 0);
    return &f.series.emplace(std::move(key), std::move(s)).first->second;
}

void MetricsRegistry::counterAdd(std::uint32_t id, const valory_str* labels, std::size_t count,
                                 double delta) {
    Family* f = family(id, VALORY_METRIC_COUNTER, count);
    if (!f || delta < 0 || (count && !labels)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(f->mutex);
    seriesFor(*f, labels, count)->value += delta;
}

void MetricsRegistry::gaugeSet(std::uint32_t id, const valory_str* labels, std::size_t count, double value) {
    Family* f = family(id, VALORY_METRIC_GAUGE, count);
    if (!f || (count && !labels)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(f->mutex);
    seriesFor(*f, labels, count)->value = value;
}

void MetricsRegistry::gaugeAdd(std::uint32_t id, const valory_str* labels, std::size_t count, double delta) {
    Family* f = family(id, VALORY_METRIC_GAUGE, count);
    if (!f || (count && !labels)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(f->mutex);
    seriesFor(*f, labels, count)->value += delta;
}

void MetricsRegistry::histogramObserve(std::uint32_t id, const valory_str* labels, std::size_t count,
                                       double value) {
    Family* f = family(id, VALORY_METRIC_HISTOGRAM, count);
    if (!f || (count && !labels)) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    std::lock_guard lock(f->mutex);
    Series* s = seriesFor(*f, labels, count);
    const auto& b = f->def.buckets;
    std::size_t idx = static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
    s->bucketCounts[idx] += 1;
    s->value += value;
    s->count += 1;
}

namespace {
template <class F>
void withLabels(std::initializer_list<std::string_view> labels, F&& f) {
    valory_str values[16];
    std::size_t n = 0;
    for (auto l : labels) {
        if (n == 16) break;
        values[n++] = str(l);
    }
    f(values, n);
}
}  // namespace

void MetricsRegistry::counterAdd(std::uint32_t id, std::initializer_list<std::string_view> labels,
                                 double delta) {
    withLabels(labels, [&](const valory_str* v, std::size_t n) { counterAdd(id, v, n, delta); });
}
void MetricsRegistry::gaugeSet(std::uint32_t id, std::initializer_list<std::string_view> labels,
                               double value) {
    withLabels(labels, [&](const valory_str* v, std::size_t n) { gaugeSet(id, v, n, value); });
}
void MetricsRegistry::histogramObserve(std::uint32_t id, std::initializer_list<std::string_view> labels,
                                       double value) {
    withLabels(labels, [&](const valory_str* v, std::size_t n) { histogramObserve(id, v, n, value); });
}

void MetricsRegistry::visit(valory_metric_visitor visitor, void* user) const {
    if (!visitor) return;
    std::shared_lock lock(mutex_);
    for (const auto& fp : families_) {
        const Family& f = *fp;
        std::vector<valory_str> names;
        for (const auto& l : f.def.labelNames) names.push_back(str(l));
        // Copy the series under the family lock, call the visitor without it.
        std::vector<Series> snapshot;
        {
            std::lock_guard flock(f.mutex);
            for (const auto& [key, s] : f.series) snapshot.push_back(s);
        }
        for (const auto& s : snapshot) {
            std::vector<valory_str> values;
            for (const auto& v : s.labelValues) values.push_back(str(v));
            std::vector<std::uint64_t> cumulative;
            std::uint64_t acc = 0;
            for (auto c : s.bucketCounts) cumulative.push_back(acc += c);
            valory_metric_sample sample{};
            sample.struct_size = sizeof sample;
            sample.family = str(f.def.name);
            sample.help = str(f.def.help);
            sample.kind = f.def.kind;
            sample.label_names = names.data();
            sample.label_values = values.data();
            sample.label_count = names.size();
            sample.value = s.value;
            sample.count = f.def.kind == VALORY_METRIC_HISTOGRAM ? s.count : 0;
            sample.buckets = f.def.buckets.empty() ? nullptr : f.def.buckets.data();
            sample.bucket_counts = cumulative.empty() ? nullptr : cumulative.data();
            sample.bucket_count = f.def.buckets.size();
            sample.owner = str(f.owner);
            visitor(user, &sample);
        }
    }
}

}  // namespace valory::host
