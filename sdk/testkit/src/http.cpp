// The fake host's HTTP surface: routes and static mounts (the registration half of valory_http_api)
// and FakeHost::request(), which routes one request as the real host does (see routing.hpp).
#include <algorithm>

#include "exchange.hpp"
#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

valory_status addRoute(valory_host* h, const char* method, const char* tmpl, valory_route_handler handler,
                       void* user, valory_route** out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string m = method ? method : "", t = tmpl ? tmpl : "";
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE,
                    "add_route(" + m + " " + t + ") outside start() by plugin " + r->id);
    if (!handler) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_route: handler is required");
    if (!detail::validMethod(m))
        return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                    "add_route: method must be an upper-case token, got \"" + m + "\"");
    if (m == "HEAD")
        return fail(err, VALORY_ERR_INVALID_ARGUMENT,
                    "add_route: HEAD is answered through GET; register GET");
    auto rec = std::make_shared<RouteRec>();
    std::string message;
    if (!detail::PathTemplate::parse(t, rec->parsed, message))
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "add_route: " + message);
    for (auto& x : st->routes)
        if (x->method == m && x->tmpl == t)
            return fail(err, VALORY_ERR_CONFLICT,
                        "route " + m + " " + t + " already registered by " + x->plugin);
    rec->owner = r;
    rec->plugin = r->id;
    rec->method = m;
    rec->tmpl = t;
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

void jsonError(FakeResponseData& resp, int status, const std::string& code, const std::string& message) {
    resp.status = status;
    resp.headers.clear();
    resp.headers.emplace_back("Content-Type", "application/json");
    resp.body = nlohmann::json{{"error", code}, {"message", message}}.dump();
}

/// Fills what a handler reads: decoded path, query and cookies, and their C views.
std::unique_ptr<FakeRequestData> prepare(const Request& spec, std::string& rawPath, std::string& rawQuery) {
    auto data = std::make_unique<FakeRequestData>();
    data->spec = spec;
    const size_t q = spec.target.find('?');
    rawPath = spec.target.substr(0, q);
    rawQuery = q == std::string::npos ? "" : spec.target.substr(q + 1);
    data->path = detail::percentDecode(rawPath);
    data->query = detail::parseQuery(rawQuery);
    for (auto& [k, v] : spec.headers)
        if (iequals(k, "Cookie")) detail::parseCookies(v, data->cookies);
    for (auto& [k, v] : data->query) data->queryKv.push_back(valory_kv{str(k), str(v)});
    for (auto& [k, v] : data->spec.headers) data->headerKv.push_back(valory_kv{str(k), str(v)});
    for (auto& [k, v] : data->cookies) data->cookieKv.push_back(valory_kv{str(k), str(v)});
    return data;
}

}  // namespace

valory_http_api makeHttpApi() {
    valory_http_api hp{};
    hp.struct_size = sizeof(valory_http_api);
    hp.add_route = addRoute;
    hp.remove_route = removeRoute;
    hp.add_static_mount = addStaticMount;
    addExchangeFunctions(hp);
    return hp;
}

Response FakeHost::request(const std::string& method, const std::string& target, const Headers& headers,
                           const std::string& body) {
    Request r;
    r.method = method;
    r.target = target;
    r.headers = headers;
    r.body = body;
    return request(r);
}

Response FakeHost::request(const Request& spec) {
    std::string rawPath, rawQuery;
    auto data = prepare(spec, rawPath, rawQuery);
    const std::string& method = spec.method;
    const bool head = method == "HEAD";
    const std::string wanted = head ? "GET" : method;
    const auto path = detail::RequestPath::split(rawPath);

    // As the host's Router::handle: the most specific template of the method wins; the methods of
    // every template that matches make the 405's Allow; a path that only matches in its other
    // trailing-slash form (and no rest template) is redirected there.
    std::shared_ptr<RouteRec> match;
    std::vector<std::string> allowed;
    bool otherFormMatches = false;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& r : state_->routes) {
            if (!r->parsed.match(path, path.trailing, nullptr)) {
                if (!otherFormMatches && !r->parsed.hasRest() && rawPath.size() > 1 &&
                    r->parsed.match(path, !path.trailing, nullptr))
                    otherFormMatches = true;
                continue;
            }
            allowed.push_back(r->method);
            if (r->method == wanted && (!match || r->parsed.moreSpecificThan(match->parsed))) match = r;
        }
        if (match) match->parsed.match(path, path.trailing, &data->params);
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
        valory_status s = match->handler(match->user, toRequest(data.get()), toResponse(&resp), &err);
        if (s != VALORY_OK) {
            state_->log("", VALORY_LOG_ERROR,
                        "route " + match->method + " " + match->tmpl + " of plugin " + match->plugin +
                            " failed (" + statusName(s) + "): " + err.message);
            jsonError(resp, 500, "internal", err.message[0] ? err.message : "internal error");
        }
        if (head) resp.body.clear();
    } else if (!allowed.empty()) {
        std::sort(allowed.begin(), allowed.end());
        allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
        if (std::find(allowed.begin(), allowed.end(), "GET") != allowed.end()) allowed.push_back("HEAD");
        std::string allow;
        for (auto& a : allowed) allow += (allow.empty() ? "" : ", ") + a;
        jsonError(resp, 405, "method_not_allowed", "method " + method + " is not allowed for " + data->path);
        resp.headers.emplace_back("Allow", allow);
    } else if (otherFormMatches) {
        std::string location = path.trailing ? rawPath.substr(0, rawPath.size() - 1) : rawPath + "/";
        if (!rawQuery.empty()) location += "?" + rawQuery;
        jsonError(resp, 307, "redirect", "use " + location);
        resp.headers.emplace_back("Location", location);
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
        ev.method = str(spec.method);
        ev.route = str(out.route);
        ev.status = out.status;
        ev.duration_us = 1;
        ev.bytes_in = spec.body.size();
        ev.bytes_out = out.body.size();
        ev.client_address = str(spec.clientAddress);
        ev.plugin_id = str(out.pluginId);
        ev.request_id = str(spec.requestId);
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

}  // namespace valory::testkit
