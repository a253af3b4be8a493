#include "riot_service.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "riot_records.hpp"
#include "valory/cpp/cache.hpp"
#include "valory/cpp/error.hpp"
#include "valory/cpp/json.hpp"

namespace valory::plugins::riot {

using nlohmann::json;
using sdk::Error;

namespace {

const std::set<std::string> kRegions = {"eu", "na", "latam", "br", "ap", "kr"};

std::string hashHex(const std::string& s) {
    const uint64_t h = valory_cache_hash64(valory_str{s.data(), s.size()});
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string checkedRegion(const std::string& r) {
    const std::string l = lowerAscii(r);
    if (!kRegions.count(l))
        throw Error(VALORY_ERR_INVALID_ARGUMENT,
                    "riot: unknown region '" + r + "' (eu, na, latam, br, ap, kr)");
    return l;
}

}  // namespace

std::string lowerAscii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

RiotConfig RiotConfig::fromSettings(const json& s) {
    RiotConfig c;
    auto str = [&](const char* k, std::string& out) {
        if (auto it = s.find(k); it != s.end() && it->is_string()) out = it->get<std::string>();
    };
    auto secs = [&](const char* k, std::chrono::seconds& out) {
        if (auto it = s.find(k); it != s.end() && it->is_number_integer())
            out = std::chrono::seconds(it->get<int64_t>());
    };
    str("base_url", c.henrik.baseUrl);
    str("api_key", c.henrik.apiKey);
    str("platform", c.platform);
    if (auto it = s.find("deadline_ms"); it != s.end() && it->is_number_integer())
        c.henrik.deadline = std::chrono::milliseconds(it->get<int64_t>());
    secs("account_ttl_s", c.accountTtl);
    secs("rank_ttl_s", c.rankTtl);
    secs("matches_ttl_s", c.matchesTtl);
    secs("not_found_ttl_s", c.notFoundTtl);
    secs("stale_s", c.staleWindow);
    if (auto it = s.find("local_cache_entries"); it != s.end() && it->is_number_integer())
        c.localCacheEntries = it->get<size_t>();
    if (auto it = s.find("use_cache_service"); it != s.end() && it->is_boolean())
        c.useCacheService = it->get<bool>();
    if (c.platform != "pc" && c.platform != "console")
        throw Error(VALORY_ERR_INVALID_ARGUMENT, "riot: settings.platform must be \"pc\" or \"console\"");
    return c;
}

RiotService::RiotService(HenrikClient& henrik, RiotConfig config, std::unique_ptr<RecordStore> store)
    : henrik_(henrik), config_(std::move(config)), store_(std::move(store)) {}

RiotService::Stats RiotService::stats() const {
    return Stats{henrik_.upstreamCalls(), flights_.followers(), flights_.leaders(), staleServed_.load(),
                 store_->kind()};
}

Fetched RiotService::errorRecord(const Error& e) const {
    return Fetched{
        json{{"__error", {{"status", e.status()}, {"detail", e.detail()}, {"message", e.what()}}}}.dump(),
        std::chrono::duration_cast<std::chrono::milliseconds>(config_.notFoundTtl)};
}

json RiotService::lookup(const std::string& key, std::chrono::seconds ttl, bool fresh, int64_t deadlineMs,
                         const std::function<Fetched()>& fetch) {
    const auto wait = std::chrono::milliseconds(std::max<int64_t>(1, deadlineMs - HenrikClient::nowMs()));
    Served s = flights_.run(key, wait, [&] {
        if (ttl.count() == 0)
            return Served{fetch().value, false, false};  // TTL 0: not cached, still coalesced
        return store_->getOrFetch(
            key, std::chrono::duration_cast<std::chrono::milliseconds>(config_.staleWindow), fresh, fetch);
    });
    json j = valory::json::parse(s.value);
    if (j.is_discarded()) throw Error(VALORY_ERR_INTERNAL, "riot: a cached record is not JSON (" + key + ")");
    if (j.contains("__error")) {
        const json& e = j["__error"];
        throw Error(e.value("status", VALORY_ERR_NOT_FOUND), e.value("message", std::string("not found")),
                    e.value("detail", int64_t{0}));
    }
    if (s.stale) {
        j["stale"] = true;
        ++staleServed_;
    }
    return j;
}

RiotService::Resolved RiotService::resolve(const RiotQuery& q, int64_t deadlineMs) {
    if (!q.puuid.empty() && !q.region.empty())
        return Resolved{q.puuid, q.name, q.tag, checkedRegion(q.region)};
    RiotQuery a = q;
    a.fresh = false;  // FRESH is about the record asked for, not the account behind it
    a.deadline = std::chrono::milliseconds(std::max<int64_t>(1, deadlineMs - HenrikClient::nowMs()));
    json acc = account(a);
    Resolved r{acc["puuid"].get<std::string>(), acc["name"].get<std::string>(), acc["tag"].get<std::string>(),
               q.region.empty() ? acc["region"].get<std::string>() : q.region};
    r.region = checkedRegion(r.region.empty() ? "eu" : r.region);
    return r;
}

json RiotService::account(const RiotQuery& q) {
    const int64_t deadlineMs =
        HenrikClient::nowMs() + (q.deadline.count() > 0 ? q.deadline : config_.henrik.deadline).count();
    const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(config_.accountTtl);
    std::string key;
    std::function<Fetched()> fetch;
    if (!q.puuid.empty()) {
        key = sdk::Cache::key("riot", "v1", "account", q.puuid);
        fetch = [&, ttl] {
            try {
                return Fetched{accountRecord(henrik_.accountByPuuid(q.puuid, q.apiKey, deadlineMs)).dump(),
                               ttl};
            } catch (const Error& e) {
                if (e.status() == VALORY_ERR_NOT_FOUND) return errorRecord(e);
                throw;
            }
        };
    } else if (!q.name.empty() && !q.tag.empty()) {
        // Riot IDs may hold spaces and any script: key on a hash of the case-folded ID.
        key = sdk::Cache::key("riot", "v1", "account-riot-id",
                              hashHex(lowerAscii(q.name) + "#" + lowerAscii(q.tag)));
        fetch = [&, ttl] {
            try {
                return Fetched{
                    accountRecord(henrik_.accountByRiotId(q.name, q.tag, q.apiKey, deadlineMs)).dump(), ttl};
            } catch (const Error& e) {
                if (e.status() == VALORY_ERR_NOT_FOUND) return errorRecord(e);
                throw;
            }
        };
    } else {
        throw Error(VALORY_ERR_INVALID_ARGUMENT, "riot: give a puuid or a Riot ID (name and tag)");
    }
    return lookup(key, config_.accountTtl, q.fresh, deadlineMs, fetch);
}

json RiotService::rank(const RiotQuery& q) {
    const int64_t deadlineMs =
        HenrikClient::nowMs() + (q.deadline.count() > 0 ? q.deadline : config_.henrik.deadline).count();
    Resolved r = resolve(q, deadlineMs);
    const std::string platform = q.platform.empty() ? config_.platform : q.platform;
    const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(config_.rankTtl);
    const std::string key = sdk::Cache::key("riot", "v1", "rank", r.puuid, r.region + "|" + platform);
    return lookup(key, config_.rankTtl, q.fresh, deadlineMs, [&, ttl] {
        try {
            return Fetched{rankRecord(henrik_.mmrV3(r.region, platform, r.puuid, q.apiKey, deadlineMs),
                                      r.region, HenrikClient::nowMs())
                               .dump(),
                           ttl};
        } catch (const Error& e) {
            if (e.status() == VALORY_ERR_NOT_FOUND && e.detail() == kCodeNoMmrData)
                return Fetched{
                    noDataRankRecord(r.puuid, r.name, r.tag, r.region, HenrikClient::nowMs()).dump(), ttl};
            if (e.status() == VALORY_ERR_NOT_FOUND) return errorRecord(e);
            throw;
        }
    });
}

json RiotService::matches(const RiotQuery& q) {
    const int64_t deadlineMs =
        HenrikClient::nowMs() + (q.deadline.count() > 0 ? q.deadline : config_.henrik.deadline).count();
    Resolved r = resolve(q, deadlineMs);
    const std::string platform = q.platform.empty() ? config_.platform : q.platform;
    const uint32_t count = q.count == 0 ? 5 : std::min<uint32_t>(q.count, 10);
    const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(config_.matchesTtl);
    const std::string key = sdk::Cache::key("riot", "v1", "matches", r.puuid,
                                            r.region + "|" + platform + "|" + std::to_string(count));
    return lookup(key, config_.matchesTtl, q.fresh, deadlineMs, [&, ttl] {
        try {
            return Fetched{
                matchesRecord(henrik_.matchesV4(r.region, platform, r.puuid, count, q.apiKey, deadlineMs),
                              r.puuid, r.region, HenrikClient::nowMs())
                    .dump(),
                ttl};
        } catch (const Error& e) {
            if (e.status() == VALORY_ERR_NOT_FOUND) return errorRecord(e);
            throw;
        }
    });
}

}  // namespace valory::plugins::riot
