// riot plugin: ABI adapter. Settings -> RiotConfig, http.client/1 -> sdk::HttpClientTransport, cache/1 (when
// running) or a local map -> RecordStore, RiotService -> the riot/1 vtable.
#include <algorithm>
#include <cstring>
#include <memory>

#include "riot_service.hpp"
#include "valory/cpp/plugin.hpp"
#include "valory/riot.h"

namespace valory::plugins::riot {
namespace {

using nlohmann::json;

std::string s(valory_str v) {
    return v.data ? std::string(v.data, v.size) : std::string();
}

RiotQuery toQuery(const valory_riot_query* q) {
    if (!q) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "riot: null query");
    valory_riot_query c{};  // a caller built against an older minor may pass a shorter struct
    std::memcpy(&c, q, std::min<size_t>(q->struct_size, sizeof c));
    RiotQuery r;
    r.name = s(c.name);
    r.tag = s(c.tag);
    r.puuid = s(c.puuid);
    r.region = s(c.region);
    r.platform = s(c.platform);
    r.apiKey = s(c.api_key);
    r.count = c.count;
    r.fresh = (c.flags & VALORY_RIOT_FRESH) != 0;
    r.deadline = std::chrono::milliseconds(c.deadline_ms);
    return r;
}
void emit(valory_writer* out, const json& j) {
    if (!out || !out->write) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "riot: no output writer");
    const std::string text = j.dump();
    out->write(out->ctx, text.data(), text.size());
}

class RiotPlugin : public sdk::Plugin {
  public:
    RiotPlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(std::move(host)), config_(RiotConfig::fromSettings(args.settings)) {}

    void start() override {
        transport_ = std::make_unique<sdk::HttpClientTransport>(host().acquire<sdk::HttpClient>());
        henrik_ = std::make_unique<HenrikClient>(*transport_, config_.henrik);
        std::unique_ptr<RecordStore> store;
        if (config_.useCacheService) {
            if (auto cache = host().tryAcquire<sdk::Cache>())
                store = std::make_unique<CacheServiceStore>(std::move(*cache));
        }
        if (!store) store = std::make_unique<LocalRecordStore>(config_.localCacheEntries);
        if (config_.henrik.apiKey.empty())
            host().warn(
                "no server-wide HenrikDev key (settings.api_key): only calls that pass a streamer's key will "
                "work");
        host().info(std::string("records cached in ") + store->kind());
        service_ = std::make_unique<RiotService>(*henrik_, config_, std::move(store));
        vtable_.struct_size = sizeof(vtable_);
        vtable_.account = &account;
        vtable_.rank = &rank;
        vtable_.matches = &matches;
        provided_ = host().provide(VALORY_RIOT_SERVICE, VALORY_RIOT_MAJOR, VALORY_RIOT_MINOR, &vtable_, this);
    }

    valory_health_state health(json& detail) {
        if (!service_) return VALORY_HEALTH_UNKNOWN;
        auto st = service_->stats();
        detail = {{"store", st.store},
                  {"upstream_calls", st.upstreamCalls},
                  {"coalesced_waits", st.coalesced},
                  {"lookups_led", st.leaders},
                  {"stale_served", st.staleServed}};
        return VALORY_HEALTH_OK;
    }

    // `valory-host run riot rank "Name#Tag"` (also account, matches)
    std::string command(const std::string& name, const std::vector<std::string>& args) {
        if (args.empty() || args[0].find('#') == std::string::npos)
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                             "usage: account|rank|matches \"Name#Tag\" [region]");
        RiotQuery q;
        q.name = args[0].substr(0, args[0].rfind('#'));
        q.tag = args[0].substr(args[0].rfind('#') + 1);
        if (args.size() > 1) q.region = args[1];
        if (name == "account") return service_->account(q).dump(2) + "\n";
        if (name == "rank") return service_->rank(q).dump(2) + "\n";
        if (name == "matches") return service_->matches(q).dump(2) + "\n";
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "commands: account, rank, matches");
    }

  private:
    static RiotService& svc(void* self) { return *static_cast<RiotPlugin*>(self)->service_; }
    static valory_status account(void* self, const valory_riot_query* q, valory_writer* out,
                                 valory_error* err) {
        return sdk::guarded(err, [&] { emit(out, svc(self).account(toQuery(q))); });
    }
    static valory_status rank(void* self, const valory_riot_query* q, valory_writer* out, valory_error* err) {
        return sdk::guarded(err, [&] { emit(out, svc(self).rank(toQuery(q))); });
    }
    static valory_status matches(void* self, const valory_riot_query* q, valory_writer* out,
                                 valory_error* err) {
        return sdk::guarded(err, [&] { emit(out, svc(self).matches(toQuery(q))); });
    }

    RiotConfig config_;
    std::unique_ptr<sdk::HttpTransport> transport_;
    std::unique_ptr<HenrikClient> henrik_;
    std::unique_ptr<RiotService> service_;
    valory_riot_api vtable_{};
    sdk::ProvidedService provided_;
};

}  // namespace
}  // namespace valory::plugins::riot

VALORY_PLUGIN(valory::plugins::riot::RiotPlugin, "riot", "1.0.0")
