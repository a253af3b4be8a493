#include "plugins/host_api.hpp"

#include "config/secret_masker.hpp"
#include "events.hpp"
#include "http/http_exchange.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "metrics_registry.hpp"
#include "plugins/service_registry.hpp"
#include "scheduler.hpp"
#include "strings.hpp"

#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace valory::host {

namespace {

valory_status fail(valory_error* err, valory_status status, const std::string& message) {
    return valory_fail(err, status, message.c_str());
}

Poco::Logger& loggerOf(valory_host* self) {
    return self && self->logger ? *self->logger : Poco::Logger::get("host");
}

// --- log ---------------------------------------------------------------------------------------

void logWrite(valory_host* self, valory_log_level level, valory_str message) {
    try {
        Poco::Logger& logger = loggerOf(self);
        const int prio = pocoPriority(level);
        if (logger.getLevel() < prio) return;
        logger.log(
            Poco::Message(logger.name(), toString(message), static_cast<Poco::Message::Priority>(prio)));
    } catch (...) {
        // Logging must never throw into a plugin; there is nowhere left to report this.
    }
}

int32_t logEnabled(valory_host* self, valory_log_level level) {
    return loggerOf(self).getLevel() >= pocoPriority(level) ? 1 : 0;
}

const valory_log_api kLog = {sizeof(valory_log_api), logWrite, logEnabled};

// --- config ------------------------------------------------------------------------------------

valory_str settingsJson(valory_host* self) {
    return self ? str(self->settingsJson) : valory_str{"{}", 2};
}

valory_str dataDir(valory_host* self) {
    if (!self) return valory_str{nullptr, 0};
    std::error_code ec;
    std::filesystem::create_directories(self->dataDir, ec);
    if (ec) loggerOf(self).warning("cannot create data dir " + self->dataDir + ": " + ec.message());
    return str(self->dataDir);
}

valory_str hostInfo(valory_host* self, const char* key) {
    if (!self || !key) return valory_str{"", 0};
    const std::string k = key;
    if (k == "plugin.id") return str(self->id);
    if (k == "plugin.dir") return str(self->pluginDir);
    if (self->context) {
        auto it = self->context->info.find(k);
        if (it != self->context->info.end()) return str(it->second);
    }
    return valory_str{"", 0};
}

const valory_config_api kConfig = {sizeof(valory_config_api), settingsJson, dataDir, hostInfo};

// --- services ----------------------------------------------------------------------------------

valory_status registerService(valory_host* self, const char* name, uint32_t major, uint32_t minor,
                              const void* vtable, void* serviceSelf, valory_error* err) {
    if (!self || !name) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "register_service: name is required");
    if (self->manifest && !self->manifest->declaresProvision(name, major))
        return fail(err, VALORY_ERR_UNDECLARED,
                    "plugin '" + self->id + "' registers service '" + name + "/" + std::to_string(major) +
                        "' that its manifest does not list in provides");
    std::string message;
    valory_status st =
        self->context->services->registerService(self->id, name, major, minor, vtable, serviceSelf, message);
    if (st != VALORY_OK) return fail(err, st, message);
    loggerOf(self).debug(std::string("provides service ") + name + "/" + std::to_string(major) + "." +
                         std::to_string(minor));
    return VALORY_OK;
}

valory_status unregisterService(valory_host* self, const char* name, uint32_t major, valory_error* err) {
    if (!self || !name) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "unregister_service: name is required");
    std::string message;
    valory_status st = self->context->services->unregisterService(self->id, name, major, message);
    return st == VALORY_OK ? VALORY_OK : fail(err, st, message);
}

valory_status acquire(valory_host* self, const char* name, uint32_t major, uint32_t minMinor,
                      valory_service_ref** ref, valory_service* out, valory_error* err) {
    if (!self || !name) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "acquire: name is required");
    if (self->manifest && !self->manifest->declaresDependency(name, major)) {
        const std::string message = "plugin '" + self->id + "' acquire of undeclared service '" + name + "/" +
                                    std::to_string(major) +
                                    "' refused (declare it in plugin.json requires or optional)";
        loggerOf(self).warning(message);
        return fail(err, VALORY_ERR_UNDECLARED, message);
    }
    std::string message;
    valory_status st = self->context->services->acquire(self->id, name, major, minMinor, ref, out, message);
    return st == VALORY_OK ? VALORY_OK : fail(err, st, message);
}

void release(valory_host* self, valory_service_ref* ref) {
    if (self && self->context) self->context->services->release(ref);
}

const valory_service_api kServices = {sizeof(valory_service_api), registerService, unregisterService, acquire,
                                      release};

// --- http --------------------------------------------------------------------------------------

valory_status addRoute(valory_host* self, const char* method, const char* pathTemplate,
                       valory_route_handler handler, void* user, valory_route** out, valory_error* err) {
    if (!self || !method || !pathTemplate)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_route: method and path template are required");
    std::string message;
    valory_status st =
        self->context->router->addRoute(self->id, method, pathTemplate, handler, user, out, message);
    return st == VALORY_OK ? VALORY_OK : fail(err, st, message);
}

valory_status removeRoute(valory_host* self, valory_route* route, valory_error* err) {
    if (!self || !route) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "remove_route: route is required");
    std::string message;
    valory_status st = self->context->router->removeRoute(self->id, route, message);
    return st == VALORY_OK ? VALORY_OK : fail(err, st, message);
}

valory_status addStaticMount(valory_host* self, const char* prefix, const char* directory, uint32_t flags,
                             valory_error* err) {
    if (!self || !prefix || !directory)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_static_mount: prefix and directory are required");
    std::filesystem::path dir(directory);
    if (dir.is_relative()) dir = std::filesystem::path(self->pluginDir) / dir;
    std::string message;
    valory_status st = self->context->router->addStaticMount(self->id, prefix,
                                                             dir.lexically_normal().string(), flags, message);
    return st == VALORY_OK ? VALORY_OK : fail(err, st, message);
}

valory_str requestMethod(const valory_request* r) {
    return str(r->method);
}
valory_str requestTarget(const valory_request* r) {
    return str(r->target);
}
valory_str requestPath(const valory_request* r) {
    return str(r->path);
}
valory_str requestRoute(const valory_request* r) {
    return str(r->route);
}

valory_str pathParam(const valory_request* r, const char* name, int32_t* found) {
    if (found) *found = 0;
    if (!name) return valory_str{nullptr, 0};
    for (const auto& [k, v] : r->params)
        if (k == name) {
            if (found) *found = 1;
            return str(v);
        }
    return valory_str{nullptr, 0};
}

void buildKv(const std::vector<std::pair<std::string, std::string>>& store, std::vector<valory_kv>& kv) {
    kv.clear();
    kv.reserve(store.size());
    for (const auto& [k, v] : store) kv.push_back(valory_kv{str(k), str(v)});
}

size_t queryParams(const valory_request* r, const valory_kv** out) {
    if (!r->queryBuilt) {
        r->queryStore = parseQuery(r->rawQuery);
        buildKv(r->queryStore, r->queryKv);
        r->queryBuilt = true;
    }
    if (out) *out = r->queryKv.empty() ? nullptr : r->queryKv.data();
    return r->queryKv.size();
}

size_t headers(const valory_request* r, const valory_kv** out) {
    if (!r->headersBuilt) {
        if (r->headerSource)
            for (const auto& [k, v] : *r->headerSource) r->headerStore.emplace_back(k, v);
        buildKv(r->headerStore, r->headerKv);
        r->headersBuilt = true;
    }
    if (out) *out = r->headerKv.empty() ? nullptr : r->headerKv.data();
    return r->headerKv.size();
}

valory_str header(const valory_request* r, const char* name, int32_t* found) {
    if (found) *found = 0;
    if (!name || !r->headerSource) return valory_str{nullptr, 0};
    auto it = r->headerSource->find(name);
    if (it == r->headerSource->end()) return valory_str{nullptr, 0};
    if (found) *found = 1;
    return str(it->second);  // the collection outlives the handler call
}

size_t cookies(const valory_request* r, const valory_kv** out) {
    if (!r->cookiesBuilt) {
        if (r->headerSource)
            for (const auto& [k, v] : *r->headerSource)
                if (iequals(k, "Cookie")) parseCookies(v, r->cookieStore);
        buildKv(r->cookieStore, r->cookieKv);
        r->cookiesBuilt = true;
    }
    if (out) *out = r->cookieKv.empty() ? nullptr : r->cookieKv.data();
    return r->cookieKv.size();
}

valory_str body(const valory_request* r) {
    return str(r->body);
}
valory_str peerAddress(const valory_request* r) {
    return str(r->peer);
}
valory_str clientAddress(const valory_request* r) {
    return str(r->client);
}
valory_str scheme(const valory_request* r) {
    return str(r->scheme);
}
valory_str hostName(const valory_request* r) {
    return str(r->hostName);
}
valory_str requestId(const valory_request* r) {
    return str(r->requestId);
}

void setStatus(valory_response* resp, int32_t status) {
    if (status >= 100 && status <= 999) resp->status = status;
}
void setHeader(valory_response* resp, valory_str name, valory_str value) {
    resp->setHeader(toString(name), toString(value));
}
void addHeader(valory_response* resp, valory_str name, valory_str value) {
    resp->addHeader(toString(name), toString(value));
}
void appendBody(valory_response* resp, valory_str data) {
    if (data.data && data.size) resp->body.append(data.data, data.size);
}

valory_status sendFile(valory_response* resp, const char* path, const char* contentType, valory_error* err) {
    if (!path) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "send_file: path is required");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fail(err, VALORY_ERR_NOT_FOUND, std::string("send_file: cannot open ") + path);
    std::ifstream probe(path, std::ios::binary);
    if (!probe) return fail(err, VALORY_ERR_NOT_FOUND, std::string("send_file: cannot open ") + path);
    resp->filePath = path;
    resp->fileContentType = contentType && *contentType ? contentType : StaticFiles::contentTypeFor(path);
    resp->body.clear();
    return VALORY_OK;
}

valory_status unsupported(valory_response*, valory_error* err) {
    return fail(err, VALORY_ERR_UNSUPPORTED, "deferred responses are not implemented by this host (ABI 1.0)");
}
valory_status streamWrite(valory_response*, valory_str, valory_error* err) {
    return fail(err, VALORY_ERR_UNSUPPORTED,
                "streaming responses are not implemented by this host (ABI 1.0)");
}

const valory_http_api kHttp = {sizeof(valory_http_api),
                               addRoute,
                               removeRoute,
                               addStaticMount,
                               requestMethod,
                               requestTarget,
                               requestPath,
                               requestRoute,
                               pathParam,
                               queryParams,
                               headers,
                               header,
                               cookies,
                               body,
                               peerAddress,
                               clientAddress,
                               scheme,
                               hostName,
                               requestId,
                               setStatus,
                               setHeader,
                               addHeader,
                               appendBody,
                               sendFile,
                               unsupported,
                               unsupported,
                               streamWrite};

// --- events ------------------------------------------------------------------------------------

valory_status subscribe(valory_host* self, valory_event_type type, valory_event_fn fn, void* user,
                        valory_subscription** out, valory_error* err) {
    if (!self || !fn) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "subscribe: callback is required");
    valory_subscription* sub = self->context->events->subscribe(self->id, type, fn, user);
    if (!sub)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                    "subscribe: unknown event type " + std::to_string(type));
    if (out) *out = sub;
    return VALORY_OK;
}

void unsubscribe(valory_host* self, valory_subscription* sub) {
    if (self && self->context) self->context->events->unsubscribe(sub);
}

valory_status publish(valory_host* self, valory_str name, valory_str payload, valory_error* err) {
    if (!self) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "publish: host handle is required");
    if (!self->context->events->hasSubscribers(VALORY_EVENT_CUSTOM)) return VALORY_OK;
    valory_custom_event ev{};
    ev.struct_size = sizeof ev;
    ev.publisher = str(self->id);
    ev.name = name;
    ev.payload_json = payload;
    self->context->events->publish(VALORY_EVENT_CUSTOM, &ev);
    return VALORY_OK;
}

const valory_event_api kEvents = {sizeof(valory_event_api), subscribe, unsubscribe, publish};

// --- metrics -----------------------------------------------------------------------------------

valory_status defineFamily(valory_host* self, const valory_metric_family_def* def, uint32_t* outId,
                           valory_error* err) {
    if (!self || !def || !def->name || !outId)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                    "define_family: definition, name and out id are required");
    MetricsRegistry::FamilyDef d;
    d.kind = def->kind;
    d.name = def->name;
    d.help = def->help ? def->help : "";
    for (size_t i = 0; i < def->label_count; ++i) {
        if (!def->label_names || !def->label_names[i])
            return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                        "define_family: label name " + std::to_string(i) + " is NULL");
        d.labelNames.emplace_back(def->label_names[i]);
    }
    if (def->kind == VALORY_METRIC_HISTOGRAM && def->buckets)
        d.buckets.assign(def->buckets, def->buckets + def->bucket_count);
    std::string message;
    valory_status st = self->context->metrics->define(self->id, d, *outId, message);
    return st == VALORY_OK ? VALORY_OK : fail(err, st, message);
}

void counterAdd(valory_host* self, uint32_t family, const valory_str* labels, size_t count, double delta) {
    if (self) self->context->metrics->counterAdd(family, labels, count, delta);
}
void gaugeSet(valory_host* self, uint32_t family, const valory_str* labels, size_t count, double value) {
    if (self) self->context->metrics->gaugeSet(family, labels, count, value);
}
void gaugeAdd(valory_host* self, uint32_t family, const valory_str* labels, size_t count, double delta) {
    if (self) self->context->metrics->gaugeAdd(family, labels, count, delta);
}
void histogramObserve(valory_host* self, uint32_t family, const valory_str* labels, size_t count,
                      double value) {
    if (self) self->context->metrics->histogramObserve(family, labels, count, value);
}
void visit(valory_host* self, valory_metric_visitor visitor, void* user) {
    if (self) self->context->metrics->visit(visitor, user);
}

const valory_metrics_api kMetrics = {sizeof(valory_metrics_api), defineFamily, counterAdd, gaugeSet, gaugeAdd,
                                     histogramObserve,           visit};

// --- scheduler ---------------------------------------------------------------------------------

valory_status addJob(valory_host* self, const valory_job_def* def, valory_job** out, valory_error* err) {
    if (!self || !def) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_job: definition is required");
    if (def->flags & VALORY_JOB_CLUSTER_ONCE)
        return fail(err, VALORY_ERR_UNSUPPORTED,
                    "add_job: VALORY_JOB_CLUSTER_ONCE is reserved (no lock service yet)");
    std::string message;
    valory_job* job = self->context->scheduler->add(self->id, *def, message);
    if (!job) return fail(err, VALORY_ERR_INVALID_ARGUMENT, message);
    if (out) *out = job;
    return VALORY_OK;
}

valory_status cancelJob(valory_host* self, valory_job* job, uint64_t deadlineMs, valory_error* err) {
    if (!self || !job) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "cancel_job: job is required");
    if (!self->context->scheduler->cancel(job, std::chrono::milliseconds(deadlineMs)))
        return fail(err, VALORY_ERR_TIMEOUT, "cancel_job: the job is still running after the deadline");
    return VALORY_OK;
}

valory_status triggerJob(valory_host* self, valory_job* job, valory_error* err) {
    if (!self || !job) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "trigger_job: job is required");
    valory_status st = self->context->scheduler->trigger(job);
    if (st == VALORY_ERR_STATE)
        return fail(err, st, "trigger_job: the scheduler is not running (check or command mode)");
    if (st != VALORY_OK) return fail(err, st, "trigger_job: no such job");
    return VALORY_OK;
}

const valory_scheduler_api kScheduler = {sizeof(valory_scheduler_api), addJob, cancelJob, triggerJob};

// --- get_proc ----------------------------------------------------------------------------------

const void* getProc(const char* name) {
    if (!name) return nullptr;
    struct Entry {
        const char* name;
        const void* fn;
    };
#define VALORY_PROC(table, member, var) \
    { #table "." #member "@1.0", reinterpret_cast < const void*>(var.member) }
    static const Entry kEntries[] = {
        VALORY_PROC(valory_log_api, write, kLog),
        VALORY_PROC(valory_log_api, enabled, kLog),
        VALORY_PROC(valory_config_api, settings_json, kConfig),
        VALORY_PROC(valory_config_api, data_dir, kConfig),
        VALORY_PROC(valory_config_api, host_info, kConfig),
        VALORY_PROC(valory_service_api, register_service, kServices),
        VALORY_PROC(valory_service_api, unregister_service, kServices),
        VALORY_PROC(valory_service_api, acquire, kServices),
        VALORY_PROC(valory_service_api, release, kServices),
        VALORY_PROC(valory_http_api, add_route, kHttp),
        VALORY_PROC(valory_http_api, remove_route, kHttp),
        VALORY_PROC(valory_http_api, add_static_mount, kHttp),
        VALORY_PROC(valory_http_api, send_file, kHttp),
        VALORY_PROC(valory_event_api, subscribe, kEvents),
        VALORY_PROC(valory_event_api, unsubscribe, kEvents),
        VALORY_PROC(valory_event_api, publish, kEvents),
        VALORY_PROC(valory_metrics_api, define_family, kMetrics),
        VALORY_PROC(valory_metrics_api, visit, kMetrics),
        VALORY_PROC(valory_scheduler_api, add_job, kScheduler),
        VALORY_PROC(valory_scheduler_api, cancel_job, kScheduler),
        VALORY_PROC(valory_scheduler_api, trigger_job, kScheduler),
    };
#undef VALORY_PROC
    for (const auto& e : kEntries)
        if (std::strcmp(e.name, name) == 0) return e.fn;
    return nullptr;
}

const valory_host_api kHostApi = {sizeof(valory_host_api),
                                  VALORY_ABI_MAJOR,
                                  VALORY_ABI_MINOR,
                                  &kLog,
                                  &kConfig,
                                  &kServices,
                                  &kHttp,
                                  &kEvents,
                                  &kMetrics,
                                  &kScheduler,
                                  getProc};

}  // namespace

int pocoPriority(valory_log_level level) {
    switch (level) {
        case VALORY_LOG_TRACE:
            return Poco::Message::PRIO_TRACE;
        case VALORY_LOG_DEBUG:
            return Poco::Message::PRIO_DEBUG;
        case VALORY_LOG_INFO:
            return Poco::Message::PRIO_INFORMATION;
        case VALORY_LOG_WARNING:
            return Poco::Message::PRIO_WARNING;
        case VALORY_LOG_ERROR:
            return Poco::Message::PRIO_ERROR;
        case VALORY_LOG_CRITICAL:
            return Poco::Message::PRIO_CRITICAL;
        default:
            return Poco::Message::PRIO_INFORMATION;
    }
}

const valory_host_api* hostApi() {
    return &kHostApi;
}

}  // namespace valory::host
