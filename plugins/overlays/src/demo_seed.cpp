// Demo seeding (settings.demo_streamer): the demo profile's streamer exists with a fixed overlay
// id from the first start, so the README's curl lines work before anyone logs in.
#include "features.hpp"
#include "identity.hpp"
#include "overlay_store.hpp"
#include "session_token.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

void seedDemoStreamer(App& app, const json& spec) {
    const std::string login = spec.value("login", std::string());
    const std::string overlayId = spec.value("overlay_id", std::string());
    const std::string riotId = spec.value("riot_id", std::string());
    if (login.empty() || !isUuid(overlayId)) {
        app.host.warn("demo_streamer: needs a login and a UUID overlay_id; nothing seeded");
        return;
    }
    if (!riotId.empty() && !parseRiotId(riotId)) {
        app.host.warn("demo_streamer: riot_id is not Name#TAG; nothing seeded");
        return;
    }
    json users;
    try {
        users = app.tw().users({}, {login});
    } catch (const sdk::Error& e) {
        app.host.warn("demo_streamer: Twitch lookup of '" + login + "' failed (" + e.what() +
                      "); nothing seeded");
        return;
    }
    if (!users.contains("users") || users["users"].empty()) {
        app.host.warn("demo_streamer: Twitch has no user '" + login + "'; nothing seeded");
        return;
    }
    const json& u = users["users"][0];
    app.sql().transaction([&](sdk::sql::Tx& tx) {
        auto r = tx.exec(
            "INSERT INTO users (username, twitch_id, twitch_display_name, avatar_url, broadcaster_type, "
            "riot_id) "
            "VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, NULLIF($6, '')) "
            "ON CONFLICT (twitch_id) DO UPDATE SET riot_id = COALESCE(users.riot_id, EXCLUDED.riot_id) "
            "RETURNING id",
            {u.value("login", login), u.value("id", std::string()), u.value("display_name", std::string()),
             u.value("profile_image_url", std::string()),
             u.value("broadcaster_type", std::string()) == "partner" ||
                     u.value("broadcaster_type", std::string()) == "affiliate"
                 ? u.value("broadcaster_type", std::string())
                 : std::string(),
             riotId});
        tx.exec("INSERT INTO overlays (id, user_id) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING",
                {overlayId, r.getInt(0, 0)});
    });
    auto o = app.sql().exec(
        "SELECT o.id FROM overlays o JOIN users u ON u.id = o.user_id WHERE u.username = $1", {login});
    const std::string actual = o.rows() == 1 ? std::string(o.get(0, 0)) : std::string();
    invalidateOverlay(app, actual.empty() ? overlayId : actual);
    if (actual == overlayId)
        app.host.info("demo streamer " + login + ": GET /api/overlay/" + overlayId);
    else
        app.host.warn("demo streamer " + login + " already had overlay " + actual + " (not " + overlayId +
                      ")");
}

}  // namespace valory::plugins::overlays
