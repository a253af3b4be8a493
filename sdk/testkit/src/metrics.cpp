// The fake host's metrics: families, samples, the exporter's visitor, and a test's reads.
#include <algorithm>
#include <cctype>

#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

// metrics
bool validMetricName(const std::string& n) {
    if (n.empty() || !(std::islower(static_cast<unsigned char>(n[0])) || n[0] == '_')) return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
               c == '_';
    });
}
valory_status defineFamily(valory_host* h, const valory_metric_family_def* def, uint32_t* outId,
                           valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    if (!def || !def->name || !outId)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "define_family: NULL def, name or out_id");
    FamilyRec f;
    f.owner = r->id;
    f.kind = def->kind;
    f.name = def->name;
    f.help = def->help ? def->help : "";
    for (size_t i = 0; i < def->label_count; ++i)
        f.labels.emplace_back(def->label_names[i] ? def->label_names[i] : "");
    if (def->kind == VALORY_METRIC_HISTOGRAM)
        for (size_t i = 0; i < def->bucket_count; ++i) f.buckets.push_back(def->buckets[i]);
    if (!validMetricName(f.name))
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "define_family: bad metric name '" + f.name + "'");
    if (def->kind < VALORY_METRIC_COUNTER || def->kind > VALORY_METRIC_HISTOGRAM)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "define_family: bad kind for " + f.name);
    if (!std::is_sorted(f.buckets.begin(), f.buckets.end()))
        return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                    "define_family: buckets of " + f.name + " not ascending");
    std::lock_guard lock(st->mutex);
    for (size_t i = 0; i < st->families.size(); ++i) {
        auto& x = *st->families[i];
        if (x.name != f.name) continue;
        if (x.kind == f.kind && x.labels == f.labels && x.buckets == f.buckets) {
            *outId = static_cast<uint32_t>(i + 1);
            return VALORY_OK;
        }
        return fail(err, VALORY_ERR_CONFLICT,
                    "metric family " + f.name + " exists with another kind, labels or buckets");
    }
    st->families.push_back(std::make_unique<FamilyRec>(std::move(f)));
    *outId = static_cast<uint32_t>(st->families.size());
    return VALORY_OK;
}

void record(valory_host* h, uint32_t id, const valory_str* labels, size_t count, valory_metric_kind kind,
            int op, double v) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    if (id == 0 || id > st->families.size()) return;
    auto& f = *st->families[id - 1];
    if (f.kind != kind || count != f.labels.size()) return;
    std::vector<std::string> key;
    for (size_t i = 0; i < count; ++i) key.push_back(toString(labels[i]));
    auto& s = f.samples[key];
    if (kind == VALORY_METRIC_HISTOGRAM) {
        if (s.buckets.empty()) s.buckets.assign(f.buckets.size() + 1, 0);
        size_t b = 0;
        while (b < f.buckets.size() && v > f.buckets[b]) ++b;
        ++s.buckets[b];
        ++s.count;
        s.value += v;
    } else if (op == 1) {
        s.value = v;
    } else {
        s.value += v;
    }
}
void counterAdd(valory_host* h, uint32_t id, const valory_str* l, size_t n, double d) {
    if (d >= 0) record(h, id, l, n, VALORY_METRIC_COUNTER, 0, d);
}
void gaugeSet(valory_host* h, uint32_t id, const valory_str* l, size_t n, double v) {
    record(h, id, l, n, VALORY_METRIC_GAUGE, 1, v);
}
void gaugeAdd(valory_host* h, uint32_t id, const valory_str* l, size_t n, double d) {
    record(h, id, l, n, VALORY_METRIC_GAUGE, 0, d);
}
void histogramObserve(valory_host* h, uint32_t id, const valory_str* l, size_t n, double v) {
    record(h, id, l, n, VALORY_METRIC_HISTOGRAM, 0, v);
}

void visit(valory_host* h, valory_metric_visitor visitor, void* user) {
    visitMetricsOf(toRec(h)->state, visitor, user);
}

const SampleRec* findSample(const FakeHostState& st, const std::string& family,
                            const std::vector<std::string>& labels, valory_metric_kind* kind) {
    for (auto& f : st.families) {
        if (f->name != family) continue;
        auto it = f->samples.find(labels);
        if (it == f->samples.end()) return nullptr;
        if (kind) *kind = f->kind;
        return &it->second;
    }
    return nullptr;
}

}  // namespace

void visitMetricsOf(const FakeHostState* st, valory_metric_visitor visitor, void* user) {
    std::lock_guard lock(st->mutex);
    for (auto& fp : st->families) {
        auto& f = *fp;
        std::vector<valory_str> names;
        for (auto& l : f.labels) names.push_back(str(l));
        for (auto& [key, s] : f.samples) {
            std::vector<valory_str> values;
            for (auto& k : key) values.push_back(str(k));
            std::vector<uint64_t> cumulative;
            uint64_t acc = 0;
            for (auto c : s.buckets) cumulative.push_back(acc += c);
            valory_metric_sample m{};
            m.struct_size = sizeof m;
            m.family = str(f.name);
            m.help = str(f.help);
            m.kind = f.kind;
            m.label_names = names.data();
            m.label_values = values.data();
            m.label_count = names.size();
            m.value = s.value;
            m.count = s.count;
            m.buckets = f.buckets.data();
            m.bucket_counts = cumulative.empty() ? nullptr : cumulative.data();
            m.bucket_count = f.kind == VALORY_METRIC_HISTOGRAM ? f.buckets.size() : 0;
            m.owner = str(f.owner);
            visitor(user, &m);
        }
    }
}

valory_metrics_api makeMetricsApi() {
    return valory_metrics_api{sizeof(valory_metrics_api), defineFamily, counterAdd, gaugeSet, gaugeAdd,
                              histogramObserve,           visit};
}

std::optional<double> FakeHost::metricValue(const std::string& family,
                                            const std::vector<std::string>& labelValues) const {
    std::lock_guard lock(state_->mutex);
    auto* s = findSample(*state_, family, labelValues, nullptr);
    if (!s) return std::nullopt;
    return s->value;
}

std::optional<uint64_t> FakeHost::histogramCount(const std::string& family,
                                                 const std::vector<std::string>& labelValues) const {
    std::lock_guard lock(state_->mutex);
    valory_metric_kind kind = 0;
    auto* s = findSample(*state_, family, labelValues, &kind);
    if (!s || kind != VALORY_METRIC_HISTOGRAM) return std::nullopt;
    return s->count;
}

bool FakeHost::hasMetricFamily(const std::string& family) const {
    std::lock_guard lock(state_->mutex);
    return std::any_of(state_->families.begin(), state_->families.end(),
                       [&](const auto& f) { return f->name == family; });
}

void FakeHost::visitMetrics(valory_metric_visitor visitor, void* user) const {
    visitMetricsOf(state_.get(), visitor, user);
}

}  // namespace valory::testkit
