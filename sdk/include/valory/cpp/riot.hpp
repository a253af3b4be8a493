// Valory SDK C++ wrapper: facade over the service `riot/1` (valory/riot.h).
//
//   valory::sdk::Riot riot(host.acquire("riot", 1, 0));
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

class Riot {
  public:
    template <class Ref, class = decltype(std::declval<const Ref&>().vtable()),
              class = decltype(std::declval<const Ref&>().self())>
    explicit Riot(Ref ref) {
        vt_ = static_cast<const valory_riot_api*>(ref.vtable());
        self_ = ref.self();
        holder_ = std::make_shared<Ref>(std::move(ref));
        validate();
    }
    Riot(const valory_riot_api* vt, void* self) : vt_(vt), self_(self) { validate(); }

    nlohmann::json account(const RiotQuery& q) const { return call(vt_->account, q, "riot account"); }
    nlohmann::json rank(const RiotQuery& q) const { return call(vt_->rank, q, "riot rank"); }
    nlohmann::json matches(const RiotQuery& q) const { return call(vt_->matches, q, "riot matches"); }

  private:
    using Fn = valory_status (*)(void*, const valory_riot_query*, valory_writer*, valory_error*);

    nlohmann::json call(Fn fn, const RiotQuery& q, const char* what) const {
        valory_riot_query c{};
        c.struct_size = sizeof(c);
        c.name = s(q.name);
        c.tag = s(q.tag);
        c.puuid = s(q.puuid);
        c.region = s(q.region);
        c.platform = s(q.platform);
        c.api_key = s(q.apiKey);
        c.count = q.count;
        c.flags = q.flags;
        c.deadline_ms = q.deadline.count() > 0 ? static_cast<uint64_t>(q.deadline.count()) : 0;
        std::string out;
        valory_writer w{};
        w.struct_size = sizeof(w);
        w.ctx = &out;
        w.write = [](void* ctx, const char* data, size_t size) {
            static_cast<std::string*>(ctx)->append(data, size);
        };
        valory_error err = makeError();
        check(fn(self_, &c, &w, &err), err, what);
        return nlohmann::json::parse(out);
    }
    void validate() const {
        if (!vt_) throw Error(VALORY_ERR_INVALID_ARGUMENT, "riot: null vtable");
        if (vt_->struct_size < sizeof(valory_riot_api))
            throw Error(VALORY_ERR_VERSION, "riot: vtable too old");
    }
    static valory_str s(const std::string& v) noexcept { return valory_str{v.data(), v.size()}; }

    const valory_riot_api* vt_ = nullptr;
    void* self_ = nullptr;
    std::shared_ptr<void> holder_;
};

}  // namespace valory::sdk
