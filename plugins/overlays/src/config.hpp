// Settings of the overlays plugin (plugin.json's config_schema, validated by the host before create).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

/// Rank data, showcase and jobs (stats_feature.cpp reads these keys).
struct RankDataConfig {
    std::chrono::seconds statsRefresh{30};      ///< stats_refresh_s: a snapshot is rebuilt after this long
    std::chrono::minutes sessionIdleGap{120};   ///< session_idle_gap_min
    std::chrono::seconds demandWindow{600};     ///< stats_demand_window_s
    std::chrono::seconds statsJobInterval{60};  ///< stats_job_interval_s
    std::vector<std::string> showcaseLogins;    ///< showcase_logins
    std::chrono::seconds showcaseRefresh{300};  ///< showcase_refresh_s
    std::chrono::seconds showcaseJitter{30};    ///< showcase_jitter_s
    std::chrono::seconds showcaseLocalTtl{15};  ///< showcase_local_ttl_s
    bool jobs = true;                           ///< jobs_enabled

    static RankDataConfig fromSettings(const nlohmann::json& settings);
};

struct OverlaysConfig {
    std::string sessionSecret;  ///< HS256 key; never logged
    std::chrono::seconds sessionTtl{2592000};
    bool cookieSecure = true;
    bool cookieReadable = false;  ///< true = no HttpOnly (the original web client reads the cookie)
    std::string cookieDomain;
    std::string cookieSameSite = "Lax";
    std::chrono::seconds stateTtl{600};
    std::string redirectUri;  ///< empty = <public_url>/api/auth/callback
    std::string afterLoginUrl = "/dashboard";
    std::vector<std::string> allowedOrigins;
    bool useCache = true;
    std::string cacheNamespace = "valory";
    std::chrono::seconds overlayCacheTtl{300};
    std::chrono::seconds overlayMaxAge{0};
    RankDataConfig rankData;

    /// From the validated settings; throws std::invalid_argument naming the key on a value the
    /// schema cannot express (secret too short, SameSite=None without Secure, bad origin).
    static OverlaysConfig fromSettings(const nlohmann::json& settings);
};

}  // namespace valory::plugins::overlays
