// The in-process fake host (see valory/testkit/fake_host.hpp).
#include "valory/testkit/fake_host.hpp"

#include "valory/cpp/error.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace valory::testkit {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::string str(valory_str s) {
    return s.data ? std::string(s.data, s.size) : std::string();
}
valory_str view(const std::string& s) {
    return valory_str{s.data(), s.size()};
}

std::string percentDecode(std::string_view in, bool plusIsSpace) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%' && i + 2 < in.size()) {
            auto hex = [](char h) -> int {
                if (h >= '0' && h <= '9') return h - '0';
                if (h >= 'a' && h <= 'f') return h - 'a' + 10;
                if (h >= 'A' && h <= 'F') return h - 'A' + 10;
                return -1;
            };
            int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plusIsSpace && c == '+' ? ' ' : c);
    }
    return out;
}

std::vector<std::string> splitPath(std::string_view path) {
    std::vector<std::string> out;
    size_t i = 0;
    if (!path.empty() && path[0] == '/') i = 1;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        out.emplace_back(path.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

// Status names: the SDK wrapper's, so the fake host and plugins say the same words.
using ::valory::sdk::statusName;

// get_proc has no host argument: answers come from a process-wide table fed by every FakeHost.
std::mutex gProcMutex;
std::map<std::string, const void*>& procTable() {
    static std::map<std::string, const void*> table;
    return table;
}
const void* getProc(const char* name) {
    if (!name) return nullptr;
    std::lock_guard lock(gProcMutex);
    auto it = procTable().find(name);
    return it == procTable().end() ? nullptr : it->second;
}

std::atomic<uint64_t> gHostCounter{0};

}  // namespace

// ------------------------------------------------------------------------------------------------
// State
// ------------------------------------------------------------------------------------------------

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

valory_host* toHost(PluginRecord* r) {
    return reinterpret_cast<valory_host*>(r);
}
PluginRecord* toRec(valory_host* h) {
    return reinterpret_cast<PluginRecord*>(h);
}

struct RouteRec {
    PluginRecord* owner = nullptr;
    std::string plugin, method, tmpl;
    std::vector<std::string> segments;
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

struct FakeRequestData {
    Request spec;
    std::string path, route;
    std::vector<std::pair<std::string, std::string>> params, query, cookies;
    std::vector<valory_kv> queryKv, headerKv, cookieKv;
};

struct FakeResponseData {
    int status = 200;
    Headers headers;
    std::string body;
    std::string file;
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

    void log(const std::string& plugin, valory_log_level level, std::string message) {
        std::lock_guard lock(mutex);
        if (verbose)
            std::fprintf(stderr, "[testkit] %s: %s\n", plugin.empty() ? "host" : plugin.c_str(),
                         message.c_str());
        logs.push_back(LogEntry{plugin, level, std::move(message)});
    }

    bool mayRegister(PluginRecord* r) const {
        return r->phase == Phase::Starting || r->phase == Phase::Started;
    }

    void deliver(valory_event_type type, const void* event) {
        std::vector<std::shared_ptr<SubRec>> targets;
        {
            std::lock_guard lock(mutex);
            for (auto& s : subs)
                if (s->type == type) targets.push_back(s);
        }
        for (auto& s : targets) s->fn(s->user, type, event);
    }

    // Removes everything `r` registered or holds (after stop or a failed start).
    void cleanup(PluginRecord* r) {
        std::lock_guard lock(mutex);
        auto countRemoved = [&](auto& vec) {
            size_t before = vec.size();
            vec.erase(std::remove_if(vec.begin(), vec.end(), [&](const auto& x) { return x->owner == r; }),
                      vec.end());
            return before - vec.size();
        };
        countRemoved(routes);
        countRemoved(subs);
        countRemoved(jobs);
        mounts.erase(std::remove_if(mounts.begin(), mounts.end(),
                                    [&](const StaticMountInfo& m) { return m.plugin == r->id; }),
                     mounts.end());
        size_t leftRefs = 0;
        for (auto it = refs.begin(); it != refs.end();) {
            if ((*it)->holder == r) {
                --(*it)->service->holders;
                it = refs.erase(it);
                ++leftRefs;
            } else {
                ++it;
            }
        }
        if (leftRefs)
            log("", VALORY_LOG_WARNING,
                "plugin " + r->id + " left " + std::to_string(leftRefs) +
                    " service acquisition(s) unreleased");
        for (auto& s : services)
            if (s->owner == r && s->holders)
                log("", VALORY_LOG_WARNING,
                    "plugin " + r->id + " stops while " + std::to_string(s->holders) + " holder(s) of " +
                        s->name + " remain (the real host stops consumers first)");
        countRemoved(services);
    }
};

// ------------------------------------------------------------------------------------------------
// C callbacks
// ------------------------------------------------------------------------------------------------
namespace {

valory_status fail(valory_error* err, valory_status s, const std::string& msg) {
    return valory_fail(err, s, msg.c_str());
}

// log
void logWrite(valory_host* h, valory_log_level level, valory_str message) {
    auto* r = toRec(h);
    if (level < r->state->minLevel) return;
    r->state->log(r->id, level, str(message));
}
int32_t logEnabled(valory_host* h, valory_log_level level) {
    return level >= toRec(h)->state->minLevel ? 1 : 0;
}

// config
valory_str settingsJson(valory_host* h) {
    return view(toRec(h)->settings);
}
valory_str dataDir(valory_host* h) {
    auto* r = toRec(h);
    std::error_code ec;
    std::filesystem::create_directories(r->dataDir, ec);
    return view(r->dataDir);
}
valory_str hostInfo(valory_host* h, const char* key) {
    auto* r = toRec(h);
    std::lock_guard lock(r->state->mutex);
    std::string k = key ? key : "";
    std::string value;
    if (k == "plugin.id")
        value = r->id;
    else if (auto it = r->state->info.find(k); it != r->state->info.end())
        value = it->second;
    else if (k == "host.version")
        value = "fake";
    else if (k == "host.instance_id")
        value = "fake-" + std::to_string(r->state->hostNumber);
    return view(r->infoCache[k] = value);
}

// services
valory_status registerService(valory_host* h, const char* name, uint32_t major, uint32_t minor,
                              const void* vtable, void* self, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string n = name ? name : "";
    if (n.empty() || !vtable)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "register_service: empty name or NULL vtable");
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "register_service(" + n + ") outside start() by plugin " + r->id);
    if (!r->mayProvide.count({n, major}))
        return fail(err, VALORY_ERR_UNDECLARED,
                    "plugin " + r->id + " registers " + n + "/" + std::to_string(major) +
                        " not listed in its manifest's provides");
    for (auto& s : st->services)
        if (s->name == n && s->major == major)
            return fail(err, VALORY_ERR_CONFLICT,
                        n + "/" + std::to_string(major) + " is already provided by " + s->provider);
    auto rec = std::make_shared<ServiceRec>();
    rec->owner = r;
    rec->provider = r->id;
    rec->name = n;
    rec->major = major;
    rec->minor = minor;
    rec->vtable = vtable;
    rec->self = self;
    st->services.push_back(rec);
    return VALORY_OK;
}

valory_status unregisterService(valory_host* h, const char* name, uint32_t major, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string n = name ? name : "";
    for (auto it = st->services.begin(); it != st->services.end(); ++it) {
        if ((*it)->name == n && (*it)->major == major && (*it)->owner == r) {
            st->services.erase(it);
            return VALORY_OK;
        }
    }
    return fail(err, VALORY_ERR_NOT_FOUND,
                "plugin " + r->id + " does not provide " + n + "/" + std::to_string(major));
}

valory_status acquire(valory_host* h, const char* name, uint32_t major, uint32_t minMinor,
                      valory_service_ref** ref, valory_service* out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string n = name ? name : "";
    if (!ref || !out) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "acquire: NULL ref or out");
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "acquire(" + n + ") outside start() by plugin " + r->id);
    if (!r->mayAcquire.count({n, major}))
        return fail(err, VALORY_ERR_UNDECLARED,
                    "plugin " + r->id + " acquires " + n + "/" + std::to_string(major) +
                        " not declared in its manifest's requires or optional");
    for (auto& s : st->services) {
        if (s->name != n || s->major != major) continue;
        if (s->minor < minMinor)
            return fail(err, VALORY_ERR_VERSION,
                        n + "/" + std::to_string(major) + " offers minor " + std::to_string(s->minor) +
                            ", need >= " + std::to_string(minMinor));
        auto rr = std::make_unique<RefRec>();
        rr->holder = r;
        rr->service = s;
        ++s->holders;
        *ref = reinterpret_cast<valory_service_ref*>(rr.get());
        st->refs.push_back(std::move(rr));
        uint32_t size = out->struct_size ? out->struct_size : static_cast<uint32_t>(sizeof(valory_service));
        valory_service v{};
        v.struct_size = static_cast<uint32_t>(sizeof(valory_service));
        v.vtable = s->vtable;
        v.self = s->self;
        v.major = s->major;
        v.minor = s->minor;
        std::memcpy(out, &v, std::min<size_t>(size, sizeof v));
        return VALORY_OK;
    }
    return fail(err, VALORY_ERR_NOT_FOUND,
                "no provider of " + n + "/" + std::to_string(major) + " is running");
}

void release(valory_host* h, valory_service_ref* ref) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    auto* target = reinterpret_cast<RefRec*>(ref);
    for (auto it = st->refs.begin(); it != st->refs.end(); ++it) {
        if (it->get() == target) {
            --(*it)->service->holders;
            st->refs.erase(it);
            return;
        }
    }
}

// http: routing
valory_status addRoute(valory_host* h, const char* method, const char* tmpl, valory_route_handler handler,
                       void* user, valory_route** out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string m = method ? method : "", t = tmpl ? tmpl : "";
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE,
                    "add_route(" + m + " " + t + ") outside start() by plugin " + r->id);
    if (m.empty() || t.empty() || t[0] != '/' || !handler)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                    "add_route: bad method, template or handler: " + m + " " + t);
    auto segs = splitPath(t);
    for (size_t i = 0; i < segs.size(); ++i) {
        const auto& s = segs[i];
        if (s.find('{') != std::string::npos || s.find('}') != std::string::npos) {
            if (s.size() < 3 || s.front() != '{' || s.back() != '}')
                return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                            "add_route: bad template segment '" + s + "' in " + t);
            if (s[s.size() - 2] == '*' && i + 1 != segs.size())
                return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                            "add_route: {rest*} must be the last segment in " + t);
        }
    }
    for (auto& x : st->routes)
        if (x->method == m && x->tmpl == t)
            return fail(err, VALORY_ERR_CONFLICT,
                        "route " + m + " " + t + " already registered by " + x->plugin);
    auto rec = std::make_shared<RouteRec>();
    rec->owner = r;
    rec->plugin = r->id;
    rec->method = m;
    rec->tmpl = t;
    rec->segments = std::move(segs);
    rec->handler = handler;
    rec->user = user;
    if (out) *out = reinterpret_cast<valory_route*>(rec.get());
    st->routes.push_back(std::move(rec));
    return VALORY_OK;
}

valory_status removeRoute(valory_host* h, valory_route* route, valory_error* err) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    for (auto it = st->routes.begin(); it != st->routes.end(); ++it) {
        if (reinterpret_cast<valory_route*>(it->get()) == route) {
            st->routes.erase(it);  // in-flight calls keep their shared_ptr
            return VALORY_OK;
        }
    }
    return fail(err, VALORY_ERR_NOT_FOUND, "remove_route: unknown route");
}

valory_status addStaticMount(valory_host* h, const char* prefix, const char* dir, uint32_t flags,
                             valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "add_static_mount outside start() by plugin " + r->id);
    if (!prefix || prefix[0] != '/' || !dir)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_static_mount: bad prefix or directory");
    st->mounts.push_back(StaticMountInfo{r->id, prefix, dir, flags});
    return VALORY_OK;
}

// http: request
const FakeRequestData* rq(const valory_request* q) {
    return reinterpret_cast<const FakeRequestData*>(q);
}
FakeResponseData* rs(valory_response* p) {
    return reinterpret_cast<FakeResponseData*>(p);
}

valory_str reqMethod(const valory_request* q) {
    return view(rq(q)->spec.method);
}
valory_str reqTarget(const valory_request* q) {
    return view(rq(q)->spec.target);
}
valory_str reqPath(const valory_request* q) {
    return view(rq(q)->path);
}
valory_str reqRoute(const valory_request* q) {
    return view(rq(q)->route);
}
valory_str pathParam(const valory_request* q, const char* name, int32_t* found) {
    for (auto& [k, v] : rq(q)->params)
        if (name && k == name) {
            if (found) *found = 1;
            return view(v);
        }
    if (found) *found = 0;
    return valory_str{nullptr, 0};
}
size_t queryParams(const valory_request* q, const valory_kv** out) {
    if (out) *out = rq(q)->queryKv.data();
    return rq(q)->queryKv.size();
}
size_t headersFn(const valory_request* q, const valory_kv** out) {
    if (out) *out = rq(q)->headerKv.data();
    return rq(q)->headerKv.size();
}
valory_str header(const valory_request* q, const char* name, int32_t* found) {
    for (auto& [k, v] : rq(q)->spec.headers)
        if (name && iequals(k, name)) {
            if (found) *found = 1;
            return view(v);
        }
    if (found) *found = 0;
    return valory_str{nullptr, 0};
}
size_t cookies(const valory_request* q, const valory_kv** out) {
    if (out) *out = rq(q)->cookieKv.data();
    return rq(q)->cookieKv.size();
}
valory_str body(const valory_request* q) {
    return view(rq(q)->spec.body);
}
valory_str peerAddress(const valory_request* q) {
    return view(rq(q)->spec.peerAddress);
}
valory_str clientAddress(const valory_request* q) {
    return view(rq(q)->spec.clientAddress);
}
valory_str scheme(const valory_request* q) {
    return view(rq(q)->spec.scheme);
}
valory_str hostFn(const valory_request* q) {
    return view(rq(q)->spec.host);
}
valory_str requestId(const valory_request* q) {
    return view(rq(q)->spec.requestId);
}

// http: response
void setStatus(valory_response* p, int32_t status) {
    rs(p)->status = status;
}
void setHeader(valory_response* p, valory_str name, valory_str value) {
    auto& hs = rs(p)->headers;
    std::string n = str(name);
    hs.erase(std::remove_if(hs.begin(), hs.end(), [&](const auto& kv) { return iequals(kv.first, n); }),
             hs.end());
    hs.emplace_back(n, str(value));
}
void addHeader(valory_response* p, valory_str name, valory_str value) {
    rs(p)->headers.emplace_back(str(name), str(value));
}
void appendBody(valory_response* p, valory_str data) {
    rs(p)->body.append(data.data ? data.data : "", data.size);
}
valory_status sendFile(valory_response* p, const char* path, const char* contentType, valory_error* err) {
    std::ifstream in(path ? path : "", std::ios::binary);
    if (!in)
        return fail(err, VALORY_ERR_NOT_FOUND,
                    std::string("send_file: cannot open ") + (path ? path : "(null)"));
    std::ostringstream ss;
    ss << in.rdbuf();
    rs(p)->body = ss.str();
    rs(p)->file = path;
    std::string ct = contentType ? contentType : "application/octet-stream";
    setHeader(p, valory_str_from("Content-Type"), view(ct));
    return VALORY_OK;
}
valory_status unsupported(valory_response*, valory_error* err) {
    return fail(err, VALORY_ERR_UNSUPPORTED, "deferred responses are not implemented by ABI 1.0 hosts");
}
valory_status streamWrite(valory_response*, valory_str, valory_error* err) {
    return fail(err, VALORY_ERR_UNSUPPORTED, "streaming responses are not implemented by ABI 1.0 hosts");
}

// events
valory_status subscribe(valory_host* h, valory_event_type type, valory_event_fn fn, void* user,
                        valory_subscription** out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "subscribe outside start() by plugin " + r->id);
    if (!fn || type < VALORY_EVENT_REQUEST_FINISHED || type > VALORY_EVENT_CUSTOM)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "subscribe: bad event type or NULL callback");
    auto s = std::make_shared<SubRec>();
    s->owner = r;
    s->type = type;
    s->fn = fn;
    s->user = user;
    if (out) *out = reinterpret_cast<valory_subscription*>(s.get());
    st->subs.push_back(std::move(s));
    return VALORY_OK;
}
void unsubscribe(valory_host* h, valory_subscription* sub) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    st->subs.erase(
        std::remove_if(st->subs.begin(), st->subs.end(),
                       [&](const auto& s) { return reinterpret_cast<valory_subscription*>(s.get()) == sub; }),
        st->subs.end());
}
valory_status publish(valory_host* h, valory_str name, valory_str payload, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    if (name.size == 0) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "publish: empty event name");
    {
        std::lock_guard lock(st->mutex);
        st->publishedEvents.push_back(PublishedEvent{r->id, str(name), str(payload)});
    }
    valory_custom_event ev{};
    ev.struct_size = sizeof ev;
    ev.publisher = view(r->id);
    ev.name = name;
    ev.payload_json = payload;
    st->deliver(VALORY_EVENT_CUSTOM, &ev);
    return VALORY_OK;
}

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
    for (size_t i = 0; i < count; ++i) key.push_back(str(labels[i]));
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

void visitState(const FakeHostState* st, valory_metric_visitor visitor, void* user) {
    std::lock_guard lock(st->mutex);
    for (auto& fp : st->families) {
        auto& f = *fp;
        std::vector<valory_str> names;
        for (auto& l : f.labels) names.push_back(view(l));
        for (auto& [key, s] : f.samples) {
            std::vector<valory_str> values;
            for (auto& k : key) values.push_back(view(k));
            std::vector<uint64_t> cumulative;
            uint64_t acc = 0;
            for (auto c : s.buckets) cumulative.push_back(acc += c);
            valory_metric_sample m{};
            m.struct_size = sizeof m;
            m.family = view(f.name);
            m.help = view(f.help);
            m.kind = f.kind;
            m.label_names = names.data();
            m.label_values = values.data();
            m.label_count = names.size();
            m.value = s.value;
            m.count = s.count;
            m.buckets = f.buckets.data();
            m.bucket_counts = cumulative.empty() ? nullptr : cumulative.data();
            m.bucket_count = f.kind == VALORY_METRIC_HISTOGRAM ? f.buckets.size() : 0;
            m.owner = view(f.owner);
            visitor(user, &m);
        }
    }
}
void visit(valory_host* h, valory_metric_visitor visitor, void* user) {
    visitState(toRec(h)->state, visitor, user);
}

// scheduler
valory_status addJob(valory_host* h, const valory_job_def* def, valory_job** out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    if (!st->mayRegister(r)) return fail(err, VALORY_ERR_STATE, "add_job outside start() by plugin " + r->id);
    if (!def || !def->name || !def->fn || def->interval_ms == 0)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_job: NULL name/fn or zero interval");
    for (auto& j : st->jobs)
        if (j->owner == r && j->info.name == def->name)
            return fail(err, VALORY_ERR_CONFLICT,
                        std::string("job ") + def->name + " already exists in plugin " + r->id);
    auto j = std::make_shared<JobRec>();
    j->owner = r;
    j->info = JobInfo{r->id, def->name, def->interval_ms, def->jitter_ms, def->flags, 0};
    j->fn = def->fn;
    j->user = def->user;
    if (out) *out = reinterpret_cast<valory_job*>(j.get());
    st->jobs.push_back(std::move(j));
    return VALORY_OK;
}
valory_status cancelJob(valory_host* h, valory_job* job, uint64_t, valory_error* err) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    for (auto it = st->jobs.begin(); it != st->jobs.end(); ++it)
        if (reinterpret_cast<valory_job*>(it->get()) == job) {
            st->jobs.erase(it);
            return VALORY_OK;
        }
    return fail(err, VALORY_ERR_NOT_FOUND, "cancel_job: unknown job");
}
valory_status triggerJob(valory_host* h, valory_job* job, valory_error* err) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    for (auto& j : st->jobs)
        if (reinterpret_cast<valory_job*>(j.get()) == job) {
            ++j->info.triggers;
            return VALORY_OK;
        }
    return fail(err, VALORY_ERR_NOT_FOUND, "trigger_job: unknown job");
}

void addDeclared(const nlohmann::json& manifest, const char* key,
                 std::set<std::pair<std::string, uint32_t>>& out) {
    auto it = manifest.find(key);
    if (it == manifest.end() || !it->is_array()) return;
    for (auto& e : *it) {
        if (!e.is_object() || !e.contains("service")) continue;
        out.emplace(e["service"].get<std::string>(), e.value("major", 1u));
    }
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Response helpers
// ------------------------------------------------------------------------------------------------

std::optional<std::string> Response::header(const std::string& name) const {
    for (auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return std::nullopt;
}

std::vector<std::string> Response::headerAll(const std::string& name) const {
    std::vector<std::string> out;
    for (auto& [k, v] : headers)
        if (iequals(k, name)) out.push_back(v);
    return out;
}

// ------------------------------------------------------------------------------------------------
// FakeHost
// ------------------------------------------------------------------------------------------------

FakeHost::FakeHost() : state_(std::make_unique<FakeHostState>()) {
    auto& s = *state_;
    s.hostNumber = ++gHostCounter;
    s.tempRoot = std::filesystem::temp_directory_path() /
                 ("valory-testkit-" + std::to_string(::getpid()) + "-" + std::to_string(s.hostNumber));

    s.logApi = valory_log_api{sizeof(valory_log_api), logWrite, logEnabled};
    s.configApi = valory_config_api{sizeof(valory_config_api), settingsJson, dataDir, hostInfo};
    s.serviceApi =
        valory_service_api{sizeof(valory_service_api), registerService, unregisterService, acquire, release};
    auto& hp = s.httpApi;
    hp.struct_size = sizeof(valory_http_api);
    hp.add_route = addRoute;
    hp.remove_route = removeRoute;
    hp.add_static_mount = addStaticMount;
    hp.request_method = reqMethod;
    hp.request_target = reqTarget;
    hp.request_path = reqPath;
    hp.request_route = reqRoute;
    hp.path_param = pathParam;
    hp.query_params = queryParams;
    hp.headers = headersFn;
    hp.header = header;
    hp.cookies = cookies;
    hp.body = body;
    hp.peer_address = peerAddress;
    hp.client_address = clientAddress;
    hp.scheme = scheme;
    hp.host = hostFn;
    hp.request_id = requestId;
    hp.set_status = setStatus;
    hp.set_header = setHeader;
    hp.add_header = addHeader;
    hp.append_body = appendBody;
    hp.send_file = sendFile;
    hp.defer = unsupported;
    hp.complete = unsupported;
    hp.stream_write = streamWrite;
    s.eventApi = valory_event_api{sizeof(valory_event_api), subscribe, unsubscribe, publish};
    s.metricsApi = valory_metrics_api{
        sizeof(valory_metrics_api), defineFamily, counterAdd, gaugeSet, gaugeAdd, histogramObserve, visit};
    s.schedulerApi = valory_scheduler_api{sizeof(valory_scheduler_api), addJob, cancelJob, triggerJob};
    s.api.struct_size = sizeof(valory_host_api);
    s.api.abi_major = VALORY_ABI_MAJOR;
    s.api.abi_minor = VALORY_ABI_MINOR;
    s.api.log = &s.logApi;
    s.api.config = &s.configApi;
    s.api.services = &s.serviceApi;
    s.api.http = &s.httpApi;
    s.api.events = &s.eventApi;
    s.api.metrics = &s.metricsApi;
    s.api.scheduler = &s.schedulerApi;
    s.api.get_proc = getProc;
}

FakeHost::~FakeHost() {
    std::vector<std::shared_ptr<PluginRecord>> plugins;
    {
        std::lock_guard lock(state_->mutex);
        plugins = state_->plugins;
    }
    for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) {
        PluginHandle h(state_.get(), *it);
        h.destroy();
        h.rec_.reset();
    }
    {
        std::lock_guard lock(gProcMutex);
        for (auto& n : state_->procNames) procTable().erase(n);
    }
    std::error_code ec;
    std::filesystem::remove_all(state_->tempRoot, ec);
}

const valory_host_api* FakeHost::api() const {
    return &state_->api;
}

void FakeHost::provideService(const std::string& name, uint32_t major, uint32_t minor, const void* vtable,
                              void* self) {
    std::lock_guard lock(state_->mutex);
    for (auto& s : state_->services)
        if (s->name == name && s->major == major)
            throw std::logic_error("FakeHost::provideService: " + name + "/" + std::to_string(major) +
                                   " already provided");
    auto rec = std::make_shared<ServiceRec>();
    rec->provider = "host";
    rec->name = name;
    rec->major = major;
    rec->minor = minor;
    rec->vtable = vtable;
    rec->self = self;
    state_->services.push_back(std::move(rec));
}

void FakeHost::setProc(const std::string& name, const void* proc) {
    std::lock_guard lock(gProcMutex);
    procTable()[name] = proc;
    state_->procNames.push_back(name);
}

void FakeHost::setInfo(const std::string& key, const std::string& value) {
    std::lock_guard lock(state_->mutex);
    state_->info[key] = value;
}

void FakeHost::setLogLevel(valory_log_level level) {
    state_->minLevel = level;
}

std::string FakeHost::readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("FakeHost::readFile: cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

PluginHandle FakeHost::load(const valory_plugin_descriptor* descriptor, const std::string& manifestJson,
                            const std::string& settingsJson, const LoadOptions& options) {
    PluginHandle h;
    std::string error;
    valory_status s = tryLoad(&h, descriptor, manifestJson, settingsJson, options, &error);
    if (s != VALORY_OK) throw LifecycleError(s, error);
    return h;
}

valory_status FakeHost::tryLoad(PluginHandle* out, const valory_plugin_descriptor* descriptor,
                                const std::string& manifestJson, const std::string& settingsJson,
                                const LoadOptions& options, std::string* error) {
    auto setError = [&](valory_status s, const std::string& msg) {
        if (error) *error = msg;
        state_->log("", VALORY_LOG_ERROR, msg);
        return s;
    };
    if (!out) return setError(VALORY_ERR_INVALID_ARGUMENT, "tryLoad: NULL out");
    *out = PluginHandle();
    if (!descriptor) return setError(VALORY_ERR_INVALID_ARGUMENT, "load: NULL descriptor");
    auto rec = std::make_shared<PluginRecord>();
    rec->state = state_.get();
    std::memcpy(&rec->desc, descriptor,
                std::min<size_t>(descriptor->struct_size ? descriptor->struct_size : sizeof(uint32_t),
                                 sizeof(rec->desc)));
    auto& d = rec->desc;
    std::string did = d.id ? d.id : "";
    if (d.abi_major != VALORY_ABI_MAJOR || d.abi_minor > VALORY_ABI_MINOR)
        return setError(VALORY_ERR_VERSION,
                        "plugin " + did + ": descriptor ABI " + std::to_string(d.abi_major) + "." +
                            std::to_string(d.abi_minor) + ", host " + std::to_string(VALORY_ABI_MAJOR) + "." +
                            std::to_string(VALORY_ABI_MINOR));
    if (!d.create || !d.start || !d.stop || !d.destroy)
        return setError(VALORY_ERR_INVALID_ARGUMENT,
                        "plugin " + did + ": descriptor lacks create/start/stop/destroy");
    try {
        rec->manifest = nlohmann::json::parse(manifestJson, nullptr, true, true);
    } catch (const std::exception& e) {
        return setError(VALORY_ERR_INVALID_ARGUMENT, "plugin " + did + ": manifest is not JSON: " + e.what());
    }
    if (!rec->manifest.is_object() || rec->manifest.value("id", std::string()) != did)
        return setError(VALORY_ERR_INVALID_ARGUMENT,
                        "plugin " + did + ": descriptor id '" + did + "' differs from manifest id '" +
                            (rec->manifest.is_object() ? rec->manifest.value("id", std::string()) : "") +
                            "'");
    rec->id = did;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& p : state_->plugins)
            if (p->id == did) return setError(VALORY_ERR_CONFLICT, "plugin " + did + ": duplicate id");
    }
    addDeclared(rec->manifest, "requires", rec->mayAcquire);
    addDeclared(rec->manifest, "optional", rec->mayAcquire);
    addDeclared(rec->manifest, "provides", rec->mayProvide);

    nlohmann::json settings;
    try {
        settings = nlohmann::json::parse(settingsJson.empty() ? std::string("{}") : settingsJson, nullptr,
                                         true, true);
    } catch (const std::exception& e) {
        return setError(VALORY_ERR_INVALID_ARGUMENT,
                        "plugin " + did + ": settings are not JSON: " + e.what());
    }
    if (options.applySchemaDefaults && settings.is_object() && rec->manifest.contains("config_schema")) {
        auto& schema = rec->manifest["config_schema"];
        if (schema.is_object() && schema.contains("properties") && schema["properties"].is_object())
            for (auto& [k, prop] : schema["properties"].items())
                if (!settings.contains(k) && prop.is_object() && prop.contains("default"))
                    settings[k] = prop["default"];
    }
    rec->settings = settings.dump();
    rec->dataDir = (state_->tempRoot / did).string();
    rec->commandPlugin = options.commandPlugin;
    rec->commandName = options.commandName;
    rec->commandArgs = options.commandArgs;
    for (auto& a : rec->commandArgs) rec->commandArgViews.push_back(view(a));

    valory_create_args args{};
    args.struct_size = sizeof args;
    args.run_mode = options.runMode;
    args.settings_json = view(rec->settings);
    args.command_plugin = view(rec->commandPlugin);
    args.command_name = view(rec->commandName);
    args.command_args = rec->commandArgViews.data();
    args.command_arg_count = rec->commandArgViews.size();
    valory_error err;
    valory_error_init(&err);
    void* instance = nullptr;
    valory_status s = d.create(&state_->api, toHost(rec.get()), &args, &instance, &err);
    if (s != VALORY_OK)
        return setError(s, "plugin " + did + ": create failed (" + statusName(s) + "): " + err.message);
    rec->instance = instance;
    {
        std::lock_guard lock(state_->mutex);
        state_->plugins.push_back(rec);
    }
    *out = PluginHandle(state_.get(), rec);
    return VALORY_OK;
}

// --- HTTP ---------------------------------------------------------------------------------------

Response FakeHost::request(const std::string& method, const std::string& target, const Headers& headers,
                           const std::string& body) {
    Request r;
    r.method = method;
    r.target = target;
    r.headers = headers;
    r.body = body;
    return request(r);
}

namespace {
bool matchRoute(const RouteRec& route, const std::vector<std::string>& segs,
                std::vector<std::pair<std::string, std::string>>* params) {
    params->clear();
    for (size_t i = 0; i < route.segments.size(); ++i) {
        const auto& t = route.segments[i];
        bool isParam = t.size() >= 3 && t.front() == '{' && t.back() == '}';
        if (isParam && t[t.size() - 2] == '*') {
            std::string rest;
            for (size_t j = i; j < segs.size(); ++j) rest += (j > i ? "/" : "") + segs[j];
            params->emplace_back(t.substr(1, t.size() - 3), rest);
            return true;
        }
        if (i >= segs.size()) return false;
        if (isParam) {
            if (segs[i].empty()) return false;
            params->emplace_back(t.substr(1, t.size() - 2), segs[i]);
        } else if (t != segs[i]) {
            return false;
        }
    }
    return segs.size() == route.segments.size();
}

void jsonError(FakeResponseData& resp, int status, const std::string& code, const std::string& message) {
    resp.status = status;
    resp.headers.clear();
    resp.headers.emplace_back("Content-Type", "application/json");
    resp.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
}
}  // namespace

Response FakeHost::request(const Request& spec) {
    auto data = std::make_unique<FakeRequestData>();
    data->spec = spec;
    std::string rawPath = spec.target.substr(0, spec.target.find('?'));
    std::string rawQuery =
        spec.target.find('?') == std::string::npos ? "" : spec.target.substr(spec.target.find('?') + 1);
    data->path = percentDecode(rawPath, false);
    if (!rawQuery.empty()) {
        size_t i = 0;
        while (i <= rawQuery.size()) {
            size_t j = rawQuery.find('&', i);
            if (j == std::string::npos) j = rawQuery.size();
            std::string part = rawQuery.substr(i, j - i);
            if (!part.empty()) {
                size_t eq = part.find('=');
                data->query.emplace_back(
                    percentDecode(part.substr(0, eq), true),
                    eq == std::string::npos ? "" : percentDecode(part.substr(eq + 1), true));
            }
            i = j + 1;
        }
    }
    for (auto& [k, v] : spec.headers) {
        if (!iequals(k, "Cookie")) continue;
        std::stringstream ss(v);
        std::string item;
        while (std::getline(ss, item, ';')) {
            size_t eq = item.find('=');
            if (eq == std::string::npos) continue;
            data->cookies.emplace_back(trim(item.substr(0, eq)), trim(item.substr(eq + 1)));
        }
    }
    for (auto& [k, v] : data->query) data->queryKv.push_back(valory_kv{view(k), view(v)});
    for (auto& [k, v] : data->spec.headers) data->headerKv.push_back(valory_kv{view(k), view(v)});
    for (auto& [k, v] : data->cookies) data->cookieKv.push_back(valory_kv{view(k), view(v)});

    std::string method = spec.method;
    bool head = method == "HEAD";
    std::string lookupMethod = head ? "GET" : method;
    auto segs = splitPath(data->path);

    std::shared_ptr<RouteRec> match;
    std::vector<std::string> allowed;
    std::string redirect;
    {
        std::lock_guard lock(state_->mutex);
        std::vector<std::pair<std::string, std::string>> params;
        for (auto& r : state_->routes) {
            if (!matchRoute(*r, segs, &params)) continue;
            allowed.push_back(r->method);
            if (r->method == lookupMethod && !match) {
                match = r;
                data->params = params;
            }
        }
        if (!match && allowed.empty() && data->path.size() > 1) {
            // Trailing-slash rule: the other form gets a 307 to the registered one.
            std::string other =
                data->path.back() == '/' ? data->path.substr(0, data->path.size() - 1) : data->path + "/";
            auto otherSegs = splitPath(other);
            for (auto& r : state_->routes)
                if (r->method == lookupMethod && matchRoute(*r, otherSegs, &params)) {
                    redirect = other + (rawQuery.empty() ? "" : "?" + rawQuery);
                    break;
                }
        }
    }

    FakeResponseData resp;
    Response out;
    out.route = "<unmatched>";
    if (match) {
        data->route = match->tmpl;
        out.route = match->tmpl;
        out.pluginId = match->plugin;
        valory_error err;
        valory_error_init(&err);
        valory_status s = match->handler(match->user, reinterpret_cast<const valory_request*>(data.get()),
                                         reinterpret_cast<valory_response*>(&resp), &err);
        if (s != VALORY_OK) {
            state_->log("", VALORY_LOG_ERROR,
                        "route " + match->method + " " + match->tmpl + " of plugin " + match->plugin +
                            " failed (" + statusName(s) + "): " + err.message);
            jsonError(resp, 500, "internal", err.message[0] ? err.message : "internal error");
        }
        if (head) resp.body.clear();
    } else if (!redirect.empty()) {
        resp.status = 307;
        resp.headers.emplace_back("Location", redirect);
    } else if (!allowed.empty()) {
        std::sort(allowed.begin(), allowed.end());
        allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
        if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
        std::string allow;
        for (auto& a : allowed) allow += (allow.empty() ? "" : ", ") + a;
        jsonError(resp, 405, "method_not_allowed", "method " + method + " not allowed for " + data->path);
        resp.headers.emplace_back("Allow", allow);
    } else {
        jsonError(resp, 404, "not_found", "no route for " + method + " " + data->path);
    }
    out.status = resp.status;
    out.headers = std::move(resp.headers);
    out.body = std::move(resp.body);
    out.sentFile = std::move(resp.file);

    if (state_->publishRequestFinished) {
        valory_request_finished_event ev{};
        ev.struct_size = sizeof ev;
        ev.method = view(spec.method);
        ev.route = view(out.route);
        ev.status = out.status;
        ev.duration_us = 1;
        ev.bytes_in = spec.body.size();
        ev.bytes_out = out.body.size();
        ev.client_address = view(spec.clientAddress);
        ev.plugin_id = view(out.pluginId);
        ev.request_id = view(spec.requestId);
        state_->deliver(VALORY_EVENT_REQUEST_FINISHED, &ev);
    }
    return out;
}

std::vector<RouteInfo> FakeHost::routes() const {
    std::lock_guard lock(state_->mutex);
    std::vector<RouteInfo> out;
    for (auto& r : state_->routes) out.push_back(RouteInfo{r->plugin, r->method, r->tmpl});
    return out;
}

std::vector<StaticMountInfo> FakeHost::staticMounts() const {
    std::lock_guard lock(state_->mutex);
    return state_->mounts;
}

// --- services -----------------------------------------------------------------------------------

std::optional<FakeHost::Acquired> FakeHost::service(const std::string& name, uint32_t major,
                                                    uint32_t minMinor) const {
    std::lock_guard lock(state_->mutex);
    for (auto& s : state_->services)
        if (s->name == name && s->major == major && s->minor >= minMinor) {
            Acquired a;
            a.service.struct_size = sizeof(valory_service);
            a.service.vtable = s->vtable;
            a.service.self = s->self;
            a.service.major = s->major;
            a.service.minor = s->minor;
            return a;
        }
    return std::nullopt;
}

std::vector<ServiceInfo> FakeHost::services() const {
    std::lock_guard lock(state_->mutex);
    std::vector<ServiceInfo> out;
    for (auto& s : state_->services)
        out.push_back(ServiceInfo{s->provider, s->name, s->major, s->minor, s->holders});
    return out;
}

// --- scheduler ----------------------------------------------------------------------------------

std::vector<JobInfo> FakeHost::jobs() const {
    std::lock_guard lock(state_->mutex);
    std::vector<JobInfo> out;
    for (auto& j : state_->jobs) out.push_back(j->info);
    return out;
}

bool FakeHost::hasJob(const std::string& name) const {
    std::lock_guard lock(state_->mutex);
    return std::any_of(state_->jobs.begin(), state_->jobs.end(),
                       [&](const auto& j) { return j->info.name == name; });
}

valory_status FakeHost::runJob(const std::string& name, std::string* error) {
    std::shared_ptr<JobRec> job;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& j : state_->jobs)
            if (j->info.name == name) {
                job = j;
                break;
            }
    }
    if (!job) throw std::out_of_range("FakeHost::runJob: no job named " + name);
    valory_error err;
    valory_error_init(&err);
    valory_status s = job->fn(job->user, &err);
    if (error) *error = s == VALORY_OK ? std::string() : std::string(err.message);
    valory_job_finished_event ev{};
    ev.struct_size = sizeof ev;
    ev.plugin_id = view(job->info.plugin);
    ev.job_name = view(job->info.name);
    ev.status = s;
    ev.duration_us = 1;
    std::string msg = err.message;
    ev.message = view(msg);
    state_->deliver(VALORY_EVENT_JOB_FINISHED, &ev);
    return s;
}

// --- events -------------------------------------------------------------------------------------

std::vector<PublishedEvent> FakeHost::published() const {
    std::lock_guard lock(state_->mutex);
    return state_->publishedEvents;
}

void FakeHost::emit(valory_event_type type, const void* event) {
    state_->deliver(type, event);
}

size_t FakeHost::subscriberCount(valory_event_type type) const {
    std::lock_guard lock(state_->mutex);
    return static_cast<size_t>(std::count_if(state_->subs.begin(), state_->subs.end(),
                                             [&](const auto& s) { return s->type == type; }));
}

void FakeHost::setPublishRequestFinished(bool on) {
    state_->publishRequestFinished = on;
}

// --- metrics ------------------------------------------------------------------------------------

namespace {
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
    visitState(state_.get(), visitor, user);
}

// --- logs ---------------------------------------------------------------------------------------

std::vector<LogEntry> FakeHost::logs() const {
    std::lock_guard lock(state_->mutex);
    return state_->logs;
}

bool FakeHost::logContains(const std::string& needle) const {
    std::lock_guard lock(state_->mutex);
    return std::any_of(state_->logs.begin(), state_->logs.end(),
                       [&](const LogEntry& e) { return e.message.find(needle) != std::string::npos; });
}

void FakeHost::clearLogs() {
    std::lock_guard lock(state_->mutex);
    state_->logs.clear();
}

// ------------------------------------------------------------------------------------------------
// PluginHandle
// ------------------------------------------------------------------------------------------------

PluginHandle::PluginHandle(PluginHandle&& o) noexcept : state_(o.state_), rec_(std::move(o.rec_)) {
    o.state_ = nullptr;
}

PluginHandle& PluginHandle::operator=(PluginHandle&& o) noexcept {
    if (this != &o) {
        destroy();
        state_ = o.state_;
        rec_ = std::move(o.rec_);
        o.state_ = nullptr;
    }
    return *this;
}

PluginHandle::~PluginHandle() {
    destroy();
}

const std::string& PluginHandle::id() const {
    static const std::string empty;
    return rec_ ? rec_->id : empty;
}

bool PluginHandle::started() const {
    return rec_ && rec_->phase == Phase::Started;
}
const std::string& PluginHandle::lastError() const {
    static const std::string empty;
    return rec_ ? rec_->lastError : empty;
}
const valory_plugin_descriptor* PluginHandle::descriptor() const {
    return rec_ ? &rec_->desc : nullptr;
}
void* PluginHandle::instance() const {
    return rec_ ? rec_->instance : nullptr;
}
valory_host* PluginHandle::hostHandle() const {
    return rec_ ? toHost(rec_.get()) : nullptr;
}

valory_status PluginHandle::tryStart() {
    if (!rec_ || rec_->phase == Phase::Destroyed)
        throw std::logic_error("PluginHandle::start on an empty handle");
    if (rec_->phase == Phase::Started) return VALORY_OK;
    rec_->phase = Phase::Starting;
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.start(rec_->instance, &err);
    if (s != VALORY_OK) {
        rec_->lastError =
            std::string("plugin ") + rec_->id + ": start failed (" + statusName(s) + "): " + err.message;
        state_->log("", VALORY_LOG_ERROR, rec_->lastError);
        rec_->phase = Phase::Stopped;  // as the real host: remove what was registered; destroy() follows
        state_->cleanup(rec_.get());
        return s;
    }
    rec_->lastError.clear();
    rec_->phase = Phase::Started;
    return VALORY_OK;
}

void PluginHandle::start() {
    valory_status s = tryStart();
    if (s != VALORY_OK) throw LifecycleError(s, rec_->lastError);
}

valory_status PluginHandle::tryStop() {
    if (!rec_ || rec_->phase != Phase::Started) return VALORY_OK;
    rec_->phase = Phase::Stopping;
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.stop(rec_->instance, &err);
    if (s != VALORY_OK) {
        rec_->lastError =
            std::string("plugin ") + rec_->id + ": stop failed (" + statusName(s) + "): " + err.message;
        state_->log("", VALORY_LOG_WARNING, rec_->lastError);
    }
    rec_->phase = Phase::Stopped;
    state_->cleanup(rec_.get());
    return s;
}

void PluginHandle::stop() {
    valory_status s = tryStop();
    if (s != VALORY_OK) throw LifecycleError(s, rec_->lastError);
}

void PluginHandle::destroy() {
    if (!rec_ || rec_->phase == Phase::Destroyed) return;
    tryStop();
    state_->cleanup(rec_.get());
    rec_->desc.destroy(rec_->instance);
    rec_->instance = nullptr;
    rec_->phase = Phase::Destroyed;
    std::lock_guard lock(state_->mutex);
    auto& ps = state_->plugins;
    ps.erase(std::remove(ps.begin(), ps.end(), rec_), ps.end());
}

valory_health_state PluginHandle::health(nlohmann::json* detail) {
    if (!rec_ || !rec_->desc.health)
        throw LifecycleError(VALORY_ERR_UNSUPPORTED, "plugin " + id() + " has no health slot");
    std::string text;
    valory_writer w{sizeof(valory_writer), &text, [](void* ctx, const char* data, size_t size) {
                        static_cast<std::string*>(ctx)->append(data, size);
                    }};
    valory_health_state s = rec_->desc.health(rec_->instance, &w);
    if (detail) *detail = text.empty() ? nlohmann::json() : nlohmann::json::parse(text);
    return s;
}

valory_status PluginHandle::reconfigure(const nlohmann::json& settings) {
    if (!rec_ || !rec_->desc.reconfigure)
        throw LifecycleError(VALORY_ERR_UNSUPPORTED, "plugin " + id() + " has no reconfigure slot");
    std::string text = settings.dump();
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.reconfigure(rec_->instance, view(text), &err);
    if (s != VALORY_OK && s != VALORY_ERR_NEEDS_RESTART)
        throw LifecycleError(s, "plugin " + id() + ": reconfigure failed: " + err.message);
    if (s == VALORY_OK) rec_->settings = text;
    return s;
}

std::string PluginHandle::command(const std::string& name, const std::vector<std::string>& args) {
    if (!rec_ || !rec_->desc.command)
        throw LifecycleError(VALORY_ERR_UNSUPPORTED, "plugin " + id() + " has no command slot");
    std::vector<valory_str> views;
    for (auto& a : args) views.push_back(view(a));
    std::string text;
    valory_writer w{sizeof(valory_writer), &text, [](void* ctx, const char* data, size_t size) {
                        static_cast<std::string*>(ctx)->append(data, size);
                    }};
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.command(rec_->instance, view(name), views.data(), views.size(), &w, &err);
    if (s != VALORY_OK)
        throw LifecycleError(s, "plugin " + id() + ": command " + name + " failed: " + err.message);
    return text;
}

}  // namespace valory::testkit
