// Valory SDK C++ wrapper: the host handle and RAII resources (services, routes, jobs,
// subscriptions, metrics, threads).
//
// Every resource created through a Host is tracked; the wrapper releases whatever is still alive
// right after the plugin's stop() returns, so member handles that outlive stop() become inert and
// never call into the host afterwards.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "valory/cpp/error.hpp"
#include "valory/cpp/http.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/plugin.h"

namespace valory::sdk {

// view(valory_str) -> std::string_view and str(std::string_view) -> valory_str: valory/cpp/strings.hpp.

namespace detail {

/// One tracked resource: release() runs at most once.
class Resource {
  public:
    virtual ~Resource() = default;
    void release() noexcept {
        std::lock_guard lock(mutex_);
        if (released_) return;
        released_ = true;
        doRelease();
    }
    bool released() const noexcept {
        std::lock_guard lock(mutex_);
        return released_;
    }

  protected:
    virtual void doRelease() noexcept = 0;

  private:
    mutable std::mutex mutex_;
    bool released_ = false;
};

/// Shared state behind every Host copy of one plugin.
struct HostState {
    const valory_host_api* api = nullptr;
    valory_host* handle = nullptr;
    std::mutex mutex;
    std::vector<std::weak_ptr<Resource>> resources;

    void track(const std::shared_ptr<Resource>& r) {
        std::lock_guard lock(mutex);
        std::erase_if(resources, [](const std::weak_ptr<Resource>& w) { return w.expired(); });
        resources.push_back(r);
    }
    /// Releases every live resource, newest first (stop(): routes before the services they use).
    void releaseAll() noexcept {
        std::vector<std::weak_ptr<Resource>> all;
        {
            std::lock_guard lock(mutex);
            all.swap(resources);
        }
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if (auto r = it->lock()) r->release();
    }
};

}  // namespace detail

/// RAII handle base: movable, releases on destruction.
template <class Res>
class Handle {
  public:
    Handle() = default;
    explicit Handle(std::shared_ptr<Res> r) : res_(std::move(r)) {}
    Handle(Handle&&) noexcept = default;
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            res_ = std::move(o.res_);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }
    void reset() noexcept {
        if (res_) res_->release();
        res_.reset();
    }
    explicit operator bool() const noexcept { return res_ && !res_->released(); }

  protected:
    std::shared_ptr<Res> res_;
};

namespace detail {
struct ServiceRes : Resource {
    std::shared_ptr<HostState> host;
    valory_service_ref* ref = nullptr;
    valory_service service{};
    void doRelease() noexcept override { host->api->services->release(host->handle, ref); }
};
struct RouteRes : Resource {
    std::shared_ptr<HostState> host;
    valory_route* route = nullptr;
    std::function<void(const Request&, Response&)> handler;
    void doRelease() noexcept override {
        valory_error err = makeError();
        host->api->http->remove_route(host->handle, route, &err);
    }
};
struct JobRes : Resource {
    std::shared_ptr<HostState> host;
    valory_job* job = nullptr;
    std::function<void()> body;
    std::chrono::milliseconds deadline{30000};
    void doRelease() noexcept override {
        valory_error err = makeError();
        host->api->scheduler->cancel_job(host->handle, job, static_cast<uint64_t>(deadline.count()), &err);
    }
};
struct SubscriptionRes : Resource {
    std::shared_ptr<HostState> host;
    valory_subscription* sub = nullptr;
    std::function<void(valory_event_type, const void*)> fn;
    void doRelease() noexcept override { host->api->events->unsubscribe(host->handle, sub); }
};
struct ProvidedServiceRes : Resource {
    std::shared_ptr<HostState> host;
    std::string name;
    uint32_t major = 0;
    void doRelease() noexcept override {
        valory_error err = makeError();
        host->api->services->unregister_service(host->handle, name.c_str(), major, &err);
    }
};
}  // namespace detail

/// An acquired service. vtable()/self() stay valid while the reference lives.
class ServiceRef : public Handle<detail::ServiceRes> {
  public:
    using Handle::Handle;
    const void* vtable() const noexcept { return res_->service.vtable; }
    void* self() const noexcept { return res_->service.self; }
    uint32_t minor() const noexcept { return res_->service.minor; }
    template <class V>
    const V* as() const noexcept {
        return static_cast<const V*>(res_->service.vtable);
    }
};
/// A registered route; removed (waiting for in-flight calls) on destruction.
class Route : public Handle<detail::RouteRes> {
    using Handle::Handle;
};
/// A scheduled job; cancelled on destruction.
class Job : public Handle<detail::JobRes> {
  public:
    using Handle::Handle;
    /// Asks the scheduler to run the job as soon as a worker is free.
    void trigger() const {
        valory_error err = makeError();
        check(res_->host->api->scheduler->trigger_job(res_->host->handle, res_->job, &err), err,
              "trigger job");
    }
};
/// An event subscription; removed on destruction.
class Subscription : public Handle<detail::SubscriptionRes> {
    using Handle::Handle;
};
/// A service this plugin provides; unregistered on destruction.
class ProvidedService : public Handle<detail::ProvidedServiceRes> {
    using Handle::Handle;
};

/// A metric family handle; recording is thread-safe and cheap (no allocation up to 8 labels).
class Metric {
  public:
    Metric() = default;
    Metric(const valory_host_api* api, valory_host* host, uint32_t id) : api_(api), host_(host), id_(id) {}
    uint32_t id() const noexcept { return id_; }

  protected:
    template <class Fn>
    void record(std::initializer_list<std::string_view> labels, Fn&& fn) const {
        if (!api_) return;
        std::array<valory_str, 8> values{};
        size_t n = 0;
        for (auto l : labels) {
            if (n == values.size()) break;
            values[n++] = str(l);
        }
        fn(values.data(), n);
    }
    const valory_host_api* api_ = nullptr;
    valory_host* host_ = nullptr;
    uint32_t id_ = 0;
};
class Counter : public Metric {
  public:
    using Metric::Metric;
    void add(double delta = 1, std::initializer_list<std::string_view> labels = {}) const {
        record(labels,
               [&](const valory_str* v, size_t n) { api_->metrics->counter_add(host_, id_, v, n, delta); });
    }
};
class Gauge : public Metric {
  public:
    using Metric::Metric;
    void set(double value, std::initializer_list<std::string_view> labels = {}) const {
        record(labels,
               [&](const valory_str* v, size_t n) { api_->metrics->gauge_set(host_, id_, v, n, value); });
    }
    void add(double delta, std::initializer_list<std::string_view> labels = {}) const {
        record(labels,
               [&](const valory_str* v, size_t n) { api_->metrics->gauge_add(host_, id_, v, n, delta); });
    }
};
class Histogram : public Metric {
  public:
    using Metric::Metric;
    void observe(double value, std::initializer_list<std::string_view> labels = {}) const {
        record(labels, [&](const valory_str* v, size_t n) {
            api_->metrics->histogram_observe(host_, id_, v, n, value);
        });
    }
};

/// The plugin's view of the host. Cheap to copy; all copies share one state.
class Host {
  public:
    Host() = default;
    Host(const valory_host_api* api, valory_host* handle) : s_(std::make_shared<detail::HostState>()) {
        s_->api = api;
        s_->handle = handle;
    }

    const valory_host_api* api() const noexcept { return s_->api; }
    valory_host* handle() const noexcept { return s_->handle; }

    // --- logging ------------------------------------------------------------------------------
    void log(valory_log_level level, std::string_view message) const noexcept {
        s_->api->log->write(s_->handle, level, str(message));
    }
    bool logEnabled(valory_log_level level) const noexcept {
        return s_->api->log->enabled(s_->handle, level) != 0;
    }
    void debug(std::string_view m) const noexcept { log(VALORY_LOG_DEBUG, m); }
    void info(std::string_view m) const noexcept { log(VALORY_LOG_INFO, m); }
    void warn(std::string_view m) const noexcept { log(VALORY_LOG_WARNING, m); }
    void error(std::string_view m) const noexcept { log(VALORY_LOG_ERROR, m); }

    // --- configuration ------------------------------------------------------------------------
    /// The validated settings (defaults filled, secrets resolved).
    nlohmann::json settings() const {
        auto text = view(s_->api->config->settings_json(s_->handle));
        return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
    }
    std::string dataDir() const { return std::string(view(s_->api->config->data_dir(s_->handle))); }
    /// Host facts by key ("host.version", "plugin.id", "plugin.dir", "http.public_url", ...).
    std::string hostInfo(const char* key) const {
        return std::string(view(s_->api->config->host_info(s_->handle, key)));
    }

    // --- services -----------------------------------------------------------------------------
    /// Acquires a declared service; throws Error (not_found, version, undeclared).
    ServiceRef acquire(const char* name, uint32_t major, uint32_t minMinor = 0) const {
        auto res = std::make_shared<detail::ServiceRes>();
        res->host = s_;
        res->service.struct_size = sizeof(valory_service);
        valory_error err = makeError();
        auto st =
            s_->api->services->acquire(s_->handle, name, major, minMinor, &res->ref, &res->service, &err);
        check(st, err, (std::string("acquire ") + name + "/" + std::to_string(major)).c_str());
        s_->track(res);
        return ServiceRef(std::move(res));
    }
    /// Like acquire(), but nullopt when the service is absent (optional dependencies).
    /// Still throws for undeclared or version errors: those are bugs, not absences.
    std::optional<ServiceRef> tryAcquire(const char* name, uint32_t major, uint32_t minMinor = 0) const {
        try {
            return acquire(name, major, minMinor);
        } catch (const Error& e) {
            if (e.status() == VALORY_ERR_NOT_FOUND || e.status() == VALORY_ERR_UNAVAILABLE)
                return std::nullopt;
            throw;
        }
    }
    /// Acquires the service behind a facade (sql::Database, Cache, HttpClient, Twitch, Riot, or any
    /// ServiceFacade) by the facade's own name and major; the facade owns the reference:
    ///   auto db = host().acquire<valory::sdk::sql::Database>();
    template <class Facade>
    Facade acquire(uint32_t minMinor = 0) const {
        return Facade(acquire(Facade::kName.data(), Facade::kMajor, minMinor));
    }
    /// Like acquire<Facade>(), but nullopt when the service is absent (optional dependencies).
    template <class Facade>
    std::optional<Facade> tryAcquire(uint32_t minMinor = 0) const {
        if (auto ref = tryAcquire(Facade::kName.data(), Facade::kMajor, minMinor))
            return Facade(std::move(*ref));
        return std::nullopt;
    }
    /// Registers a service (vtable and self must outlive it).
    ProvidedService provide(const char* name, uint32_t major, uint32_t minor, const void* vtable,
                            void* self) const {
        valory_error err = makeError();
        check(s_->api->services->register_service(s_->handle, name, major, minor, vtable, self, &err), err,
              (std::string("register ") + name + "/" + std::to_string(major)).c_str());
        auto res = std::make_shared<detail::ProvidedServiceRes>();
        res->host = s_;
        res->name = name;
        res->major = major;
        s_->track(res);
        return ProvidedService(std::move(res));
    }

    // --- HTTP ---------------------------------------------------------------------------------
    /// Adds a route. The handler runs on HTTP workers concurrently; an exception becomes a JSON
    /// error (HttpError: its status; anything else: 500), never a crash.
    Route route(const char* method, const char* pathTemplate,
                std::function<void(const Request&, Response&)> handler) const {
        auto res = std::make_shared<detail::RouteRes>();
        res->host = s_;
        res->handler = std::move(handler);
        valory_error err = makeError();
        check(s_->api->http->add_route(s_->handle, method, pathTemplate, &routeThunk, res.get(), &res->route,
                                       &err),
              err, (std::string("add route ") + method + " " + pathTemplate).c_str());
        s_->track(res);
        return Route(std::move(res));
    }
    void staticMount(const char* prefix, const std::string& directory, uint32_t flags = 0) const {
        valory_error err = makeError();
        check(s_->api->http->add_static_mount(s_->handle, prefix, directory.c_str(), flags, &err), err,
              (std::string("static mount ") + prefix).c_str());
    }

    // --- scheduler ----------------------------------------------------------------------------
    Job job(const char* name, std::chrono::milliseconds interval, std::chrono::milliseconds jitter,
            std::function<void()> body, uint32_t flags = 0) const {
        auto res = std::make_shared<detail::JobRes>();
        res->host = s_;
        res->body = std::move(body);
        valory_job_def def{};
        def.struct_size = sizeof(def);
        def.name = name;
        def.interval_ms = static_cast<uint64_t>(interval.count());
        def.jitter_ms = static_cast<uint64_t>(jitter.count());
        def.flags = flags;
        def.fn = &jobThunk;
        def.user = res.get();
        valory_error err = makeError();
        check(s_->api->scheduler->add_job(s_->handle, &def, &res->job, &err), err,
              (std::string("add job ") + name).c_str());
        s_->track(res);
        return Job(std::move(res));
    }

    // --- events -------------------------------------------------------------------------------
    Subscription subscribe(valory_event_type type,
                           std::function<void(valory_event_type, const void*)> fn) const {
        auto res = std::make_shared<detail::SubscriptionRes>();
        res->host = s_;
        res->fn = std::move(fn);
        valory_error err = makeError();
        check(s_->api->events->subscribe(s_->handle, type, &eventThunk, res.get(), &res->sub, &err), err,
              "subscribe");
        s_->track(res);
        return Subscription(std::move(res));
    }
    void publish(std::string_view name, const nlohmann::json& payload) const {
        auto text = payload.dump();
        valory_error err = makeError();
        check(s_->api->events->publish(s_->handle, str(name), str(text), &err), err, "publish");
    }

    // --- metrics ------------------------------------------------------------------------------
    Counter counter(const char* name, const char* help,
                    std::initializer_list<const char*> labels = {}) const {
        return Counter(s_->api, s_->handle, define(VALORY_METRIC_COUNTER, name, help, labels, {}));
    }
    Gauge gauge(const char* name, const char* help, std::initializer_list<const char*> labels = {}) const {
        return Gauge(s_->api, s_->handle, define(VALORY_METRIC_GAUGE, name, help, labels, {}));
    }
    Histogram histogram(const char* name, const char* help, std::initializer_list<const char*> labels,
                        std::vector<double> buckets) const {
        return Histogram(s_->api, s_->handle, define(VALORY_METRIC_HISTOGRAM, name, help, labels, buckets));
    }

    /// Releases every resource created through this host (the wrapper calls it after stop()).
    void releaseAll() const noexcept {
        if (s_) s_->releaseAll();
    }

  private:
    uint32_t define(valory_metric_kind kind, const char* name, const char* help,
                    std::initializer_list<const char*> labels, const std::vector<double>& buckets) const {
        std::vector<const char*> names(labels);
        valory_metric_family_def def{};
        def.struct_size = sizeof(def);
        def.kind = kind;
        def.name = name;
        def.help = help;
        def.label_names = names.data();
        def.label_count = names.size();
        def.buckets = buckets.data();
        def.bucket_count = buckets.size();
        uint32_t id = 0;
        valory_error err = makeError();
        check(s_->api->metrics->define_family(s_->handle, &def, &id, &err), err,
              (std::string("define metric ") + name).c_str());
        return id;
    }

    static valory_status routeThunk(void* user, const valory_request* req, valory_response* resp,
                                    valory_error* err) noexcept {
        auto* res = static_cast<detail::RouteRes*>(user);
        const valory_http_api* http = res->host->api->http;
        return detail::runHandler(http, req, resp, err, res->handler);
    }
    static valory_status jobThunk(void* user, valory_error* err) noexcept {
        auto* res = static_cast<detail::JobRes*>(user);
        return guarded(err, [&] { res->body(); });
    }
    static void eventThunk(void* user, valory_event_type type, const void* event) noexcept {
        auto* res = static_cast<detail::SubscriptionRes*>(user);
        valory_error err = makeError();
        auto st = guarded(&err, [&] { res->fn(type, event); });
        if (st != VALORY_OK) {
            std::string msg = "event subscriber failed: ";
            msg += err.message;
            res->host->api->log->write(res->host->handle, VALORY_LOG_ERROR, str(msg));
        }
    }

    std::shared_ptr<detail::HostState> s_;
};

/// A thread whose body's exceptions are caught and logged through the host (never std::terminate).
class Thread {
  public:
    Thread() = default;
    template <class F>
    Thread(Host host, std::string name, F&& body)
        : thread_([host, name = std::move(name), body = std::forward<F>(body)]() mutable {
              valory_error err = makeError();
              if (guarded(&err, body) != VALORY_OK)
                  host.error("thread '" + name + "' ended with an error: " + err.message);
          }) {}
    Thread(Thread&&) noexcept = default;
    Thread& operator=(Thread&& o) noexcept {
        join();
        thread_ = std::move(o.thread_);
        return *this;
    }
    ~Thread() { join(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    bool joinable() const noexcept { return thread_.joinable(); }

  private:
    std::thread thread_;
};

}  // namespace valory::sdk
