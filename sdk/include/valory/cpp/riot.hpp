// Valory SDK C++ wrapper: facade over the service `riot/1` (valory/riot.h).
//
//   auto riot = host.acquire<valory::sdk::Riot>();
//   nlohmann::json rank = riot.rank(valory::sdk::RiotQuery::byRiotId("Nrk", "sun"));
//   if (rank["status"] == "ranked") show(rank["tier_name"], rank["rr"]);
//
// Failures throw valory::sdk::Error with the service's status (see riot.h) and detail.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "valory/cpp/error.hpp"
#include "valory/cpp/service_facade.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/riot.h"

namespace valory::sdk {

struct RiotQuery {
    std::string name, tag, puuid, region, platform, apiKey;
    uint32_t count = 0;
    uint32_t flags = 0;
    std::chrono::milliseconds deadline{0};

    static RiotQuery byRiotId(std::string name, std::string tag) {
        RiotQuery q;
        q.name = std::move(name);
        q.tag = std::move(tag);
        return q;
    }
    static RiotQuery byPuuid(std::string puuid, std::string region = {}) {
        RiotQuery q;
        q.puuid = std::move(puuid);
        q.region = std::move(region);
        return q;
    }
};

template <>
struct ServiceTraits<valory_riot_api> {
    static constexpr std::string_view kName = VALORY_RIOT_SERVICE;
    static constexpr uint32_t kMajor = VALORY_RIOT_MAJOR;
    static bool complete(const valory_riot_api* v) noexcept {
        return VALORY_HAS_FIELD(v, valory_riot_api, matches) && v->account && v->rank && v->matches;
    }
};

class Riot : public ServiceFacade<valory_riot_api> {
  public:
    using ServiceFacade::ServiceFacade;

    nlohmann::json account(const RiotQuery& q) const { return call(api_->account, q, "riot account"); }
    nlohmann::json rank(const RiotQuery& q) const { return call(api_->rank, q, "riot rank"); }
    nlohmann::json matches(const RiotQuery& q) const { return call(api_->matches, q, "riot matches"); }

  private:
    using Fn = valory_status (*)(void*, const valory_riot_query*, valory_writer*, valory_error*);

    nlohmann::json call(Fn fn, const RiotQuery& q, const char* what) const {
        valory_riot_query c{};
        c.struct_size = sizeof(c);
        c.name = str(q.name);
        c.tag = str(q.tag);
        c.puuid = str(q.puuid);
        c.region = str(q.region);
        c.platform = str(q.platform);
        c.api_key = str(q.apiKey);
        c.count = q.count;
        c.flags = q.flags;
        c.deadline_ms = millis(q.deadline);
        return nlohmann::json::parse(written(fn, c, what));
    }
};

}  // namespace valory::sdk
