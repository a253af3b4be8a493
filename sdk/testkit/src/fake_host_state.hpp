// Internal to the test kit: the fake host's state, shared by the files that implement one part of
// valory_host_api each (log_config.cpp, services.cpp, http.cpp, events.cpp, metrics.cpp,
// scheduler.cpp) and by the lifecycle (plugin_handle.cpp) and the wiring (fake_host.cpp).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "routing.hpp"
#include "valory/cpp/error.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/testkit/fake_host.hpp"

namespace valory::testkit {

using ::valory::sdk::iequals;
using ::valory::sdk::statusName;  // the SDK wrapper's words, so the fake host and plugins say the same
using ::valory::sdk::str;
using ::valory::sdk::view;

/// An owned copy of an ABI string.
inline std::string toString(valory_str s) {
    return std::string(view(s));
}

enum class Phase { Created, Starting, Started, Stopping, Stopped, Destroyed };

struct PluginRecord {
    FakeHostState* state = nullptr;
    std::string id;
    valory_plugin_descriptor desc{};
    nlohmann::json manifest;
    std::set<std::pair<std::string, uint32_t>> mayAcquire;
    std::set<std::pair<std::string, uint32_t>> mayProvide;
    std::string settings;
    std::string dataDir;
    std::string commandPlugin, commandName;
    std::vector<std::string> commandArgs;
    std::vector<valory_str> commandArgViews;
    void* instance = nullptr;
    Phase phase = Phase::Created;
    std::string lastError;
    std::map<std::string, std::string> infoCache;  // keeps host_info answers alive
};

inline valory_host* toHost(PluginRecord* r) {
    return reinterpret_cast<valory_host*>(r);
}
inline PluginRecord* toRec(valory_host* h) {
    return reinterpret_cast<PluginRecord*>(h);
}

struct RouteRec {
    PluginRecord* owner = nullptr;
    std::string plugin, method, tmpl;
    detail::PathTemplate parsed;
    valory_route_handler handler = nullptr;
    void* user = nullptr;
};

struct ServiceRec {
    PluginRecord* owner = nullptr;  // null for host-provided
    std::string provider, name;
    uint32_t major = 0, minor = 0;
    const void* vtable = nullptr;
    void* self = nullptr;
    uint64_t holders = 0;
};

struct RefRec {
    PluginRecord* holder = nullptr;
    std::shared_ptr<ServiceRec> service;
};

struct SubRec {
    PluginRecord* owner = nullptr;
    valory_event_type type = 0;
    valory_event_fn fn = nullptr;
    void* user = nullptr;
};

struct JobRec {
    PluginRecord* owner = nullptr;
    JobInfo info;
    valory_job_fn fn = nullptr;
    void* user = nullptr;
};

struct SampleRec {
    double value = 0;
    uint64_t count = 0;
    std::vector<uint64_t> buckets;  // non-cumulative per bucket, + Inf last
};

struct FamilyRec {
    std::string owner;
    valory_metric_kind kind = 0;
    std::string name, help;
    std::vector<std::string> labels;
    std::vector<double> buckets;
    std::map<std::vector<std::string>, SampleRec> samples;
};

struct FakeHostState {
    mutable std::recursive_mutex mutex;
    uint64_t hostNumber = 0;
    std::vector<std::shared_ptr<PluginRecord>> plugins;  // load order
    std::vector<std::shared_ptr<RouteRec>> routes;
    std::vector<StaticMountInfo> mounts;
    std::vector<std::shared_ptr<ServiceRec>> services;
    std::vector<std::unique_ptr<RefRec>> refs;
    std::vector<std::shared_ptr<SubRec>> subs;
    std::vector<std::shared_ptr<JobRec>> jobs;
    std::vector<std::unique_ptr<FamilyRec>> families;
    std::vector<PublishedEvent> publishedEvents;
    std::vector<LogEntry> logs;
    std::map<std::string, std::string> info;
    std::vector<std::string> procNames;
    valory_log_level minLevel = VALORY_LOG_TRACE;
    bool publishRequestFinished = true;
    std::filesystem::path tempRoot;
    bool verbose = std::getenv("VALORY_TESTKIT_VERBOSE") != nullptr;

    valory_log_api logApi{};
    valory_config_api configApi{};
    valory_service_api serviceApi{};
    valory_http_api httpApi{};
    valory_event_api eventApi{};
    valory_metrics_api metricsApi{};
    valory_scheduler_api schedulerApi{};
    valory_host_api api{};

    void log(const std::string& plugin, valory_log_level level, std::string message);
    bool mayRegister(const PluginRecord* r) const {
        return r->phase == Phase::Starting || r->phase == Phase::Started;
    }
    /// Calls every subscriber of `type` (outside the lock).
    void deliver(valory_event_type type, const void* event);
    /// Removes everything `r` registered or holds (after stop or a failed start).
    void cleanup(PluginRecord* r);
};

inline valory_status fail(valory_error* err, valory_status s, const std::string& msg) {
    return valory_fail(err, s, msg.c_str());
}

// The function tables, one per part of valory_host_api (each defined in its own file).
valory_log_api makeLogApi();
valory_config_api makeConfigApi();
valory_service_api makeServiceApi();
valory_http_api makeHttpApi();
valory_event_api makeEventApi();
valory_metrics_api makeMetricsApi();
valory_scheduler_api makeSchedulerApi();

/// Calls the visitor for every sample (FakeHost::visitMetrics and metrics->visit).
void visitMetricsOf(const FakeHostState* st, valory_metric_visitor visitor, void* user);

}  // namespace valory::testkit
