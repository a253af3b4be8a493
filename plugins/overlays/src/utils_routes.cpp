// GET /api/utils/ping, /api/utils/health and /api/openapi.json.
#include <chrono>
#include <ctime>

#include "app.hpp"
#include "features.hpp"
#include "openapi.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

std::string isoNowUtc() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us));
    return buf;
}

/// "ok", "degraded" (Redis down: L1 only) or "absent" for cache/1, as the cache reports itself.
std::string cacheState(const App& app, bool* redisUp = nullptr) {
    if (redisUp) *redisUp = false;
    if (!app.cache) return "absent";
    auto st = app.cache->stats();
    if (redisUp) *redisUp = st.l2_state == VALORY_CACHE_L2_UP;
    return st.l2_state == VALORY_CACHE_L2_DOWN ? "degraded" : "ok";
}

}  // namespace

void registerUtilsRoutes(App& app) {
    app.routes.add("GET", "/api/utils/ping", [&app](const sdk::Request&, sdk::Response& resp) {
        const double uptime =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - app.startedAt).count();
        bool redisUp = false;
        cacheState(app, &redisUp);
        resp.header("Cache-Control", "no-store");
        resp.json({{"ping", "pong!"},
                   {"status", "healthy"},
                   {"timestamp", isoNowUtc()},
                   {"uptime", uptime},
                   {"scheduler_running", app.jobsRunning.load()},
                   {"redis_connected", redisUp}});
    });

    app.routes.add("GET", "/api/utils/health", [&app](const sdk::Request&, sdk::Response& resp) {
        json checks = json::object();
        bool ok = true;
        try {
            auto r = app.sql().exec("SELECT 1", {}, VALORY_SQL_READ_ONLY);
            checks["database"] = r.rows() == 1 ? "ok" : "failed";
            ok = r.rows() == 1;
        } catch (const sdk::Error&) {
            checks["database"] = "failed";
            ok = false;
        }
        const std::string cache = cacheState(app);
        checks["cache"] = cache;
        resp.header("Cache-Control", "no-store");
        resp.json({{"status", ok ? (cache == "degraded" ? "degraded" : "ok") : "failed"}, {"checks", checks}},
                  ok ? 200 : 503);
    });

    app.routes.add("GET", "/api/openapi.json", [](const sdk::Request&, sdk::Response& resp) {
        static const std::string doc = openapiDocument().dump();
        resp.header("Cache-Control", "public, max-age=300");
        resp.status(200).header("Content-Type", "application/json").body(doc);
    });
}

}  // namespace valory::plugins::overlays
