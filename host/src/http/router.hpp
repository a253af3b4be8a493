// The router: method + path templates ({param}, trailing {rest*}), 404/405 (with Allow) as JSON,
// HEAD through GET, one trailing-slash rule (the other form gets a 307), CORS from config
// (preflight answered here), static mounts, X-Process-Time on every response it produces, JSON 500
// when a handler fails or throws. remove_route waits for the route's in-flight handlers.
// A stopping plugin's routes and mounts are first *drained*: they stay in the table but answer 503
// with Retry-After (its handlers are no longer called) until the plugin registers them again after a
// restart or the host removes them (then 404). Locking: `mutex_` guards the tables and every
// route's `draining` flag; a handler call is counted in `inflight` under the shared lock, so once
// drainOwnedBy() has set the flag under the exclusive lock no new call can begin, and it waits
// only for the calls counted before.
#pragma once

#include "config/config.hpp"
#include "http/http_exchange.hpp"

#include <valory/http.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace valory::host {
class SecretMasker;

struct RouteSegment {
    enum Kind { Literal = 0, Param = 1, Rest = 2 } kind = Literal;
    std::string text;  ///< literal text or parameter name
};

/// A parsed path template.
struct PathTemplate {
    std::vector<RouteSegment> segments;
    bool trailingSlash = false;
    bool hasRest() const { return !segments.empty() && segments.back().kind == RouteSegment::Rest; }

    /// Parses "/api/overlay/{id}"; returns false with `message` on a bad template.
    static bool parse(const std::string& text, PathTemplate& out, std::string& message);
    /// Matches decoded segments; fills params on success.
    bool match(const std::vector<std::string>& segs, bool trailing,
               std::vector<std::pair<std::string, std::string>>* params) const;
};

}  // namespace valory::host

struct valory_route {
    std::string owner;
    std::string method;
    std::string pattern;
    valory::host::PathTemplate tmpl;
    valory_route_handler handler = nullptr;
    void* user = nullptr;
    std::atomic<int> inflight{0};
    bool draining = false;  ///< guarded by Router::mutex_
};

namespace valory::host {

struct StaticMount {
    std::string owner;
    std::string prefix;  ///< always ends with '/'
    std::string directory;
    std::uint32_t flags = 0;
    bool draining = false;
};

class Router {
  public:
    /// What the router did for one request (for events and logs).
    struct Outcome {
        std::string route = "<unmatched>";
        std::string owner;  ///< plugin id of the route or mount; empty for host answers
    };

    explicit Router(CorsSettings cors = {});

    void setMasker(const SecretMasker* masker) { masker_ = masker; }
    /// Retry-After (seconds) of the 503 that drained routes answer.
    void setRetryAfter(std::uint32_t seconds) { retryAfterS_ = seconds; }

    valory_status addRoute(const std::string& owner, const std::string& method, const std::string& pattern,
                           valory_route_handler handler, void* user, valory_route** out,
                           std::string& message);
    /// Removes a route and waits until none of its handler calls is in flight.
    valory_status removeRoute(const std::string& owner, valory_route* route, std::string& message);
    valory_status addStaticMount(const std::string& owner, const std::string& prefix,
                                 const std::string& directory, std::uint32_t flags, std::string& message);
    /// Removes every route and mount of `owner` and waits for their in-flight handlers.
    std::size_t removeAllOwnedBy(const std::string& owner);
    /// Marks every route and mount of `owner` draining (new requests get 503 + Retry-After) and
    /// waits until the handler calls already running have finished. Returns the routes drained.
    std::size_t drainOwnedBy(const std::string& owner);
    /// Removes the routes and mounts of `owner` that are still draining (not registered again).
    std::size_t removeDrainingOwnedBy(const std::string& owner);
    /// "METHOD /pattern" of every route and "STATIC /prefix/" of every mount of `owner`.
    std::vector<std::string> routesOf(const std::string& owner) const;
    std::size_t routeCount() const;
    std::vector<std::string> describeRoutes() const;

    /// Handles one request. `req.method`, `rawPath`, `rawQuery`, `target`, headers and body must be
    /// set; fills path/route/params and the response (status, headers, body or file).
    void handle(valory_request& req, valory_response& resp, Outcome& outcome) const;

  private:
    void applyCors(const valory_request& req, valory_response& resp) const;
    bool handlePreflight(const valory_request& req, valory_response& resp,
                         const std::vector<std::string>& allowed) const;
    bool originAllowed(const std::string& origin) const;
    std::string maskText(const std::string& text) const;

    CorsSettings cors_;
    const SecretMasker* masker_ = nullptr;
    std::uint32_t retryAfterS_ = 1;
    mutable std::shared_mutex mutex_;
    std::vector<std::shared_ptr<valory_route>> routes_;
    std::vector<StaticMount> mounts_;
};

}  // namespace valory::host
