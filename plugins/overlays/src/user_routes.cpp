// GET /api/users/me, POST /api/users/me/riotid, POST /api/users/me/hdev_api_key.
//
// A Riot ID is resolved through riot/1 before it is stored (an unknown player is a 404), with the
// streamer's own HenrikDev key when one is stored, else the operator's (riot/1's configured key).
// A HenrikDev key is checked for its format, probed upstream with a FRESH lookup (refused -> 400),
// stored, and from then on only ever shown masked. Neither the key nor the body is ever logged.
#include <functional>

#include "auth.hpp"
#include "features.hpp"
#include "identity.hpp"
#include "overlay_store.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

/// The string field `name` of the body: absent -> 422 "Field required", not a string -> 422.
std::string stringField(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null())
        throw ApiError(422, json::array({fieldError("body", name, "Field required", "missing")}),
                       "missing field");
    if (!it->is_string())
        throw ApiError(
            422, json::array({fieldError("body", name, "Input should be a valid string", "string_type")}),
            "bad field");
    return it->get<std::string>();
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

/// Maps a riot/1 failure to the messages the original client shows (§7.2 of its overlay page).
[[noreturn]] void riotFailure(const sdk::Error& e, bool ownKey) {
    switch (e.status()) {
        case VALORY_ERR_NOT_FOUND:
            throw ApiError(404, "User not found.");
        case VALORY_ERR_UNAUTHORIZED:
            if (ownKey) throw ApiError(400, "Invalid Henrik's API key.");
            throw ApiError(502, "The server's HenrikDev key was refused; tell the operator");
        case VALORY_ERR_RATE_LIMITED: {
            ApiError err(429, "Too many requests. Please wait.");
            err.headers.emplace_back("Retry-After",
                                     std::to_string(std::max<int64_t>(1, (e.detail() + 999) / 1000)));
            throw err;
        }
        case VALORY_ERR_INVALID_ARGUMENT:
            throw ApiError(422,
                           json::array({fieldError("body", "riot_id", "Not a valid Riot ID", "value_error")}),
                           "bad riot id");
        default:
            throw ApiError(502, "Network error: the Valorant data service did not answer; try again");
    }
}

std::optional<std::string> storedKey(App& app, int64_t userId) {
    auto r = app.sql().exec("SELECT hdev_api_key FROM users WHERE id = $1", {userId});
    if (r.rows() == 0) throw ApiError(401, "User not found");
    return r.opt(0, 0);
}

/// A name no player has, derived from the key so concurrent probes of different keys are never
/// coalesced into one upstream call.
sdk::RiotQuery probeQuery(const std::string& key) {
    uint32_t h = 2166136261u;
    for (unsigned char c : key) h = (h ^ c) * 16777619u;
    static const char kAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string tag;
    for (int i = 0; i < 5; ++i, h /= 36) tag.push_back(kAlnum[h % 36]);
    sdk::RiotQuery q = sdk::RiotQuery::byRiotId("ValoryKeyCheck", tag);
    q.apiKey = key;
    q.flags = VALORY_RIOT_FRESH;
    return q;
}

}  // namespace

void registerUserRoutes(App& app) {
    app.routes.add("GET", "/api/users/me", [&app](const sdk::Request& req, sdk::Response& resp) {
        const CurrentUser user = requireUser(app, req);
        const std::string overlayId = ensureOverlay(app, user.id);
        auto r = app.sql().exec(
            "SELECT id, twitch_id, broadcaster_type, twitch_display_name, username, avatar_url, riot_id, "
            "hdev_api_key FROM users WHERE id = $1",
            {user.id});
        if (r.rows() == 0) throw ApiError(401, "User not found");
        auto opt = [&](size_t c) { return r.isNull(0, c) ? json(nullptr) : json(std::string(r.get(0, c))); };
        auto key = r.opt(0, 7);
        resp.header("Cache-Control", "no-store");
        resp.json({{"id", r.getInt(0, 0)},
                   {"twitch_id", opt(1)},
                   {"broadcaster_type", opt(2)},
                   {"twitch_display_name", opt(3)},
                   {"username", opt(4)},
                   {"avatar_url", opt(5)},
                   {"overlay_id", overlayId},
                   {"riot_id", opt(6)},
                   {"has_hdev_api_key", key.has_value()},
                   {"hdev_api_key_masked", key ? json(maskKey(*key)) : json(nullptr)}});
    });

    app.routes.add("POST", "/api/users/me/riotid", [&app](const sdk::Request& req, sdk::Response& resp) {
        requireSafeWrite(app, req);
        const CurrentUser user = requireUser(app, req);
        const std::string text = trimmed(stringField(jsonBody(req), "riot_id"));
        if (text.empty()) throw ApiError(400, "Riot ID is empty");
        auto id = parseRiotId(text);
        if (!id)
            throw ApiError(
                422,
                json::array({fieldError("body", "riot_id",
                                        "Riot ID should look like 'Name#TAG' (3-16 letters or digits, "
                                        "single spaces, then 3-5 letters or digits)",
                                        "value_error")}),
                "bad riot id");
        const auto key = storedKey(app, user.id);
        sdk::RiotQuery q = sdk::RiotQuery::byRiotId(id->name, id->tag);
        if (key) q.apiKey = *key;
        json account;
        try {
            account = app.rt().account(q);
        } catch (const sdk::Error& e) {
            riotFailure(e, key.has_value());
        }
        const std::string riotId =
            account.value("name", id->name) + "#" + account.value("tag", id->tag);  // Riot's own spelling
        app.sql().exec(
            "UPDATE users SET riot_id = $2, riot_puuid = NULLIF($3, ''), riot_region = NULLIF($4, ''), "
            "updated_at = now() WHERE id = $1",
            {user.id, riotId, account.value("puuid", std::string()), account.value("region", std::string())});
        invalidateOverlay(app, ensureOverlay(app, user.id));
        resp.header("Cache-Control", "no-store");
        resp.json({{"message", "Riot ID set successfully"},
                   {"riot_id", riotId},
                   {"region", account.value("region", std::string())}});
    });

    app.routes.add(
        "POST", "/api/users/me/hdev_api_key", [&app](const sdk::Request& req, sdk::Response& resp) {
            requireSafeWrite(app, req);
            const CurrentUser user = requireUser(app, req);
            const std::string key = trimmed(stringField(jsonBody(req), "hdev_api_key"));
            if (key.empty()) throw ApiError(400, "HDEV API key is empty");
            if (!isHdevKeyFormat(key))
                throw ApiError(422,
                               json::array({fieldError(
                                   "body", "hdev_api_key",
                                   "HenrikDev keys look like HDEV-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
                                   "string_pattern_mismatch")}),
                               "bad key format");
            try {
                json probe = app.rt().account(probeQuery(key));
                if (probe.value("stale", false))  // served from cache: the key was not really tried
                    throw ApiError(503, "Could not check the key with HenrikDev right now; try again");
            } catch (const sdk::Error& e) {
                if (e.status() != VALORY_ERR_NOT_FOUND) riotFailure(e, /*ownKey=*/true);
                // not found: HenrikDev accepted the key and answered the (made-up) lookup
            }
            app.sql().exec("UPDATE users SET hdev_api_key = $2, updated_at = now() WHERE id = $1",
                           {user.id, key});
            resp.header("Cache-Control", "no-store");
            resp.json({{"message", "HDEV API key set successfully"}, {"hdev_api_key_masked", maskKey(key)}});
        });
}

}  // namespace valory::plugins::overlays
