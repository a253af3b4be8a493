#include "auth.hpp"

#include <chrono>

#include "session_token.hpp"

namespace valory::plugins::overlays {

CurrentUser requireUser(App& app, const sdk::Request& req) {
    auto cookie = req.cookie(kSessionCookie);
    if (!cookie || cookie->empty()) throw ApiError(401, "Token is missing in cookies");
    SessionClaims claims;
    try {
        claims = SessionTokens(app.config.sessionSecret).verify(*cookie, std::chrono::system_clock::now());
    } catch (const TokenError& e) {
        throw ApiError(401, e.what());
    }
    auto r = app.sql().exec(
        "SELECT s.user_id FROM auth_sessions s WHERE s.id = $1::uuid AND s.revoked_at IS NULL "
        "AND s.expires_at > now()",
        {claims.sessionId}, VALORY_SQL_READ_ONLY);
    if (r.rows() != 1) throw ApiError(401, "Session has ended; please log in again");
    if (r.getInt(0, 0) != claims.userId) throw ApiError(401, "User not found");
    return CurrentUser{claims.userId, claims.sessionId};
}

std::string cookieHeader(const OverlaysConfig& config, std::string_view name, std::string_view value,
                         int64_t maxAge, std::string_view path, bool httpOnly, std::string_view sameSite) {
    std::string c(name);
    c += '=';
    c += value;
    c += "; Max-Age=" + std::to_string(maxAge > 0 ? maxAge : 0);
    c += "; Path=";
    c += path;
    if (!config.cookieDomain.empty()) c += "; Domain=" + config.cookieDomain;
    c += "; SameSite=";
    c += sameSite;
    if (config.cookieSecure) c += "; Secure";
    if (httpOnly) c += "; HttpOnly";
    return c;
}

}  // namespace valory::plugins::overlays
