// twitch plugin: ABI adapter. Settings -> TwitchConfig, http.client/1 -> sdk::HttpClientTransport,
// TwitchClient -> the twitch/1 vtable. The logic lives in twitch_client.cpp.
#include <algorithm>
#include <cstring>
#include <memory>

#include "twitch_client.hpp"
#include "valory/cpp/plugin.hpp"
#include "valory/twitch.h"

namespace valory::plugins::twitch {
namespace {

using nlohmann::json;

std::string s(valory_str v) {
    return v.data ? std::string(v.data, v.size) : std::string();
}
std::vector<std::string> list(const valory_str* a, size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; a && i < n; ++i) out.push_back(s(a[i]));
    return out;
}
void emit(valory_writer* out, const std::string& text) {
    if (!out || !out->write) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "twitch: no output writer");
    out->write(out->ctx, text.data(), text.size());
}

class TwitchPlugin : public sdk::Plugin {
  public:
    TwitchPlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(std::move(host)), config_(TwitchConfig::fromSettings(args.settings)) {}

    void start() override {
        transport_ = std::make_unique<sdk::HttpClientTransport>(host().acquire<sdk::HttpClient>());
        client_ = std::make_unique<TwitchClient>(*transport_, config_);
        vtable_.struct_size = sizeof(vtable_);
        vtable_.authorize_url = &authorizeUrl;
        vtable_.exchange_code = &exchangeCode;
        vtable_.get_users = &getUsers;
        vtable_.get_streams = &getStreams;
        service_ =
            host().provide(VALORY_TWITCH_SERVICE, VALORY_TWITCH_MAJOR, VALORY_TWITCH_MINOR, &vtable_, this);
    }

    valory_health_state health(json& detail) {
        if (!client_) return VALORY_HEALTH_UNKNOWN;
        const auto& st = client_->stats();
        const auto rl = client_->limiter().state();
        detail = {{"app_token", client_->hasAppToken()},
                  {"helix_requests", st.helixRequests.load()},
                  {"app_tokens_minted", st.appTokens.load()},
                  {"renewals_on_401", st.renewalsOn401.load()},
                  {"code_exchanges", st.codeExchanges.load()},
                  {"ratelimit_remaining", rl.remaining ? json(*rl.remaining) : json(nullptr)},
                  {"ratelimit_refusals", rl.refusals}};
        return VALORY_HEALTH_OK;
    }

    // `valory-host run twitch users <login>...` / `streams <login>...` / `authorize-url <state>`
    std::string command(const std::string& name, const std::vector<std::string>& args) {
        if (name == "users") return client_->users({}, args, {}).dump(2) + "\n";
        if (name == "streams") return client_->streams({}, args, {}).dump(2) + "\n";
        if (name == "authorize-url" && !args.empty())
            return client_->authorizeUrl(args[0], "", "", false) + "\n";
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                         "commands: users <login>..., streams <login>..., authorize-url <state>");
    }

  private:
    static TwitchClient& c(void* self) { return *static_cast<TwitchPlugin*>(self)->client_; }

    static valory_status authorizeUrl(void* self, const valory_twitch_authorize* a, valory_writer* out,
                                      valory_error* err) {
        return sdk::guarded(err, [&] {
            valory_twitch_authorize args = copyArgs(a);
            emit(out, c(self).authorizeUrl(s(args.state), s(args.redirect_uri), s(args.scopes),
                                           (args.flags & VALORY_TWITCH_FORCE_VERIFY) != 0));
        });
    }
    static valory_status exchangeCode(void* self, const valory_twitch_exchange* a, valory_writer* out,
                                      valory_error* err) {
        return sdk::guarded(err, [&] {
            valory_twitch_exchange args = copyArgs(a);
            emit(out, c(self)
                          .exchangeCode(s(args.code), s(args.redirect_uri),
                                        std::chrono::milliseconds(args.deadline_ms))
                          .dump());
        });
    }
    static valory_status getUsers(void* self, const valory_twitch_query* q, valory_writer* out,
                                  valory_error* err) {
        return sdk::guarded(err, [&] {
            valory_twitch_query query = copyArgs(q);
            emit(out, c(self)
                          .users(list(query.ids, query.id_count), list(query.logins, query.login_count),
                                 std::chrono::milliseconds(query.deadline_ms))
                          .dump());
        });
    }
    static valory_status getStreams(void* self, const valory_twitch_query* q, valory_writer* out,
                                    valory_error* err) {
        return sdk::guarded(err, [&] {
            valory_twitch_query query = copyArgs(q);
            emit(out, c(self)
                          .streams(list(query.ids, query.id_count), list(query.logins, query.login_count),
                                   std::chrono::milliseconds(query.deadline_ms))
                          .dump());
        });
    }
    /// The struct_size rule: copy what the caller's (possibly older, smaller) struct holds.
    template <class T>
    static T copyArgs(const T* in) {
        if (!in) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "twitch: null arguments");
        T copy{};
        std::memcpy(&copy, in, std::min<std::size_t>(in->struct_size, sizeof copy));
        copy.struct_size = sizeof copy;
        return copy;
    }

    TwitchConfig config_;
    std::unique_ptr<sdk::HttpTransport> transport_;
    std::unique_ptr<TwitchClient> client_;
    valory_twitch_api vtable_{};
    sdk::ProvidedService service_;
};

}  // namespace
}  // namespace valory::plugins::twitch

VALORY_PLUGIN(valory::plugins::twitch::TwitchPlugin, "twitch", "1.0.0")
