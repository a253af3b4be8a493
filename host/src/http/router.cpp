#include "http/router.hpp"

#include "config/secret_masker.hpp"
#include "errors.hpp"
#include "http/static_files.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace valory::host {

namespace {
/// The route whose handler runs on this thread right now, if any.
thread_local const valory_route* tlsHandling = nullptr;
}  // namespace

namespace {

bool validParamName(const std::string& n) {
    static const std::regex re("^[A-Za-z_][A-Za-z0-9_]*$");
    return std::regex_match(n, re);
}

bool validMethod(const std::string& m) {
    if (m.empty() || m.size() > 20) return false;
    return std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

/// Splits "/a/b%2Fc/" into decoded {"a", "b/c"} + trailing slash.
void splitPath(const std::string& rawPath, std::vector<std::string>& segs, bool& trailing) {
    segs.clear();
    trailing = rawPath.size() > 1 && rawPath.back() == '/';
    std::size_t pos = 1;
    const std::size_t end = trailing ? rawPath.size() - 1 : rawPath.size();
    if (rawPath.size() <= 1) return;
    while (pos <= end) {
        std::size_t slash = rawPath.find('/', pos);
        if (slash == std::string::npos || slash > end) slash = end;
        segs.push_back(percentDecode(std::string_view(rawPath).substr(pos, slash - pos)));
        pos = slash + 1;
    }
}

/// Lexicographic specificity: literal < param < rest, segment by segment (smaller wins).
bool moreSpecific(const PathTemplate& a, const PathTemplate& b) {
    const std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i)
        if (a.segments[i].kind != b.segments[i].kind) return a.segments[i].kind < b.segments[i].kind;
    return a.segments.size() > b.segments.size();
}

std::string formatSeconds(std::chrono::nanoseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", std::chrono::duration<double>(d).count());
    return buf;
}

}  // namespace

bool PathTemplate::parse(const std::string& text, PathTemplate& out, std::string& message) {
    out = PathTemplate{};
    if (text.empty() || text.front() != '/') {
        message = "path template must start with '/': \"" + text + "\"";
        return false;
    }
    if (text.find_first_of("?#") != std::string::npos) {
        message = "path template must not contain '?' or '#': \"" + text + "\"";
        return false;
    }
    if (text == "/") return true;
    out.trailingSlash = text.back() == '/';
    const std::string body = text.substr(1, text.size() - 1 - (out.trailingSlash ? 1 : 0));
    std::set<std::string> names;
    std::size_t pos = 0;
    while (true) {
        std::size_t slash = body.find('/', pos);
        std::string seg = body.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        if (seg.empty()) {
            message = "path template has an empty segment: \"" + text + "\"";
            return false;
        }
        RouteSegment s;
        if (seg.front() == '{') {
            if (seg.back() != '}' || seg.size() < 3) {
                message = "bad parameter segment \"" + seg + "\" in \"" + text + "\"";
                return false;
            }
            std::string name = seg.substr(1, seg.size() - 2);
            s.kind = RouteSegment::Param;
            if (name.back() == '*') {
                name.pop_back();
                s.kind = RouteSegment::Rest;
                if (slash != std::string::npos || out.trailingSlash) {
                    message = "{" + name + "*} must be the last segment of \"" + text + "\"";
                    return false;
                }
            }
            if (!validParamName(name)) {
                message = "bad parameter name \"" + name + "\" in \"" + text + "\"";
                return false;
            }
            if (!names.insert(name).second) {
                message = "parameter \"" + name + "\" appears twice in \"" + text + "\"";
                return false;
            }
            s.text = name;
        } else {
            if (seg.find_first_of("{}") != std::string::npos) {
                message = "braces must span a whole segment: \"" + text + "\"";
                return false;
            }
            s.text = percentDecode(seg);
        }
        out.segments.push_back(std::move(s));
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return true;
}

bool PathTemplate::match(const std::vector<std::string>& segs, bool trailing,
                         std::vector<std::pair<std::string, std::string>>* params) const {
    const std::size_t fixed = hasRest() ? segments.size() - 1 : segments.size();
    if (hasRest()) {
        if (segs.size() <= fixed && !(segs.size() == fixed && trailing)) return false;
    } else if (segs.size() != fixed || trailing != trailingSlash) {
        return false;
    }
    for (std::size_t i = 0; i < fixed; ++i) {
        const auto& s = segments[i];
        if (s.kind == RouteSegment::Literal && s.text != segs[i]) return false;
        if (s.kind == RouteSegment::Param && segs[i].empty()) return false;
    }
    if (params) {
        params->clear();
        for (std::size_t i = 0; i < fixed; ++i)
            if (segments[i].kind == RouteSegment::Param) params->emplace_back(segments[i].text, segs[i]);
        if (hasRest()) {
            std::string rest;
            for (std::size_t i = fixed; i < segs.size(); ++i) rest += (i == fixed ? "" : "/") + segs[i];
            if (trailing) rest += "/";
            params->emplace_back(segments.back().text, rest);
        }
    }
    return true;
}

Router::Router(CorsSettings cors) : cors_(std::move(cors)) {}

valory_status Router::addRoute(const std::string& owner, const std::string& method,
                               const std::string& pattern, valory_route_handler handler, void* user,
                               valory_route** out, std::string& message) {
    if (!handler) {
        message = "add_route: handler is required";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    if (!validMethod(method)) {
        message = "add_route: method must be an upper-case token, got \"" + method + "\"";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    if (method == "HEAD") {
        message = "add_route: HEAD is answered through GET; register GET";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    auto route = std::make_shared<valory_route>();
    if (!PathTemplate::parse(pattern, route->tmpl, message)) {
        message = "add_route: " + message;
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    route->owner = owner;
    route->method = method;
    route->pattern = pattern;
    route->handler = handler;
    route->user = user;
    std::shared_ptr<valory_route> replaced;
    {
        std::unique_lock lock(mutex_);
        for (auto it = routes_.begin(); it != routes_.end(); ++it) {
            const auto& r = *it;
            if (r->method != method || r->pattern != pattern) continue;
            if (r->draining && r->owner == owner) {  // a restarting plugin takes its route back
                replaced = r;
                routes_.erase(it);
                break;
            }
            message = "route " + method + " " + pattern + " is already registered by '" + r->owner + "'";
            return VALORY_ERR_CONFLICT;
        }
        routes_.push_back(route);
    }
    if (out) *out = route.get();
    return VALORY_OK;
}

valory_status Router::removeRoute(const std::string& owner, valory_route* route, std::string& message) {
    std::shared_ptr<valory_route> removed;
    {
        std::unique_lock lock(mutex_);
        auto it =
            std::find_if(routes_.begin(), routes_.end(), [&](const auto& r) { return r.get() == route; });
        if (it == routes_.end() || (*it)->owner != owner) {
            message = "remove_route: no such route of '" + owner + "'";
            return VALORY_ERR_NOT_FOUND;
        }
        removed = *it;
        routes_.erase(it);
    }
    // Calls start only under the shared lock, so after erasing no new call can begin. A handler
    // that removes its own route waits for the other calls only, not for itself.
    const int own = tlsHandling == removed.get() ? 1 : 0;
    for (int v = removed->inflight.load(); v > own; v = removed->inflight.load()) removed->inflight.wait(v);
    return VALORY_OK;
}

valory_status Router::addStaticMount(const std::string& owner, const std::string& prefixIn,
                                     const std::string& directory, std::uint32_t flags,
                                     std::string& message) {
    if (prefixIn.empty() || prefixIn.front() != '/' || prefixIn.find("..") != std::string::npos) {
        message =
            "add_static_mount: url prefix must start with '/' and contain no '..': \"" + prefixIn + "\"";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    if (directory.empty()) {
        message = "add_static_mount: directory is required";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    std::string prefix = prefixIn.back() == '/' ? prefixIn : prefixIn + "/";
    std::unique_lock lock(mutex_);
    for (auto it = mounts_.begin(); it != mounts_.end(); ++it)
        if (it->prefix == prefix) {
            if (it->draining && it->owner == owner) {
                mounts_.erase(it);
                break;
            }
            message = "static mount " + prefix + " is already registered by '" + it->owner + "'";
            return VALORY_ERR_CONFLICT;
        }
    mounts_.push_back(StaticMount{owner, prefix, directory, flags});
    std::sort(mounts_.begin(), mounts_.end(),
              [](const auto& a, const auto& b) { return a.prefix.size() > b.prefix.size(); });
    return VALORY_OK;
}

std::size_t Router::removeAllOwnedBy(const std::string& owner) {
    std::vector<std::shared_ptr<valory_route>> removed;
    {
        std::unique_lock lock(mutex_);
        for (auto it = routes_.begin(); it != routes_.end();) {
            if ((*it)->owner == owner) {
                removed.push_back(*it);
                it = routes_.erase(it);
            } else {
                ++it;
            }
        }
        mounts_.erase(
            std::remove_if(mounts_.begin(), mounts_.end(), [&](const auto& m) { return m.owner == owner; }),
            mounts_.end());
    }
    for (auto& r : removed)
        for (int v = r->inflight.load(); v != 0; v = r->inflight.load()) r->inflight.wait(v);
    return removed.size();
}

std::size_t Router::drainOwnedBy(const std::string& owner) {
    std::vector<std::shared_ptr<valory_route>> drained;
    {
        std::unique_lock lock(mutex_);
        for (auto& r : routes_)
            if (r->owner == owner && !r->draining) {
                r->draining = true;
                drained.push_back(r);
            }
        for (auto& m : mounts_)
            if (m.owner == owner) m.draining = true;
    }
    // A handler that drains its own plugin (none should) would wait for itself: skip its own call.
    for (auto& r : drained) {
        const int own = tlsHandling == r.get() ? 1 : 0;
        for (int v = r->inflight.load(); v > own; v = r->inflight.load()) r->inflight.wait(v);
    }
    return drained.size();
}

std::size_t Router::removeDrainingOwnedBy(const std::string& owner) {
    std::unique_lock lock(mutex_);
    const std::size_t before = routes_.size();
    routes_.erase(std::remove_if(routes_.begin(), routes_.end(),
                                 [&](const auto& r) { return r->owner == owner && r->draining; }),
                  routes_.end());
    mounts_.erase(std::remove_if(mounts_.begin(), mounts_.end(),
                                 [&](const auto& m) { return m.owner == owner && m.draining; }),
                  mounts_.end());
    return before - routes_.size();  // drained routes have no handler call in flight
}

std::vector<std::string> Router::routesOf(const std::string& owner) const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : routes_)
        if (r->owner == owner) out.push_back(r->method + " " + r->pattern);
    for (const auto& m : mounts_)
        if (m.owner == owner) out.push_back("STATIC " + m.prefix);
    return out;
}

std::size_t Router::routeCount() const {
    std::shared_lock lock(mutex_);
    return routes_.size();
}

std::vector<std::string> Router::describeRoutes() const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    for (const auto& r : routes_) out.push_back(r->method + " " + r->pattern + " (" + r->owner + ")");
    for (const auto& m : mounts_)
        out.push_back("STATIC " + m.prefix + " -> " + m.directory + " (" + m.owner + ")");
    return out;
}

bool Router::originAllowed(const std::string& origin) const {
    for (const auto& o : cors_.origins)
        if (o == "*" || o == origin) return true;
    return false;
}

std::string Router::maskText(const std::string& text) const {
    return masker_ ? masker_->mask(text) : text;
}

void Router::applyCors(const valory_request& req, valory_response& resp) const {
    if (cors_.origins.empty()) return;
    auto origin = req.header("Origin");
    // Responses differ by Origin whenever CORS is configured.
    if (const std::string* vary = resp.findHeader("Vary")) {
        if (vary->find("Origin") == std::string::npos) resp.setHeader("Vary", *vary + ", Origin");
    } else {
        resp.addHeader("Vary", "Origin");
    }
    if (!origin || !originAllowed(*origin)) return;
    const bool wildcard = std::find(cors_.origins.begin(), cors_.origins.end(), "*") != cors_.origins.end();
    resp.setHeader("Access-Control-Allow-Origin", wildcard && !cors_.credentials ? "*" : *origin);
    if (cors_.credentials) resp.setHeader("Access-Control-Allow-Credentials", "true");
}

bool Router::handlePreflight(const valory_request& req, valory_response& resp,
                             const std::vector<std::string>& allowed) const {
    auto origin = req.header("Origin");
    auto requested = req.header("Access-Control-Request-Method");
    if (!origin || !requested) return false;
    if (!originAllowed(*origin)) {
        resp.jsonError(403, "cors_forbidden", "origin " + *origin + " is not allowed");
        return true;
    }
    std::string methods;
    for (const auto& m : allowed) methods += (methods.empty() ? "" : ", ") + m;
    resp.status = 204;
    resp.setHeader("Access-Control-Allow-Methods", methods);
    std::string headers;
    for (const auto& h : cors_.allowHeaders) headers += (headers.empty() ? "" : ", ") + h;
    if (headers.empty()) {
        // Echo only what is a list of header names: the value may carry CR/LF (Poco decodes
        // RFC 2047 words in request headers), which must never reach our response.
        const std::string requestedHeaders = req.header("Access-Control-Request-Headers").value_or("");
        std::string_view rest = requestedHeaders;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view name = rest.substr(0, comma);
            while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
            if (isToken(name)) headers += (headers.empty() ? "" : ", ") + std::string(name);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    if (!headers.empty()) resp.setHeader("Access-Control-Allow-Headers", headers);
    resp.setHeader("Access-Control-Max-Age", std::to_string(cors_.maxAgeS));
    return true;
}

void Router::handle(valory_request& req, valory_response& resp, Outcome& outcome) const {
    const auto t0 = std::chrono::steady_clock::now();
    req.path = percentDecode(req.rawPath);
    req.route = "<unmatched>";
    std::vector<std::string> segs;
    bool trailing = false;
    splitPath(req.rawPath, segs, trailing);
    const bool isHead = req.method == "HEAD";
    // CORS preflights are the router's, even where a plugin registered OPTIONS itself.
    const bool isPreflight = req.method == "OPTIONS" && !cors_.origins.empty() && req.header("Origin") &&
                             req.header("Access-Control-Request-Method");
    const std::string& wanted = isHead ? std::string("GET") : req.method;

    std::shared_ptr<valory_route> chosen;
    std::set<std::string> methods;
    bool otherFormMatches = false;
    const StaticMount* mount = nullptr;
    StaticMount mountCopy;
    std::string drainingOwner, drainingRoute;  // the matched route is draining (its plugin stops)
    {
        std::shared_lock lock(mutex_);
        for (const auto& r : routes_) {
            if (!r->tmpl.match(segs, trailing, nullptr)) {
                if (!otherFormMatches && !r->tmpl.hasRest() && req.rawPath.size() > 1 &&
                    r->tmpl.match(segs, !trailing, nullptr))
                    otherFormMatches = true;
                continue;
            }
            methods.insert(r->method);
            if (!isPreflight && r->method == wanted && (!chosen || moreSpecific(r->tmpl, chosen->tmpl)))
                chosen = r;
        }
        if (chosen && chosen->draining) {
            drainingOwner = chosen->owner;
            drainingRoute = chosen->pattern;
            chosen.reset();
        } else if (chosen) {
            chosen->inflight.fetch_add(1, std::memory_order_acq_rel);
        } else if (methods.empty()) {
            for (const auto& m : mounts_)
                if (req.path.compare(0, m.prefix.size(), m.prefix) == 0 || req.path + "/" == m.prefix) {
                    mountCopy = m;
                    mount = &mountCopy;
                    break;
                }
        }
    }
    resp.headOnly = isHead;

    std::vector<std::string> allowed;
    if (!methods.empty()) {
        std::set<std::string> all = methods;
        if (all.count("GET")) all.insert("HEAD");
        all.insert("OPTIONS");
        allowed.assign(all.begin(), all.end());
    }

    if (!drainingOwner.empty() || (mount && mount->draining)) {
        outcome.route = drainingOwner.empty() ? mount->prefix : drainingRoute;
        outcome.owner = drainingOwner.empty() ? mount->owner : drainingOwner;
        req.route = outcome.route;
        resp.jsonError(503, "unavailable", "plugin '" + outcome.owner + "' is stopping; retry later");
        resp.setHeader("Retry-After", std::to_string(retryAfterS_));
        resp.headOnly = isHead;
    } else if (chosen) {
        req.route = chosen->pattern;
        outcome.route = chosen->pattern;
        outcome.owner = chosen->owner;
        chosen->tmpl.match(segs, trailing, &req.params);
        valory_error err;
        valory_error_init(&err);
        valory_status status = VALORY_ERR_INTERNAL;
        std::string failure;
        try {
            struct Handling {
                const valory_route* previous = tlsHandling;
                explicit Handling(const valory_route* r) { tlsHandling = r; }
                ~Handling() { tlsHandling = previous; }
            } handling(chosen.get());
            status = chosen->handler(chosen->user, &req, &resp, &err);
            if (status != VALORY_OK) {
                failure = errorMessage(err);
                if (failure.empty()) failure = "handler returned status " + std::to_string(status);
            }
        } catch (const std::exception& e) {
            failure = std::string("handler threw: ") + e.what();
        } catch (...) {
            failure = "handler threw a non-standard exception";
        }
        if (chosen->inflight.fetch_sub(1, std::memory_order_acq_rel) == 1) chosen->inflight.notify_all();
        if (!failure.empty()) {
            failure = maskText(failure);
            Poco::Logger::get(chosen->owner)
                .error("route " + chosen->method + " " + chosen->pattern + " failed: " + failure);
            resp.jsonError(500, "internal", failure);
            resp.headOnly = isHead;
        }
    } else if (req.method == "OPTIONS" && (!allowed.empty() || mount)) {
        if (mount) allowed = {"GET", "HEAD", "OPTIONS"};
        if (!handlePreflight(req, resp, allowed)) {
            resp.status = 204;
            std::string allow;
            for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
            resp.setHeader("Allow", allow);
        }
        outcome.route = mount ? mount->prefix : req.route;
    } else if (!allowed.empty()) {
        std::string allow;
        for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
        resp.jsonError(405, "method_not_allowed", "method " + req.method + " is not allowed for " + req.path);
        resp.setHeader("Allow", allow);
        resp.headOnly = isHead;
    } else if (mount) {
        outcome.route = mount->prefix;
        outcome.owner = mount->owner;
        req.route = mount->prefix;
        if (req.method != "GET" && req.method != "HEAD") {
            resp.jsonError(405, "method_not_allowed",
                           "method " + req.method + " is not allowed for " + req.path);
            resp.setHeader("Allow", "GET, HEAD, OPTIONS");
        } else {
            std::string rest =
                req.path.size() >= mount->prefix.size() ? req.path.substr(mount->prefix.size()) : "";
            StaticFiles::serve(*mount, rest, req, resp);
        }
        resp.headOnly = isHead;
    } else if (otherFormMatches) {
        std::string location = trailing ? req.rawPath.substr(0, req.rawPath.size() - 1) : req.rawPath + "/";
        if (!req.rawQuery.empty()) location += "?" + req.rawQuery;
        resp.jsonError(307, "redirect", "use " + location);
        resp.setHeader("Location", location);
        resp.headOnly = isHead;
    } else {
        resp.jsonError(404, "not_found", "no route for " + req.method + " " + req.path);
        resp.headOnly = isHead;
    }
    applyCors(req, resp);
    resp.setHeader("X-Process-Time", formatSeconds(std::chrono::steady_clock::now() - t0));
}

}  // namespace valory::host
