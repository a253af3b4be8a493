// Valory SDK C++ wrapper: facade over the service `twitch/1` (valory/twitch.h).
//
//   auto twitch = host.acquire<valory::sdk::Twitch>();
//   std::string url = twitch.authorizeUrl(state);                 // redirect the browser there
//   nlohmann::json login = twitch.exchangeCode(code);             // {"user": {...}, "scopes": [...]}
//   nlohmann::json live = twitch.streams({}, {"magicx", "nrk_plays"});
//
// Failures throw valory::sdk::Error with the service's status (see twitch.h) and detail.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "valory/cpp/error.hpp"
#include "valory/cpp/service_facade.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/twitch.h"

namespace valory::sdk {

template <>
struct ServiceTraits<valory_twitch_api> {
    static constexpr std::string_view kName = VALORY_TWITCH_SERVICE;
    static constexpr uint32_t kMajor = VALORY_TWITCH_MAJOR;
    static bool complete(const valory_twitch_api* v) noexcept {
        return VALORY_HAS_FIELD(v, valory_twitch_api, get_streams) && v->authorize_url && v->exchange_code &&
               v->get_users && v->get_streams;
    }
};

class Twitch : public ServiceFacade<valory_twitch_api> {
  public:
    using ServiceFacade::ServiceFacade;

    std::string authorizeUrl(std::string_view state, std::string_view redirectUri = {},
                             std::string_view scopes = {}, bool forceVerify = false) const {
        valory_twitch_authorize args{};
        args.struct_size = sizeof args;
        args.state = str(state);
        args.redirect_uri = str(redirectUri);
        args.scopes = str(scopes);
        args.flags =
            forceVerify ? static_cast<valory_twitch_authorize_flags>(VALORY_TWITCH_FORCE_VERIFY) : 0u;
        return written(api_->authorize_url, args, "twitch authorize_url");
    }

    /// {"user": User, "scopes": [...], "expires_in": n}
    nlohmann::json exchangeCode(std::string_view code, std::string_view redirectUri = {},
                                std::chrono::milliseconds deadline = {}) const {
        valory_twitch_exchange args{};
        args.struct_size = sizeof args;
        args.code = str(code);
        args.redirect_uri = str(redirectUri);
        args.deadline_ms = millis(deadline);
        return nlohmann::json::parse(written(api_->exchange_code, args, "twitch exchange_code"));
    }

    /// {"users": [...], "missing_ids": [...], "missing_logins": [...]}
    nlohmann::json users(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                         std::chrono::milliseconds deadline = {}) const {
        return list(api_->get_users, ids, logins, deadline, "twitch get_users");
    }
    /// {"streams": [...], "offline_ids": [...], "offline_logins": [...]}
    nlohmann::json streams(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                           std::chrono::milliseconds deadline = {}) const {
        return list(api_->get_streams, ids, logins, deadline, "twitch get_streams");
    }

  private:
    using ListFn = valory_status (*)(void*, const valory_twitch_query*, valory_writer*, valory_error*);

    nlohmann::json list(ListFn fn, const std::vector<std::string>& ids,
                        const std::vector<std::string>& logins, std::chrono::milliseconds deadline,
                        const char* what) const {
        std::vector<valory_str> i, l;
        for (const auto& x : ids) i.push_back(str(x));
        for (const auto& x : logins) l.push_back(str(x));
        valory_twitch_query query{};
        query.struct_size = sizeof query;
        query.ids = i.data();
        query.id_count = i.size();
        query.logins = l.data();
        query.login_count = l.size();
        query.deadline_ms = millis(deadline);
        return nlohmann::json::parse(written(fn, query, what));
    }
};

}  // namespace valory::sdk
