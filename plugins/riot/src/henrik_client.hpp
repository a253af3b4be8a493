// HTTP side of the riot plugin: HenrikDev requests (key in the Authorization header, path segments
// percent-encoded) and the mapping of its answers to typed errors. No caching here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "valory/cpp/http_transport.hpp"

namespace valory::plugins::riot {

/// HenrikDev error codes the plugin tells apart (valory_error.detail of VALORY_ERR_NOT_FOUND).
inline constexpr int64_t kCodeAccountNotFound = 22;
inline constexpr int64_t kCodeNoMmrData = 25;

struct HenrikConfig {
    std::string baseUrl = "https://api.henrikdev.xyz/valorant";
    std::string apiKey;  // server-wide key (resolved secret)
    std::chrono::milliseconds deadline{15000};
};

class HenrikClient {
  public:
    HenrikClient(sdk::HttpTransport& transport, HenrikConfig config);

    /// GET <base>/<segments...>?query; returns the `data` member of a 200 answer. `key` empty =
    /// the server-wide key. Throws sdk::Error: NOT_FOUND (detail = HenrikDev code 22/25/...),
    /// UNAUTHORIZED (401/403), INVALID_ARGUMENT (400, e.g. code 6), UPSTREAM (malformed JSON or an
    /// unexpected status), and the http.client statuses (RATE_LIMITED, UNAVAILABLE, TIMEOUT).
    nlohmann::json get(const std::vector<std::string>& segments,
                       const std::vector<std::pair<std::string, std::string>>& query, const std::string& key,
                       int64_t deadlineMs);

    nlohmann::json accountByRiotId(const std::string& name, const std::string& tag, const std::string& key,
                                   int64_t deadlineMs);
    nlohmann::json accountByPuuid(const std::string& puuid, const std::string& key, int64_t deadlineMs);
    nlohmann::json mmrV3(const std::string& region, const std::string& platform, const std::string& puuid,
                         const std::string& key, int64_t deadlineMs);
    nlohmann::json matchesV4(const std::string& region, const std::string& platform, const std::string& puuid,
                             uint32_t size, const std::string& key, int64_t deadlineMs);

    uint64_t upstreamCalls() const { return calls_.load(); }
    const HenrikConfig& config() const { return config_; }
    static int64_t nowMs();

  private:
    sdk::HttpTransport& transport_;
    HenrikConfig config_;
    std::atomic<uint64_t> calls_{0};
};

}  // namespace valory::plugins::riot
