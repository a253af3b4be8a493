// Session tokens: HS256 JWTs (Poco::JWT) whose claims name a row of auth_sessions, so that logout
// can end a session server-side. The token is only a signed pointer; the row decides.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace valory::plugins::overlays {

struct SessionClaims {
    int64_t userId = 0;     ///< "sub" (as a string, like the original)
    std::string sessionId;  ///< "jti": auth_sessions.id
    std::string username;   ///< "username"
    std::string twitchId;   ///< "twitch_id"
    int64_t expiresAt = 0;  ///< "exp", seconds since the epoch
};

/// A token that must be refused; what() is the message for the 401 answer.
class TokenError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class SessionTokens {
  public:
    explicit SessionTokens(std::string secret);

    /// Signs the claims (HS256, "typ": "JWT", "type": "access_token", "iat" now).
    std::string sign(const SessionClaims& claims) const;

    /// Checks signature (HS256 only: "none" and other algorithms are refused), expiry at `now`
    /// and the claims; throws TokenError with the original's messages.
    SessionClaims verify(std::string_view token, std::chrono::system_clock::time_point now) const;

  private:
    std::string secret_;
};

/// A random URL-safe string with `bytes` bytes of entropy from the kernel CSPRNG (getrandom).
std::string randomToken(size_t bytes);

/// True for a canonical textual UUID (8-4-4-4-12 hex).
bool isUuid(std::string_view s) noexcept;

}  // namespace valory::plugins::overlays
