// Valory SDK C++ wrapper: facade over the service `twitch/1` (valory/twitch.h).
//
//   valory::sdk::Twitch twitch(host.acquire("twitch", 1, 0));
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
#include "valory/twitch.h"

namespace valory::sdk {

class Twitch {
  public:
    /// Takes ownership of an acquisition (ServiceRef or anything with vtable()/self()).
    template <class Ref, class = decltype(std::declval<const Ref&>().vtable()),
              class = decltype(std::declval<const Ref&>().self())>
    explicit Twitch(Ref ref) {
        vt_ = static_cast<const valory_twitch_api*>(ref.vtable());
        self_ = ref.self();
        holder_ = std::make_shared<Ref>(std::move(ref));
        validate();
    }
    /// Non-owning.
    Twitch(const valory_twitch_api* vt, void* self) : vt_(vt), self_(self) { validate(); }

    std::string authorizeUrl(std::string_view state, std::string_view redirectUri = {},
                             std::string_view scopes = {}, bool forceVerify = false) const {
        std::string out;
        valory_writer w = writer(&out);
        valory_error err = makeError();
        valory_twitch_authorize args{};
        args.struct_size = sizeof args;
        args.state = s(state);
        args.redirect_uri = s(redirectUri);
        args.scopes = s(scopes);
        args.flags =
            forceVerify ? static_cast<valory_twitch_authorize_flags>(VALORY_TWITCH_FORCE_VERIFY) : 0u;
        check(vt_->authorize_url(self_, &args, &w, &err), err, "twitch authorize_url");
        return out;
    }

    /// {"user": User, "scopes": [...], "expires_in": n}
    nlohmann::json exchangeCode(std::string_view code, std::string_view redirectUri = {},
                                std::chrono::milliseconds deadline = {}) const {
        std::string out;
        valory_writer w = writer(&out);
        valory_error err = makeError();
        valory_twitch_exchange args{};
        args.struct_size = sizeof args;
        args.code = s(code);
        args.redirect_uri = s(redirectUri);
        args.deadline_ms = ms(deadline);
        check(vt_->exchange_code(self_, &args, &w, &err), err, "twitch exchange_code");
        return nlohmann::json::parse(out);
    }

    /// {"users": [...], "missing_ids": [...], "missing_logins": [...]}
    nlohmann::json users(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                         std::chrono::milliseconds deadline = {}) const {
        return list(vt_->get_users, ids, logins, deadline, "twitch get_users");
    }
    /// {"streams": [...], "offline_ids": [...], "offline_logins": [...]}
    nlohmann::json streams(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                           std::chrono::milliseconds deadline = {}) const {
        return list(vt_->get_streams, ids, logins, deadline, "twitch get_streams");
    }

  private:
    using ListFn = valory_status (*)(void*, const valory_twitch_query*, valory_writer*, valory_error*);

    nlohmann::json list(ListFn fn, const std::vector<std::string>& ids,
                        const std::vector<std::string>& logins, std::chrono::milliseconds deadline,
                        const char* what) const {
        std::vector<valory_str> i, l;
        for (const auto& x : ids) i.push_back(s(x));
        for (const auto& x : logins) l.push_back(s(x));
        std::string out;
        valory_writer w = writer(&out);
        valory_error err = makeError();
        valory_twitch_query query{};
        query.struct_size = sizeof query;
        query.ids = i.data();
        query.id_count = i.size();
        query.logins = l.data();
        query.login_count = l.size();
        query.deadline_ms = ms(deadline);
        check(fn(self_, &query, &w, &err), err, what);
        return nlohmann::json::parse(out);
    }
    void validate() const {
        if (!vt_) throw Error(VALORY_ERR_INVALID_ARGUMENT, "twitch: null vtable");
        if (vt_->struct_size < sizeof(valory_twitch_api))
            throw Error(VALORY_ERR_VERSION, "twitch: vtable too old");
    }
    static valory_str s(std::string_view v) noexcept { return valory_str{v.data(), v.size()}; }
    static uint64_t ms(std::chrono::milliseconds d) noexcept {
        return d.count() > 0 ? static_cast<uint64_t>(d.count()) : 0;
    }
    static valory_writer writer(std::string* out) noexcept {
        valory_writer w{};
        w.struct_size = sizeof(w);
        w.ctx = out;
        w.write = [](void* ctx, const char* data, size_t size) {
            static_cast<std::string*>(ctx)->append(data, size);
        };
        return w;
    }

    const valory_twitch_api* vt_ = nullptr;
    void* self_ = nullptr;
    std::shared_ptr<void> holder_;
};

}  // namespace valory::sdk
