#include "monitor.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <set>
#include <sstream>

#include "exposition.hpp"
#include "valory/cpp/strings.hpp"

namespace valory::plugins::monitoring {

using sdk::view;

namespace {

constexpr const char* kRequests = "valory_http_requests_total";
constexpr const char* kDuration = "valory_http_request_duration_seconds";
constexpr const char* kMax = "valory_http_request_duration_max_seconds";
constexpr const char* kMean = "valory_http_request_duration_mean_seconds";
constexpr const char* kQuantile = "valory_http_request_duration_percentile_seconds";
constexpr const char* kErrors = "valory_http_request_errors_total";
constexpr const char* kSlow = "valory_http_slow_requests_total";
constexpr const char* kOverflow = "valory_monitoring_series_dropped_total";
constexpr const char* kFrontend = "valory_frontend_load_seconds";
constexpr const char* kPollFailures = "valory_frontend_poll_failures_total";
constexpr const char* kBeaconsRejected = "valory_frontend_beacons_rejected_total";
constexpr const char* kAlertFiring = "valory_alert_firing";
constexpr const char* kBuildInfo = "valory_build_info";

std::vector<double> secondsBounds(const std::vector<std::uint64_t>& us) {
    std::vector<double> out;
    out.reserve(us.size());
    for (auto b : us) out.push_back(static_cast<double>(b) / 1e6);
    return out;
}
std::vector<unsigned long long> toULL(const std::vector<std::uint64_t>& v) {
    return {v.begin(), v.end()};
}

/// Frontend first-render buckets: 100 ms … 30 s.
std::vector<std::uint64_t> frontendBoundsUs() {
    return {100000, 250000, 500000, 1000000, 2000000, 3000000, 5000000, 10000000, 30000000};
}

const char* typeName(valory_metric_kind k) {
    return k == VALORY_METRIC_COUNTER ? "counter" : k == VALORY_METRIC_GAUGE ? "gauge" : "histogram";
}

}  // namespace

void collectSample(VisitedFamilies& families, const valory_metric_sample& s) {
    const std::string name(view(s.family));
    auto it = std::find_if(families.begin(), families.end(),
                           [&](const VisitedFamily& f) { return f.name == name; });
    if (it == families.end()) {
        families.push_back(
            VisitedFamily{name, std::string(view(s.help)), std::string(view(s.owner)), s.kind, {}});
        it = std::prev(families.end());
    }
    VisitedSeries series;
    for (std::size_t i = 0; i < s.label_count; ++i)
        series.labels.emplace_back(std::string(view(s.label_names[i])), std::string(view(s.label_values[i])));
    series.value = s.value;
    series.count = s.count;
    if (s.kind == VALORY_METRIC_HISTOGRAM && s.buckets && s.bucket_counts) {
        series.buckets.assign(s.buckets, s.buckets + s.bucket_count);
        series.cumulative.assign(s.bucket_counts, s.bucket_counts + s.bucket_count + 1);
    }
    it->series.push_back(std::move(series));
}

Monitor::Monitor(Settings settings, Log log)
    : settings_(std::move(settings)),
      log_(std::move(log)),
      requests_(settings_.bucketsUs.empty() ? LatencyHistogram::defaultBoundsUs() : settings_.bucketsUs),
      frontend_(frontendBoundsUs()),
      engine_(settings_.rules) {}

void Monitor::openAccessLog(const std::string& target) {
    accessLog_ = std::make_unique<AccessLog>(target);
}

void Monitor::onRequest(const valory_request_finished_event& ev) {
    if (ev.struct_size < offsetof(valory_request_finished_event, request_id) + sizeof ev.request_id) return;
    requests_.record(view(ev.method), view(ev.route), ev.status, ev.duration_us);
    if (ev.duration_us > settings_.slowRequestUs) {
        slow_.fetch_add(1, std::memory_order_relaxed);
        std::ostringstream m;
        m << "slow request: " << view(ev.method) << ' ' << view(ev.route) << " status " << ev.status
          << " took " << prom::formatValue(static_cast<double>(ev.duration_us) / 1000.0) << " ms (threshold "
          << settings_.slowRequestUs / 1000 << " ms) client " << view(ev.client_address) << " request_id "
          << view(ev.request_id);
        log_(VALORY_LOG_WARNING, m.str());
    }
    if (accessLog_) accessLog_->write(ev);
}

void Monitor::onCustom(const valory_custom_event& ev) {
    if (ev.struct_size < offsetof(valory_custom_event, payload_json) + sizeof ev.payload_json ||
        view(ev.name) != kFrontendLoadEvent)
        return;
    const auto payload = nlohmann::json::parse(view(ev.payload_json), nullptr, false);
    auto reject = [&] { beaconsRejected_.fetch_add(1, std::memory_order_relaxed); };
    if (!payload.is_object()) return reject();
    auto ms = payload.find("first_render_ms");
    if (ms == payload.end() || !ms->is_number()) return reject();
    const double v = ms->get<double>();
    if (!std::isfinite(v) || v < 0 || v > 3600000) return reject();
    if (auto id = payload.find("overlay_id"); id != payload.end() && !id->is_string()) return reject();
    std::uint64_t failures = 0;
    if (auto pf = payload.find("poll_failures"); pf != payload.end()) {
        if (!pf->is_number_unsigned() || pf->get<std::uint64_t>() > 1000000) return reject();
        failures = pf->get<std::uint64_t>();
    }
    frontend_.observe(static_cast<std::uint64_t>(v * 1000.0));
    pollFailures_.fetch_add(failures, std::memory_order_relaxed);
    beacons_.fetch_add(1, std::memory_order_relaxed);
}

std::string Monitor::exposition(const VisitedFamilies& visited,
                                const std::vector<std::pair<std::string, std::string>>& buildInfo) const {
    prom::Writer w;
    const auto series = requests_.snapshot();
    auto labelsOf = [](const RequestMetrics::Series& s) {
        return prom::Labels{{"method", s.method}, {"route", s.route}, {"status_class", s.statusClass}};
    };
    w.family(kRequests, "HTTP requests answered, by method, route template and status class", "counter");
    for (const auto& s : series) w.sample(kRequests, labelsOf(s), static_cast<double>(s.latency.count));
    w.family(kDuration, "HTTP request duration (measured in microseconds)", "histogram");
    for (const auto& s : series)
        w.histogram(kDuration, labelsOf(s), secondsBounds(s.latency.boundsUs), toULL(s.latency.cumulative),
                    static_cast<double>(s.latency.sumUs) / 1e6);
    w.family(kMax, "Longest HTTP request since start", "gauge");
    for (const auto& s : series) w.sample(kMax, labelsOf(s), static_cast<double>(s.latency.maxUs) / 1e6);
    w.family(kMean, "Mean HTTP request duration since start", "gauge");
    for (const auto& s : series) w.sample(kMean, labelsOf(s), s.latency.meanUs() / 1e6);
    w.family(kQuantile,
             "HTTP request duration percentiles (50, 95, 99) estimated from the histogram since start",
             "gauge");
    for (const auto& s : series)
        for (int p : {50, 95, 99}) {
            // Not "quantile": Prometheus reserves that label for summaries.
            auto l = labelsOf(s);
            l.emplace_back("percentile", std::to_string(p));
            w.sample(kQuantile, l, s.latency.quantileUs(p / 100.0) / 1e6);
        }
    // 5xx per method and route.
    std::map<std::pair<std::string, std::string>, std::uint64_t> errors;
    for (const auto& s : series) {
        auto& e = errors[{s.route, s.method}];
        if (s.statusClass == "5xx") e += s.latency.count;
    }
    w.family(kErrors, "HTTP requests answered with a 5xx status, by method and route template", "counter");
    for (const auto& [k, n] : errors)
        w.sample(kErrors, {{"method", k.second}, {"route", k.first}}, static_cast<double>(n));
    w.family(kSlow, "HTTP requests slower than the slow-request threshold", "counter");
    w.sample(kSlow, {}, static_cast<double>(slow_.load(std::memory_order_relaxed)));
    w.family(kOverflow, "Request observations dropped because the series limit was reached", "counter");
    w.sample(kOverflow, {}, static_cast<double>(requests_.overflow()));

    const auto fe = frontend_.snapshot();
    w.family(kFrontend, "Overlay page first render time reported by the page's load beacon", "histogram");
    w.histogram(kFrontend, {}, secondsBounds(fe.boundsUs), toULL(fe.cumulative),
                static_cast<double>(fe.sumUs) / 1e6);
    w.family(kPollFailures, "Failed data polls reported by overlay pages", "counter");
    w.sample(kPollFailures, {}, static_cast<double>(pollFailures_.load(std::memory_order_relaxed)));
    w.family(kBeaconsRejected, "Frontend load beacons refused as malformed", "counter");
    w.sample(kBeaconsRejected, {}, static_cast<double>(beaconsRejected_.load(std::memory_order_relaxed)));

    {
        std::lock_guard lock(alertsMutex_);
        const auto firing = engine_.firing();
        w.family(kAlertFiring, "1 while the alert rule fires, else 0", "gauge");
        for (const auto& r : engine_.rules())
            w.sample(kAlertFiring, {{"alert", r.name}},
                     std::find(firing.begin(), firing.end(), r.name) != firing.end() ? 1.0 : 0.0);
    }
    w.family(kBuildInfo, "Build information of the host (always 1)", "gauge");
    w.sample(kBuildInfo, prom::Labels(buildInfo.begin(), buildInfo.end()), 1.0);

    const std::set<std::string> ours = {kRequests,        kDuration,    kMax,      kMean,     kQuantile,
                                        kErrors,          kSlow,        kOverflow, kFrontend, kPollFailures,
                                        kBeaconsRejected, kAlertFiring, kBuildInfo};
    for (const auto& f : visited) {
        if (ours.count(f.name) || !prom::validMetricName(f.name)) continue;
        w.family(f.name, f.help.empty() ? f.name + " (no description)" : f.help, typeName(f.kind));
        for (const auto& s : f.series) {
            prom::Labels l(s.labels.begin(), s.labels.end());
            if (f.kind == VALORY_METRIC_HISTOGRAM)
                w.histogram(f.name, l, s.buckets, toULL(s.cumulative), s.value);
            else
                w.sample(f.name, l, s.value);
        }
    }
    return w.take();
}

std::map<std::string, Reading> Monitor::readings(const VisitedFamilies& visited) const {
    std::map<std::string, Reading> r;
    r["http_errors"] = {static_cast<double>(requests_.errors()), static_cast<double>(requests_.requests())};
    const auto fe = frontend_.snapshot();
    r["frontend_seconds"] = {static_cast<double>(fe.sumUs) / 1e6, static_cast<double>(fe.count)};
    auto label = [](const VisitedSeries& s, std::string_view name) -> std::string_view {
        for (const auto& [k, v] : s.labels)
            if (k == name) return v;
        return {};
    };
    for (const auto& f : visited) {
        if (f.name == "valory_cache_requests_total" && f.kind == VALORY_METRIC_COUNTER) {
            Reading c;
            for (const auto& s : f.series) {
                if (label(s, "result") == "hit") c.numerator += s.value;
                if (label(s, "level") == "l1") c.denominator += s.value;  // every lookup starts at L1
            }
            r["cache_hits"] = c;
        } else if (f.name == "valory_sql_query_duration_seconds" && f.kind == VALORY_METRIC_HISTOGRAM) {
            Reading q;
            for (const auto& s : f.series) {
                q.numerator += s.value;
                q.denominator += static_cast<double>(s.count);
            }
            r["sql_seconds"] = q;
        }
    }
    return r;
}

std::vector<AlertTransition> Monitor::evaluate(AlertEngine::Clock::time_point now,
                                               const VisitedFamilies& visited) {
    const auto rs = readings(visited);
    std::vector<AlertTransition> out;
    {
        std::lock_guard lock(alertsMutex_);
        out = engine_.evaluate(now, rs);
    }
    for (const auto& t : out) log_(t.firing ? VALORY_LOG_WARNING : VALORY_LOG_INFO, t.message);
    return out;
}

nlohmann::json Monitor::alerts() const {
    std::lock_guard lock(alertsMutex_);
    auto list = engine_.list();
    return {{"alerts", list}, {"firing", engine_.firing()}};
}

std::pair<int, nlohmann::json> Monitor::readiness(const nlohmann::json& report) {
    int worst = 0;  // 0 ok, 1 degraded, 2 failed
    nlohmann::json plugins = nlohmann::json::array();
    if (!report.is_array())
        return {503, {{"status", "failed"}, {"reason", "no health report from the host"}}};
    for (const auto& p : report) {
        const std::string state = p.value("state", std::string());
        const std::string health = p.value("health", std::string("none"));
        std::string verdict;
        if (state == "started") {
            if (health == "ok" || health == "none")
                verdict = "ok";
            else if (health == "failed")
                verdict = "failed";
            else
                verdict = "degraded";  // degraded or unknown
        } else if (p.value("optional", false) || state == "stopped") {
            verdict = "absent";  // skipped optional or deliberately stopped: not a readiness problem
        } else {
            verdict = "failed";
        }
        worst = std::max(worst, verdict == "failed" ? 2 : verdict == "degraded" ? 1 : 0);
        nlohmann::json entry = {
            {"id", p.value("id", std::string())}, {"state", state}, {"health", health}, {"verdict", verdict}};
        if (p.contains("detail")) entry["detail"] = p["detail"];
        if (p.contains("reason")) entry["reason"] = p["reason"];
        plugins.push_back(std::move(entry));
    }
    const char* status = worst == 0 ? "ok" : worst == 1 ? "degraded" : "failed";
    return {worst == 0 ? 200 : 503, {{"status", status}, {"plugins", plugins}}};
}

}  // namespace valory::plugins::monitoring
