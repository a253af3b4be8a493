// GET /api/auth/login/twitch, GET /api/auth/callback, POST /api/auth/logout.
//
// Login: a 256-bit state from the kernel CSPRNG is stored in oauth_states (single-use, expires)
// and in an HttpOnly cookie; the callback needs both to match, consumes the row (a replay finds
// nothing), exchanges the code through twitch/1, upserts the user (first login also creates the
// default overlay) and opens an auth_sessions row that the signed session cookie names.
#include <chrono>

#include "auth.hpp"
#include "features.hpp"
#include "overlay_store.hpp"
#include "session_token.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

std::string redirectUri(const App& app) {
    return app.config.redirectUri.empty() ? app.publicUrl() + "/api/auth/callback" : app.config.redirectUri;
}

std::string clearStateCookie(const App& app) {
    return cookieHeader(app.config, kStateCookie, "", 0, "/api/auth", true, "Lax");
}

/// The OAuth error code as it may be echoed: [A-Za-z0-9_.-], at most 64 characters.
std::string safeCode(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64))
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
            c == '-' || c == '.')
            out.push_back(c);
    return out.empty() ? "unknown" : out;
}

std::string twitchFailure(const sdk::Error& e) {
    switch (e.status()) {
        case VALORY_ERR_UNAUTHORIZED:
        case VALORY_ERR_INVALID_ARGUMENT:
            return "Twitch refused the login (the authorization code is invalid or expired); please log in "
                   "again";
        case VALORY_ERR_UNAVAILABLE:
        case VALORY_ERR_TIMEOUT:
        case VALORY_ERR_RATE_LIMITED:
            return "Twitch is not reachable right now; please try again in a moment";
        default:
            return "Twitch answered the login with an error; please try again";
    }
}

struct LoggedIn {
    int64_t userId;
    std::string username;
    std::string twitchId;
    std::string overlayId;
    bool created;
};

/// First login creates the user and the default overlay; later logins refresh the profile.
LoggedIn upsertUser(App& app, const json& user) {
    auto text = [&](const char* k) {
        auto it = user.find(k);
        return it != user.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string id = text("id"), login = text("login"), display = text("display_name");
    std::string avatar = text("profile_image_url"), type = text("broadcaster_type");
    if (id.empty() || login.empty()) throw ApiError(502, "Twitch answered the login without a user");
    if (avatar.rfind("https://", 0) != 0 && avatar.rfind("http://", 0) != 0) avatar.clear();
    if (type != "partner" && type != "affiliate") type.clear();
    return app.sql().transaction([&](sdk::sql::Tx& tx) {
        // A login freed by a rename on Twitch may now belong to someone else: move the old holder
        // aside (its next login takes its new name back).
        tx.exec(
            "UPDATE users SET username = 'renamed-' || id, updated_at = now() "
            "WHERE username = $1 AND twitch_id <> $2",
            {login, id});
        auto r = tx.exec(
            "INSERT INTO users (username, twitch_id, twitch_display_name, avatar_url, broadcaster_type) "
            "VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5) "
            "ON CONFLICT (twitch_id) DO UPDATE SET username = EXCLUDED.username, "
            "twitch_display_name = EXCLUDED.twitch_display_name, avatar_url = EXCLUDED.avatar_url, "
            "broadcaster_type = EXCLUDED.broadcaster_type, updated_at = now() "
            "RETURNING id, (xmax = 0) AS created",
            {login, id, display, avatar, type});
        const int64_t userId = r.getInt(0, 0);
        const bool created = r.getBool(0, 1);
        auto o = tx.exec(
            "INSERT INTO overlays (user_id) VALUES ($1) ON CONFLICT (user_id) DO UPDATE SET user_id = "
            "EXCLUDED.user_id RETURNING id",
            {userId});
        return LoggedIn{userId, login, id, std::string(o.get(0, 0)), created};
    });
}

}  // namespace

void registerAuthRoutes(App& app) {
    app.routes.add("GET", "/api/auth/login/twitch", [&app](const sdk::Request&, sdk::Response& resp) {
        const std::string state = randomToken(32);
        const auto ttl = app.config.stateTtl.count();
        app.sql().exec("DELETE FROM oauth_states WHERE expires_at < now() - interval '1 hour'");
        app.sql().exec(
            "INSERT INTO oauth_states (state, expires_at) VALUES ($1, now() + make_interval(secs => $2))",
            {state, ttl});
        std::string url;
        try {
            url = app.tw().authorizeUrl(state, redirectUri(app));
        } catch (const sdk::Error& e) {
            app.host.error(std::string("cannot build the Twitch login URL: ") + e.what());
            throw ApiError(500, "Failed to initiate OAuth login");
        }
        resp.status(302)
            .header("Location", url)
            .header("Cache-Control", "no-store")
            .addHeader("Set-Cookie",
                       cookieHeader(app.config, kStateCookie, state, ttl, "/api/auth", true, "Lax"));
    });

    app.routes.add("GET", "/api/auth/callback", [&app](const sdk::Request& req, sdk::Response& resp) {
        resp.header("Cache-Control", "no-store");
        resp.addHeader("Set-Cookie", clearStateCookie(app));
        auto state = req.query("state");
        if (auto error = req.query("error")) {
            if (state && !state->empty())
                app.sql().exec("DELETE FROM oauth_states WHERE state = $1", {std::string(*state)});
            throw ApiError(400, "OAuth authorization failed: " + safeCode(*error));
        }
        auto code = req.query("code");
        if (!code || code->empty() || !state || state->empty())
            throw ApiError(400, "Missing required OAuth parameters");
        auto cookie = req.cookie(kStateCookie);
        if (!cookie || *cookie != *state) throw ApiError(400, "Invalid state parameter");
        if (state->size() > 64) throw ApiError(400, "Invalid state parameter");
        // Single use: the row is gone after this, whatever happens next.
        auto r = app.sql().exec("DELETE FROM oauth_states WHERE state = $1 RETURNING expires_at > now()",
                                {std::string(*state)});
        if (r.rows() != 1) throw ApiError(400, "Invalid state parameter");
        if (!r.getBool(0, 0)) throw ApiError(400, "Login attempt expired; please log in again");

        json login;
        try {
            login = app.tw().exchangeCode(*code, redirectUri(app));
        } catch (const sdk::Error& e) {
            app.host.warn(std::string("Twitch code exchange failed: ") + sdk::statusName(e.status()));
            throw ApiError(502, twitchFailure(e));
        }
        if (!login.contains("user") || !login["user"].is_object())
            throw ApiError(502, "Twitch answered the login without a user");
        LoggedIn user = upsertUser(app, login["user"]);
        if (user.created)
            app.host.info("new streamer " + user.username + " (user " + std::to_string(user.userId) + ")");

        const auto ttl = app.config.sessionTtl.count();
        auto s = app.sql().exec(
            "INSERT INTO auth_sessions (user_id, expires_at) VALUES ($1, now() + make_interval(secs => $2)) "
            "RETURNING id, floor(extract(epoch FROM expires_at))::bigint",
            {user.userId, ttl});
        SessionClaims claims;
        claims.userId = user.userId;
        claims.sessionId = std::string(s.get(0, 0));
        claims.username = user.username;
        claims.twitchId = user.twitchId;
        claims.expiresAt = s.getInt(0, 1);
        const std::string token = SessionTokens(app.config.sessionSecret).sign(claims);
        resp.status(302)
            .header("Location", app.config.afterLoginUrl)
            .addHeader("Set-Cookie", cookieHeader(app.config, kSessionCookie, token, ttl, "/",
                                                  !app.config.cookieReadable, app.config.cookieSameSite));
    });

    app.routes.add("POST", "/api/auth/logout", [&app](const sdk::Request& req, sdk::Response& resp) {
        requireSafeWrite(app, req);
        bool ended = false;
        if (auto cookie = req.cookie(kSessionCookie); cookie && !cookie->empty()) {
            try {
                auto claims =
                    SessionTokens(app.config.sessionSecret).verify(*cookie, std::chrono::system_clock::now());
                auto r = app.sql().exec(
                    "UPDATE auth_sessions SET revoked_at = now() WHERE id = $1::uuid AND revoked_at IS NULL",
                    {claims.sessionId});
                ended = r.affected() == 1;
            } catch (const TokenError&) {
                // not a valid session: nothing to end, the cookie is cleared all the same
            }
        }
        resp.header("Cache-Control", "no-store")
            .addHeader("Set-Cookie", cookieHeader(app.config, kSessionCookie, "", 0, "/",
                                                  !app.config.cookieReadable, app.config.cookieSameSite));
        resp.json({{"message", ended ? "Logged out" : "No active session"}});
    });
}

}  // namespace valory::plugins::overlays
