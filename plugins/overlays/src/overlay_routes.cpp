// POST/GET /api/users/me/overlay (the streamer's settings) and the public GET /api/overlay/{id}.
#include "auth.hpp"
#include "features.hpp"
#include "overlay_settings.hpp"
#include "overlay_store.hpp"
#include "session_token.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

json readSettings(App& app, int64_t userId) {
    auto r =
        app.sql().exec("SELECT " + overlaySelectList() + " FROM overlays o WHERE o.user_id = $1", {userId});
    if (r.rows() == 0) {
        ensureOverlay(app, userId);
        r = app.sql().exec("SELECT " + overlaySelectList() + " FROM overlays o WHERE o.user_id = $1",
                           {userId});
    }
    return settingsJson(r, 0);
}

/// INSERT ... ON CONFLICT (user_id) DO UPDATE of the given columns only; the column names come
/// from overlayFields() (never from the request), the values are parameters.
json saveSettings(App& app, int64_t userId, const SettingsUpdate& update) {
    std::string cols = "user_id", vals = "$1", sets;
    sdk::sql::Params params{userId};
    for (const auto& [field, value] : update.values) {
        params.emplace_back(value);
        const std::string p = "$" + std::to_string(params.size());
        cols += std::string(", ") + field->column;
        vals += ", " + p;
        sets += std::string(field->column) + " = EXCLUDED." + field->column + ", ";
    }
    sets += "updated_at = now()";
    auto r = app.sql().exec("INSERT INTO overlays AS o (" + cols + ") VALUES (" + vals +
                                ") ON CONFLICT (user_id) DO UPDATE SET " + sets + " RETURNING " +
                                overlaySelectList(),
                            params);
    return settingsJson(r, 0);
}

std::string cacheControl(const App& app) {
    const auto age = app.config.overlayMaxAge.count();
    return age > 0 ? "public, max-age=" + std::to_string(age) : std::string("public, no-cache");
}

}  // namespace

void registerOverlayRoutes(App& app) {
    app.routes.add("POST", "/api/users/me/overlay", [&app](const sdk::Request& req, sdk::Response& resp) {
        requireSafeWrite(app, req);
        const CurrentUser user = requireUser(app, req);
        json body = jsonBody(req, /*allowEmpty=*/true);
        if (body.empty()) throw ApiError(400, "No overlay settings provided");
        const SettingsUpdate update = validateSettings(body);
        json settings = saveSettings(app, user.id, update);
        invalidateOverlay(app, settings["id"].get<std::string>());
        resp.header("Cache-Control", "no-store");
        resp.json({{"message", "Overlay settings saved successfully"}, {"settings", settings}});
    });

    app.routes.add("GET", "/api/users/me/overlay", [&app](const sdk::Request& req, sdk::Response& resp) {
        const CurrentUser user = requireUser(app, req);
        resp.header("Cache-Control", "no-store");
        resp.json(readSettings(app, user.id));
    });

    app.routes.add("GET", "/api/overlay/{overlay_id}", [&app](const sdk::Request& req, sdk::Response& resp) {
        const std::string id(req.param("overlay_id").value_or(""));
        if (!isUuid(id))
            throw ApiError(422,
                           json::array({fieldError("path", "overlay_id", "Input should be a valid UUID",
                                                   "uuid_parsing")}),
                           "bad overlay id");
        std::string lower = id;
        for (auto& c : lower)
            if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        auto body = loadPublicOverlay(app, lower);
        if (!body) throw ApiError(404, "Overlay not found");
        const std::string etag = etagOf(*body);
        resp.header("ETag", etag).header("Cache-Control", cacheControl(app));
        if (etagMatches(req, etag)) {
            resp.status(304);
            return;
        }
        resp.status(200).header("Content-Type", "application/json").body(*body);
    });
}

}  // namespace valory::plugins::overlays
