#include "settings.hpp"

#include <algorithm>
#include <stdexcept>

namespace valory::plugins::monitoring {

namespace {

double number(const nlohmann::json& s, const char* key, double def, double min, double max) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return def;
    if (!it->is_number()) throw std::invalid_argument(std::string(key) + ": must be a number");
    const double v = it->get<double>();
    if (!(v >= min && v <= max))
        throw std::invalid_argument(std::string(key) + ": must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    return v;
}

std::string text(const nlohmann::json& s, const char* key, const std::string& def) {
    auto it = s.find(key);
    if (it == s.end() || it->is_null()) return def;
    if (!it->is_string()) throw std::invalid_argument(std::string(key) + ": must be a string");
    return it->get<std::string>();
}

}  // namespace

Settings Settings::fromJson(const nlohmann::json& s) {
    if (!s.is_object()) throw std::invalid_argument("settings: must be an object");
    Settings c;
    c.slowRequestUs = static_cast<std::uint64_t>(number(s, "slow_request_ms", 1000, 1, 3600000) * 1000);
    if (auto it = s.find("buckets_us"); it != s.end() && !it->is_null()) {
        if (!it->is_array() || it->empty())
            throw std::invalid_argument("buckets_us: must be a non-empty array");
        for (const auto& b : *it) {
            if (!b.is_number_unsigned() || b.get<std::uint64_t>() == 0)
                throw std::invalid_argument("buckets_us: every bound must be a positive integer (µs)");
            c.bucketsUs.push_back(b.get<std::uint64_t>());
        }
        if (!std::is_sorted(c.bucketsUs.begin(), c.bucketsUs.end()) ||
            std::adjacent_find(c.bucketsUs.begin(), c.bucketsUs.end()) != c.bucketsUs.end())
            throw std::invalid_argument("buckets_us: bounds must be strictly ascending");
    }
    c.accessLog = text(s, "access_log", "");
    const std::string protect = text(s, "protect", "address");
    if (protect == "none")
        c.protect = Protect::None;
    else if (protect == "address")
        c.protect = Protect::Address;
    else if (protect == "token")
        c.protect = Protect::Token;
    else if (protect == "token_or_address")
        c.protect = Protect::TokenOrAddress;
    else
        throw std::invalid_argument("protect: must be one of none, address, token, token_or_address");
    c.adminToken = text(s, "admin_token", "");
    if ((c.protect == Protect::Token || c.protect == Protect::TokenOrAddress) && c.adminToken.empty())
        throw std::invalid_argument("admin_token: required when protect is '" + protect +
                                    "' (reference it as {\"env\": NAME} or {\"file\": PATH})");
    if (auto it = s.find("allowed_addresses"); it != s.end() && !it->is_null()) {
        if (!it->is_array())
            throw std::invalid_argument("allowed_addresses: must be an array of IP addresses");
        c.allowedAddresses.clear();
        for (const auto& a : *it) {
            if (!a.is_string() || a.get<std::string>().empty())
                throw std::invalid_argument("allowed_addresses: every entry must be a non-empty string");
            c.allowedAddresses.push_back(a.get<std::string>());
        }
    }
    c.evaluateInterval =
        std::chrono::milliseconds(static_cast<long>(number(s, "evaluate_interval_ms", 1000, 100, 600000)));
    c.webhookUrl = text(s, "webhook_url", "");
    if (!c.webhookUrl.empty() && c.webhookUrl.rfind("http://", 0) != 0 &&
        c.webhookUrl.rfind("https://", 0) != 0)
        throw std::invalid_argument("webhook_url: must be an http:// or https:// URL");
    c.webhookTimeout =
        std::chrono::milliseconds(static_cast<long>(number(s, "webhook_timeout_ms", 5000, 100, 60000)));

    const auto window = std::chrono::seconds(static_cast<long>(number(s, "alert_window_s", 300, 1, 86400)));
    const double minRequests = number(s, "alert_min_requests", 20, 1, 1e9);
    const double minLookups = number(s, "alert_min_cache_lookups", 20, 1, 1e9);
    const double minQueries = number(s, "alert_min_sql_queries", 5, 1, 1e9);
    const double minLoads = number(s, "alert_min_frontend_loads", 1, 1, 1e9);
    using F = AlertRule::Fires;
    c.rules.push_back({"ApiErrorRateHigh", "http_errors", "API error rate (5xx share of requests) too high",
                       F::Above, number(s, "api_error_rate_max", 0.05, 0, 1), window, minRequests, "ratio"});
    c.rules.push_back({"CacheHitRateLow", "cache_hits", "cache hit rate (L1 or L2) too low", F::Below,
                       number(s, "cache_hit_rate_min", 0.6, 0, 1), window, minLookups, "ratio"});
    c.rules.push_back({"DatabaseSlow", "sql_seconds", "mean database response time too high", F::Above,
                       number(s, "db_response_max_ms", 500, 1, 3600000) / 1000.0, window, minQueries, "s"});
    c.rules.push_back({"FrontendLoadSlow", "frontend_seconds", "mean overlay first render time too high",
                       F::Above, number(s, "frontend_load_max_ms", 3000, 1, 3600000) / 1000.0, window,
                       minLoads, "s"});
    return c;
}

}  // namespace valory::plugins::monitoring
