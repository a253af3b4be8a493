// What every feature file of the overlays plugin shares: settings, services, the route table and
// the HTTP conventions of the original API ({"detail": ...} errors, 422 field lists).
//
// Feature files expose `void register<Feature>Routes(App&)`; plugin.cpp calls each one. Those
// functions only add routes through app.routes (the OpenAPI test runs them without a host);
// jobs and provided services are started separately (start<Feature>(App&)).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "valory/cpp/cache.hpp"
#include "valory/cpp/host.hpp"
#include "valory/cpp/riot.hpp"
#include "valory/cpp/sql.hpp"
#include "valory/cpp/twitch.hpp"

namespace valory::plugins::overlays {

/// An API error in the original's shape: {"detail": "message"} or, for 422, {"detail": [...]}.
class ApiError : public std::runtime_error {
  public:
    ApiError(int status, const std::string& message)
        : std::runtime_error(message), status_(status), detail_(message) {}
    ApiError(int status, nlohmann::json detail, const std::string& summary)
        : std::runtime_error(summary), status_(status), detail_(std::move(detail)) {}
    int status() const noexcept { return status_; }
    const nlohmann::json& detail() const noexcept { return detail_; }
    /// Extra response headers (e.g. Retry-After).
    std::vector<std::pair<std::string, std::string>> headers;

  private:
    int status_;
    nlohmann::json detail_;
};

/// One entry of a 422 list: {"loc": [where, field], "msg": msg, "type": type}.
nlohmann::json fieldError(std::string_view where, std::string_view field, std::string_view msg,
                          std::string_view type = "value_error");

using Handler = std::function<void(const sdk::Request&, sdk::Response&)>;

/// The plugin's routes. With a host they are registered with it (and removed on stop); without
/// one (tests) they are only recorded.
class Routes {
  public:
    struct Entry {
        std::string method;
        std::string path;
    };

    Routes() = default;
    explicit Routes(sdk::Host host) : host_(std::move(host)), live_(true) {}

    /// Adds a route whose handler errors become {"detail": ...} answers: ApiError its status,
    /// a service failure 502/503, anything else a logged 500.
    void add(const char* method, const char* path, Handler handler);
    const std::vector<Entry>& entries() const noexcept { return entries_; }
    void clear() noexcept { handles_.clear(); }

  private:
    sdk::Host host_;
    bool live_ = false;
    std::vector<Entry> entries_;
    std::vector<sdk::Route> handles_;
};

struct StatsFeature;

/// Shared state of the running plugin.
struct App {
    explicit App(OverlaysConfig cfg) : config(std::move(cfg)) {}
    App(sdk::Host h, OverlaysConfig cfg)
        : host(std::move(h)), hosted(true), config(std::move(cfg)), routes(host) {}

    sdk::Host host;       ///< empty (and unusable) in tests that only collect routes
    bool hosted = false;  ///< host is a real host
    OverlaysConfig config;
    Routes routes;
    std::optional<sdk::sql::Database> db;
    std::optional<sdk::Twitch> twitch;
    std::optional<sdk::Riot> riot;
    std::optional<sdk::Cache> cache;  ///< cache/1 when it runs and config.useCache
    std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
    std::atomic<bool> jobsRunning{false};  ///< set by whoever runs the plugin's scheduled jobs
    std::shared_ptr<StatsFeature> stats;   ///< rank data, showcase, jobs (stats_feature.cpp)

    sdk::sql::Database& sql();
    sdk::Twitch& tw();
    sdk::Riot& rt();
    /// The public base URL as clients see it (host info http.public_url), without trailing '/'.
    std::string publicUrl() const;
};

// ---- request helpers -----------------------------------------------------------------------

/// Rejects cross-site writes: a present Origin must be the public URL's or in allowed_origins
/// (403), and a body must be application/json (415). Call first in every state-changing route.
void requireSafeWrite(const App& app, const sdk::Request& req);

/// The body as a JSON object; empty or not an object -> ApiError 400/422 as the original does.
nlohmann::json jsonBody(const sdk::Request& req, bool allowEmpty = false);

/// Writes {"detail": ...} with `status`.
void sendDetail(sdk::Response& resp, int status, const nlohmann::json& detail);

/// Strong ETag of a body ("\"<16 hex>\"").
std::string etagOf(std::string_view body);
/// True when If-None-Match lists `etag` (or "*"), weak comparison as RFC 9110 wants for GET.
bool etagMatches(const sdk::Request& req, std::string_view etag);

}  // namespace valory::plugins::overlays
