// The host's implementation of the service http.client/1 (sdk/include/valory/http_client.h).
//
// Wiring (Application, once per process, before any plugin starts):
//   valory::host::HttpClientService::initializeTls(settings);   // configures Poco's SSLManager
//   auto http = std::make_unique<valory::host::HttpClientService>(settings);
//   registry.registerHostService("http.client", 1, http->minor(), http->vtable(), http->self());
// and destroy it after every plugin has stopped.
//
// Settings (JSON object, every key optional, unknown keys rejected):
//   max_connections (30), max_connections_per_host (10), idle_timeout_ms (5000),
//   connect_timeout_ms (5000), default_deadline_ms (10000), max_attempts (3),
//   backoff_base_ms (500), backoff_cap_ms (30000), max_body_bytes (16 MiB),
//   user_agent ("valory-host"), ca_file ("" = system CAs; read by initializeTls only).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connection_pool.hpp"
#include "deadline_watchdog.hpp"
#include "retry_policy.hpp"
#include "valory/http_client.h"

namespace valory::host {

class MetricsRegistry;

struct HttpClientSettings {
    std::size_t maxConnections = 30;
    std::size_t maxConnectionsPerHost = 10;
    std::chrono::milliseconds idleTimeout{5000};
    std::chrono::milliseconds connectTimeout{5000};
    std::chrono::milliseconds defaultDeadline{10000};
    uint32_t maxAttempts = 3;
    std::chrono::milliseconds backoffBase{500};
    std::chrono::milliseconds backoffCap{30000};
    std::size_t maxBodyBytes = 16u << 20;
    std::string userAgent = "valory-host";
    std::string caFile;

    /// Throws std::invalid_argument naming the key for unknown keys, wrong types and out-of-range values.
    static HttpClientSettings fromJson(const nlohmann::json& settings);
};

/// Counters of one upstream ("https://api.twitch.tv:443"), cumulative since start.
struct UpstreamMetrics {
    static constexpr std::array<double, 11> kLatencyBucketsMs{5,   10,   25,   50,   100,  250,
                                                              500, 1000, 2500, 5000, 10000};

    std::string upstream;
    uint64_t calls = 0;     // perform() calls
    uint64_t requests = 0;  // attempts sent (calls + retries)
    uint64_t retries = 0;
    uint64_t errors = 0;                             // calls that ended with a non-OK status
    std::map<std::string, uint64_t> errorsByStatus;  // "timeout", "rate_limited", ...
    uint64_t poolWaits = 0;                          // attempts that waited for a free connection
    uint64_t poolWaitMs = 0;
    uint64_t connectionsOpened = 0;
    uint64_t connectionsReused = 0;
    uint64_t latencyCount = 0;  // call latency (whole call, all attempts)
    double latencySumMs = 0;
    std::array<uint64_t, kLatencyBucketsMs.size() + 1> latencyBuckets{};  // last = +Inf (non-cumulative)
};

class HttpClientService {
  public:
    explicit HttpClientService(const nlohmann::json& settings);
    ~HttpClientService();
    HttpClientService(const HttpClientService&) = delete;
    HttpClientService& operator=(const HttpClientService&) = delete;

    /// The valory_http_client_api and the `self` to register as http.client/1.
    const void* vtable() const;
    void* self();
    uint32_t minor() const;

    /// Configures Poco NetSSL for the whole process: Context(CLIENT_USE, ca_file, VERIFY_STRICT, 9,
    /// ca_file.empty()), TLS >= 1.2, RejectCertificateHandler. Call once, before any plugin runs;
    /// later calls are ignored (returns false). Throws std::invalid_argument / Poco exceptions when
    /// the CA file cannot be loaded. https requests fail with UNAVAILABLE until this has run.
    static bool initializeTls(const nlohmann::json& settings);

    /// Also records into the host's registry from now on (families valory_http_client_*, label
    /// `upstream`, e.g. "https://api.twitch.tv:443"). Call before registering the service.
    void setMetrics(MetricsRegistry& registry);

    /// Per-upstream counters and the shared pool's state (for the metrics endpoint and tests).
    std::vector<UpstreamMetrics> metricsSnapshot() const;
    ConnectionPool::Stats poolStats() const;
    /// Connections cut by the deadline watchdog (a peer that kept a read going past the deadline).
    uint64_t deadlineShutdowns() const { return watchdog_.firedCount(); }

    /// The C++ entry behind the vtable's perform (tests call it directly too).
    valory_status perform(const valory_http_client_request& req, valory_http_client_response** out,
                          valory_http_client_stats* stats, valory_error* err);

    const HttpClientSettings& settings() const { return settings_; }

  private:
    struct Attempt;
    void runAttempt(Attempt& a);
    bool sleepUntil(std::chrono::steady_clock::time_point until);  // false on shutdown
    UpstreamMetrics& metricsFor(const std::string& upstream);      // mutex held

    HttpClientSettings settings_;
    RetryPolicy retry_;
    DeadlineWatchdog watchdog_;  // outlives pool_
    ConnectionPool pool_;

    std::mutex waitMutex_;
    std::condition_variable waitCv_;
    bool stopping_ = false;

    mutable std::mutex metricsMutex_;
    std::map<std::string, UpstreamMetrics> metrics_;

    struct RegistryIds {
        uint32_t requests = 0, retries = 0, errors = 0, duration = 0, poolWaits = 0, poolWaitSeconds = 0,
                 opened = 0, open = 0;
    };
    MetricsRegistry* registry_ = nullptr;
    RegistryIds ids_;
};

}  // namespace valory::host
