// The monitoring core the plugin adapter wires to the host: request and frontend statistics, the
// Prometheus page, readiness evaluation and the alert engine. No ABI types beyond the event
// payloads; unit-tested directly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <valory/events.h>
#include <valory/metrics.h>

#include "access_log.hpp"
#include "alert_engine.hpp"
#include "latency_histogram.hpp"
#include "request_metrics.hpp"
#include "settings.hpp"

namespace valory::plugins::monitoring {

/// One series of a family visited through valory_metrics_api.visit, copied out of the callback.
struct VisitedSeries {
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
    std::uint64_t count = 0;
    std::vector<double> buckets;
    std::vector<std::uint64_t> cumulative;  // buckets + 1 (+Inf)
};
struct VisitedFamily {
    std::string name, help, owner;
    valory_metric_kind kind = VALORY_METRIC_COUNTER;
    std::vector<VisitedSeries> series;
};
/// Families in first-visit order (name -> family).
using VisitedFamilies = std::vector<VisitedFamily>;
/// Collects one sample into `families` (the visitor callback's body).
void collectSample(VisitedFamilies& families, const valory_metric_sample& sample);

/// The frontend beacon: what `overlays.frontend_load` carries.
inline constexpr std::string_view kFrontendLoadEvent = "overlays.frontend_load";

class Monitor {
  public:
    using Log = std::function<void(valory_log_level, const std::string&)>;

    Monitor(Settings settings, Log log);

    /// VALORY_EVENT_REQUEST_FINISHED: statistics, slow-request WARN, access log line.
    void onRequest(const valory_request_finished_event& ev);
    /// VALORY_EVENT_CUSTOM: only `overlays.frontend_load` is read; malformed payloads are counted.
    void onCustom(const valory_custom_event& ev);
    /// Opens the access log if configured (`target` resolved by the caller). Throws on failure.
    void openAccessLog(const std::string& target);

    /// The whole /metrics page: own families first, then every visited family whose name is not
    /// one of ours. `buildInfo` labels go into valory_build_info.
    std::string exposition(const VisitedFamilies& visited,
                           const std::vector<std::pair<std::string, std::string>>& buildInfo) const;

    /// Alert readings from own statistics plus the visited families (cache, SQL).
    std::map<std::string, Reading> readings(const VisitedFamilies& visited) const;
    /// Runs one evaluation; returns the transitions (already logged once each through `log`).
    std::vector<AlertTransition> evaluate(AlertEngine::Clock::time_point now, const VisitedFamilies& visited);
    nlohmann::json alerts() const;

    /// Readiness from the host.health/1 report: {"status": ok|degraded|failed, "plugins": [...]}
    /// and the HTTP code (200 only for ok).
    static std::pair<int, nlohmann::json> readiness(const nlohmann::json& report);

    const RequestMetrics& requests() const noexcept { return requests_; }
    LatencyHistogram::Snapshot frontend() const { return frontend_.snapshot(); }
    std::uint64_t slowRequests() const noexcept { return slow_.load(std::memory_order_relaxed); }
    const Settings& settings() const noexcept { return settings_; }

  private:
    Settings settings_;
    Log log_;
    RequestMetrics requests_;
    LatencyHistogram frontend_;
    std::atomic<std::uint64_t> slow_{0}, pollFailures_{0}, beaconsRejected_{0}, beacons_{0};
    std::unique_ptr<AccessLog> accessLog_;
    mutable std::mutex alertsMutex_;
    AlertEngine engine_;
};

}  // namespace valory::plugins::monitoring
