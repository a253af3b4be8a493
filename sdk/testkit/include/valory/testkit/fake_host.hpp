// Valory SDK test kit: an in-process fake host implementing the whole valory_host_api (ABI v1).
//
// It loads a plugin from its descriptor (the plugin's sources are compiled into the test binary,
// so `valory_plugin_entry_v1()` is a plain function call), runs create/start/stop/destroy on the
// calling thread, and lets a test drive the plugin: HTTP requests through its routes, service
// calls, jobs run on demand, events, metrics, logs. It follows the real host's rules where they are
// observable by a plugin: manifest-declared services only (VALORY_ERR_UNDECLARED), registrations only
// during start(), everything a plugin leaves behind removed when it stops or fails, JSON 404/405/500.
//
//   valory::testkit::FakeHost host;
//   host.provideService("sql", 1, 0, &vtable, &impl);
//   auto p = host.load(valory_plugin_entry_v1(), manifestJson, R"({"greeting": "hi"})");
//   p.start();
//   auto r = host.request("GET", "/hello?name=x");
//   EXPECT_EQ(r.status, 200);
//
// Not thread-safe against concurrent lifecycle calls (like the real host, lifecycle runs on one
// thread); request(), service calls and metrics may be used from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "valory/valory.h"

namespace valory::testkit {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A lifecycle step (create/start/stop/reconfigure/command) that returned an error.
class LifecycleError : public std::runtime_error {
  public:
    LifecycleError(valory_status status, const std::string& message)
        : std::runtime_error(message), status_(status) {}
    valory_status status() const noexcept { return status_; }

  private:
    valory_status status_;
};

struct LogEntry {
    std::string plugin;  // plugin id ("" for messages of the fake host itself)
    valory_log_level level = VALORY_LOG_INFO;
    std::string message;
};

// What a test sends through request().
struct Request {
    std::string method = "GET";
    std::string target = "/";  // path and query, percent-encoded
    Headers headers;
    std::string body;
    std::string peerAddress = "127.0.0.1:50000";
    std::string clientAddress = "127.0.0.1";
    std::string scheme = "http";
    std::string host = "localhost";
    std::string requestId = "test-request";
};

// What the plugin (or the fake router) answered.
struct Response {
    int status = 200;
    Headers headers;  // in order, multi-valued kept (Set-Cookie)
    std::string body;
    std::string route;     // matched template, "<unmatched>" if none
    std::string pluginId;  // owner of the matched route
    std::string sentFile;  // path given to send_file, if any

    // First value of a header (case-insensitive).
    std::optional<std::string> header(const std::string& name) const;
    // Every value of a header, in order.
    std::vector<std::string> headerAll(const std::string& name) const;
    // Body parsed as JSON (throws nlohmann::json::parse_error when it is not JSON).
    nlohmann::json json() const { return nlohmann::json::parse(body); }
};

struct RouteInfo {
    std::string plugin;
    std::string method;
    std::string pathTemplate;
};

struct StaticMountInfo {
    std::string plugin;
    std::string prefix;
    std::string directory;
    uint32_t flags = 0;
};

struct JobInfo {
    std::string plugin;
    std::string name;
    uint64_t intervalMs = 0;
    uint64_t jitterMs = 0;
    uint32_t flags = 0;
    uint64_t triggers = 0;  // trigger_job calls
};

struct PublishedEvent {
    std::string publisher;
    std::string name;
    std::string payloadJson;
};

struct ServiceInfo {
    std::string provider;  // plugin id, or "host" for provideService()
    std::string name;
    uint32_t major = 0;
    uint32_t minor = 0;
    uint64_t holders = 0;  // acquisitions not yet released
};

class FakeHost;
struct FakeHostState;
struct PluginRecord;

// One loaded plugin. Movable; stops (if started) and destroys the instance when it goes away.
// The FakeHost must outlive it.
class PluginHandle {
  public:
    PluginHandle() = default;
    PluginHandle(PluginHandle&&) noexcept;
    PluginHandle& operator=(PluginHandle&&) noexcept;
    PluginHandle(const PluginHandle&) = delete;
    PluginHandle& operator=(const PluginHandle&) = delete;
    ~PluginHandle();

    const std::string& id() const;

    void start();              // throws LifecycleError
    valory_status tryStart();  // error text in lastError()
    void stop();               // throws LifecycleError (registrations are removed anyway)
    valory_status tryStop();
    void destroy();  // stops first if started; idempotent
    bool started() const;
    const std::string& lastError() const;

    // Optional slots; throw LifecycleError(VALORY_ERR_UNSUPPORTED) when the plugin has none.
    valory_health_state health(nlohmann::json* detail = nullptr);
    valory_status reconfigure(
        const nlohmann::json& settings);  // VALORY_OK or VALORY_ERR_NEEDS_RESTART (else throws)
    std::string command(const std::string& name,
                        const std::vector<std::string>& args = {});  // throws on error

    // Raw access for tests that want to call the descriptor themselves.
    const valory_plugin_descriptor* descriptor() const;
    void* instance() const;
    valory_host* hostHandle() const;

  private:
    friend class FakeHost;
    PluginHandle(FakeHostState* state, std::shared_ptr<PluginRecord> rec)
        : state_(state), rec_(std::move(rec)) {}
    FakeHostState* state_ = nullptr;
    std::shared_ptr<PluginRecord> rec_;
};

struct LoadOptions {
    valory_run_mode runMode = VALORY_RUN_SERVE;
    std::string commandPlugin;
    std::string commandName;
    std::vector<std::string> commandArgs;
    // When true (default), top-level "default" values of the manifest's config_schema are filled
    // into the settings, as the real host does.
    bool applySchemaDefaults = true;
};

class FakeHost {
  public:
    FakeHost();
    ~FakeHost();  // stops and destroys every plugin still loaded, newest first
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    // --- set-up ----------------------------------------------------------------------------------

    // Offers a service as the host would (e.g. a fake sql/1). The vtable and self must outlive the host.
    void provideService(const std::string& name, uint32_t major, uint32_t minor, const void* vtable,
                        void* self);
    // get_proc answers for `name`.
    void setProc(const std::string& name, const void* proc);
    // host_info answers ("host.version" defaults to "fake", "plugin.id" is always the plugin's id).
    void setInfo(const std::string& key, const std::string& value);
    // Minimum level written (default TRACE: everything is captured).
    void setLogLevel(valory_log_level level);

    // Calls create(). `manifestJson` is the plugin.json text (its id must equal the descriptor's;
    // its requires/optional/provides decide what the plugin may acquire and register).
    // Throws LifecycleError when create fails or the descriptor is unusable.
    PluginHandle load(const valory_plugin_descriptor* descriptor, const std::string& manifestJson,
                      const std::string& settingsJson = "{}", const LoadOptions& options = {});
    // Same, returning the status (error text in *error) instead of throwing; the handle is empty on failure.
    valory_status tryLoad(PluginHandle* out, const valory_plugin_descriptor* descriptor,
                          const std::string& manifestJson, const std::string& settingsJson = "{}",
                          const LoadOptions& options = {}, std::string* error = nullptr);

    // Reads a whole file (e.g. the plugin.json of the plugin under test). Throws on failure.
    static std::string readFile(const std::string& path);

    // --- HTTP ------------------------------------------------------------------------------------

    Response request(const std::string& method, const std::string& target, const Headers& headers = {},
                     const std::string& body = {});
    Response request(const Request& request);
    std::vector<RouteInfo> routes() const;
    std::vector<StaticMountInfo> staticMounts() const;

    // --- services --------------------------------------------------------------------------------

    // Acquires a service as the host itself (no manifest check); released when the ref dies.
    struct Acquired {
        valory_service service{};
        bool ok() const { return service.vtable != nullptr; }
        template <class V>
        const V* as() const {
            return static_cast<const V*>(service.vtable);
        }
        void* self() const { return service.self; }
    };
    // nullopt when (name, major) is not registered or its minor < minMinor.
    std::optional<Acquired> service(const std::string& name, uint32_t major, uint32_t minMinor = 0) const;
    std::vector<ServiceInfo> services() const;

    // --- scheduler -------------------------------------------------------------------------------

    std::vector<JobInfo> jobs() const;
    bool hasJob(const std::string& name) const;
    // Runs the job body now on the calling thread; throws std::out_of_range for an unknown job.
    // The error text (if any) is stored in *error.
    valory_status runJob(const std::string& name, std::string* error = nullptr);

    // --- events ----------------------------------------------------------------------------------

    std::vector<PublishedEvent> published() const;
    // Delivers an event to the subscribers of `type` as the host would (payload struct of that type).
    void emit(valory_event_type type, const void* event);
    size_t subscriberCount(valory_event_type type) const;
    // request() publishes VALORY_EVENT_REQUEST_FINISHED to subscribers after each request (default on).
    void setPublishRequestFinished(bool on);

    // --- metrics ---------------------------------------------------------------------------------

    // Counter/gauge value, or histogram sum; nullopt when no sample with those label values exists.
    std::optional<double> metricValue(const std::string& family,
                                      const std::vector<std::string>& labelValues = {}) const;
    // Histogram observation count.
    std::optional<uint64_t> histogramCount(const std::string& family,
                                           const std::vector<std::string>& labelValues = {}) const;
    bool hasMetricFamily(const std::string& family) const;
    // Calls the C visitor exactly as an exporter would.
    void visitMetrics(valory_metric_visitor visitor, void* user) const;

    // --- logs ------------------------------------------------------------------------------------

    std::vector<LogEntry> logs() const;
    bool logContains(const std::string& needle) const;
    void clearLogs();

    // --- raw API -------------------------------------------------------------------------------

    const valory_host_api* api() const;

  private:
    std::unique_ptr<FakeHostState> state_;
};

}  // namespace valory::testkit
