// Who is calling: the session cookie (the original's name "Authorization", raw JWT value) checked
// against its signature, expiry and its auth_sessions row (revoked or expired rows end it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "app.hpp"

namespace valory::plugins::overlays {

inline constexpr const char* kSessionCookie = "Authorization";
inline constexpr const char* kStateCookie = "twitch_state";

struct CurrentUser {
    int64_t id = 0;
    std::string sessionId;
};

/// The logged-in user, or ApiError 401 with the original's messages.
CurrentUser requireUser(App& app, const sdk::Request& req);

/// A Set-Cookie value with the configured Secure / HttpOnly / SameSite / Domain attributes.
/// maxAge 0 deletes the cookie. `httpOnly` false only when the config makes it readable.
std::string cookieHeader(const OverlaysConfig& config, std::string_view name, std::string_view value,
                         int64_t maxAge, std::string_view path, bool httpOnly, std::string_view sameSite);

}  // namespace valory::plugins::overlays
