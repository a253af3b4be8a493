#include "config.hpp"

#include <stdexcept>

namespace valory::plugins::overlays {

namespace {
template <class T>
T value(const nlohmann::json& s, const char* key, T fallback) {
    auto it = s.find(key);
    return it == s.end() || it->is_null() ? fallback : it->get<T>();
}
}  // namespace

OverlaysConfig OverlaysConfig::fromSettings(const nlohmann::json& s) {
    OverlaysConfig c;
    c.sessionSecret = value<std::string>(s, "session_secret", "");
    if (c.sessionSecret.size() < 32)
        throw std::invalid_argument(
            "overlays.session_secret: at least 32 bytes are needed for an HS256 key (e.g. `openssl rand -hex "
            "32`)");
    c.sessionTtl = std::chrono::seconds(value<int64_t>(s, "session_ttl_s", 2592000));
    c.cookieSecure = value<bool>(s, "cookie_secure", true);
    c.cookieReadable = value<bool>(s, "cookie_readable", false);
    c.cookieDomain = value<std::string>(s, "cookie_domain", "");
    c.cookieSameSite = value<std::string>(s, "cookie_same_site", "Lax");
    if (c.cookieSameSite == "None" && !c.cookieSecure)
        throw std::invalid_argument(
            "overlays.cookie_same_site: None needs cookie_secure = true (browsers refuse it)");
    for (char ch : c.cookieDomain)
        if (ch == ';' || ch == ',' || ch == ' ' || static_cast<unsigned char>(ch) < 0x21)
            throw std::invalid_argument("overlays.cookie_domain: not a domain name");
    c.stateTtl = std::chrono::seconds(value<int64_t>(s, "state_ttl_s", 600));
    c.redirectUri = value<std::string>(s, "redirect_uri", "");
    c.afterLoginUrl = value<std::string>(s, "after_login_url", "/dashboard");
    if (c.afterLoginUrl.empty()) c.afterLoginUrl = "/";
    if (auto it = s.find("allowed_origins"); it != s.end() && it->is_array()) {
        for (const auto& o : *it) {
            auto origin = o.get<std::string>();
            const bool http = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
            if (!http || origin.back() == '/' || origin.find('/', origin.find("//") + 2) != std::string::npos)
                throw std::invalid_argument("overlays.allowed_origins: '" + origin +
                                            "' is not an origin (scheme://host[:port], no path)");
            c.allowedOrigins.push_back(std::move(origin));
        }
    }
    c.useCache = value<bool>(s, "use_cache", true);
    c.cacheNamespace = value<std::string>(s, "cache_namespace", "valory");
    c.overlayCacheTtl = std::chrono::seconds(value<int64_t>(s, "overlay_cache_ttl_s", 300));
    c.overlayMaxAge = std::chrono::seconds(value<int64_t>(s, "overlay_max_age_s", 0));
    c.rankData = RankDataConfig::fromSettings(s);
    return c;
}

}  // namespace valory::plugins::overlays
