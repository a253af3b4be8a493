// Twitch logic of the twitch plugin (no ABI in sight): login by authorization code, the app access
// token (client credentials), Helix users/streams in batches of 100, the Helix rate limiter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "helix_rate_limiter.hpp"
#include "valory/cpp/http_transport.hpp"

namespace valory::plugins::twitch {

struct TwitchConfig {
    std::string clientId;
    std::string clientSecret;
    std::string idBaseUrl = "https://id.twitch.tv/oauth2";
    std::string helixBaseUrl = "https://api.twitch.tv/helix";
    std::string authorizeBaseUrl;  // empty = idBaseUrl (the browser's view of id.twitch.tv)
    std::string redirectUri;
    std::string scopes = "user:read:email";
    std::chrono::milliseconds deadline{10000};
    std::chrono::seconds renewBefore{300};

    /// From the plugin's validated settings (see plugin.json); throws sdk::Error(INVALID_ARGUMENT).
    static TwitchConfig fromSettings(const nlohmann::json& settings);
};

/// Counters for health detail and tests.
struct TwitchStats {
    std::atomic<uint64_t> helixRequests{0}, appTokens{0}, renewalsOn401{0}, codeExchanges{0};
};

class TwitchClient {
  public:
    using Clock = std::function<int64_t()>;  // epoch ms
    TwitchClient(sdk::HttpTransport& transport, TwitchConfig config, Clock clock = {});

    std::string authorizeUrl(const std::string& state, const std::string& redirectUri,
                             const std::string& scopes, bool forceVerify) const;
    /// {"user": User, "scopes": [...], "expires_in": n}
    nlohmann::json exchangeCode(const std::string& code, const std::string& redirectUri,
                                std::chrono::milliseconds deadline);
    /// {"users": [...], "missing_ids": [...], "missing_logins": [...]}
    nlohmann::json users(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                         std::chrono::milliseconds deadline);
    /// {"streams": [...], "offline_ids": [...], "offline_logins": [...]}
    nlohmann::json streams(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                           std::chrono::milliseconds deadline);

    const TwitchStats& stats() const { return stats_; }
    const HelixRateLimiter& limiter() const { return limiter_; }
    bool hasAppToken() const;

    static constexpr size_t kBatch = 100;

  private:
    struct Batch {
        std::vector<std::string> ids, logins;
    };
    static std::vector<Batch> batches(const std::vector<std::string>& ids,
                                      const std::vector<std::string>& logins);

    std::string appToken(int64_t deadlineMs);
    void dropAppToken(const std::string& token);
    /// GET Helix with the app token: limiter, one renewal on 401, JSON parse. Returns the body.
    nlohmann::json helixGet(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& params,
                            int64_t deadlineMs);
    sdk::HttpResponse send(sdk::HttpRequest req, int64_t deadlineMs);
    int64_t now() const { return clock_(); }

    sdk::HttpTransport& transport_;
    TwitchConfig config_;
    Clock clock_;
    HelixRateLimiter limiter_;
    TwitchStats stats_;

    mutable std::mutex tokenMutex_;  // guards token_ / tokenExpiresMs_
    std::mutex renewMutex_;          // one renewal at a time (single-flight)
    std::string token_;
    int64_t tokenExpiresMs_ = 0;
};

/// Normalised records (see valory/twitch.h).
nlohmann::json userRecord(const nlohmann::json& helixUser);
nlohmann::json streamRecord(const nlohmann::json& helixStream);
/// Twitch logins: 1-25 of [A-Za-z0-9_]; returns the lower-case form or "" when invalid.
std::string normalizeLogin(std::string_view login);

}  // namespace valory::plugins::twitch
