// The riot/1 logic: resolve the player, look records up through the store (cache/1 or local),
// coalesce concurrent lookups, turn HenrikDev answers into records (riot_records.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "henrik_client.hpp"
#include "record_store.hpp"

namespace valory::plugins::riot {

struct RiotConfig {
    HenrikConfig henrik;
    std::string platform = "pc";
    std::chrono::seconds accountTtl{3600}, rankTtl{60}, matchesTtl{120}, notFoundTtl{60}, staleWindow{600};
    size_t localCacheEntries = 10000;
    bool useCacheService = true;

    /// From the plugin's validated settings (see plugin.json).
    static RiotConfig fromSettings(const nlohmann::json& settings);
};

struct RiotQuery {
    std::string name, tag, puuid, region, platform, apiKey;
    uint32_t count = 0;
    bool fresh = false;
    std::chrono::milliseconds deadline{0};
};

class RiotService {
  public:
    RiotService(HenrikClient& henrik, RiotConfig config, std::unique_ptr<RecordStore> store);

    nlohmann::json account(const RiotQuery& q);
    nlohmann::json rank(const RiotQuery& q);
    nlohmann::json matches(const RiotQuery& q);

    struct Stats {
        uint64_t upstreamCalls, coalesced, leaders, staleServed;
        const char* store;
    };
    Stats stats() const;

  private:
    struct Resolved {
        std::string puuid, name, tag, region;
    };
    Resolved resolve(const RiotQuery& q, int64_t deadlineMs);
    /// Single-flight + store; error records ({"__error": ...}) become sdk::Error here.
    nlohmann::json lookup(const std::string& key, std::chrono::seconds ttl, bool fresh, int64_t deadlineMs,
                          const std::function<Fetched()>& fetch);
    Fetched errorRecord(const sdk::Error& e) const;

    HenrikClient& henrik_;
    RiotConfig config_;
    std::unique_ptr<RecordStore> store_;
    SingleFlight flights_;
    std::atomic<uint64_t> staleServed_{0};
};

/// Lower-cases ASCII letters (HenrikDev matches Riot IDs case-insensitively).
std::string lowerAscii(std::string s);

}  // namespace valory::plugins::riot
