#include "overlay_store.hpp"

#include <cctype>

#include "overlay_settings.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

const std::string& overlaySelectList() {
    static const std::string list = [] {
        std::string s;
        for (const auto& f : overlayFields()) s += std::string("o.") + f.column + ", ";
        s += "o.id, o.user_id, to_json(o.created_at) #>> '{}', to_json(o.updated_at) #>> '{}'";
        return s;
    }();
    return list;
}

namespace {
constexpr size_t kFieldCount = 19;

json fieldValue(const OverlayField& f, std::string_view text, bool upperColours) {
    if (f.kind == FieldKind::Flag) return text == "t" || text == "true";
    std::string v(text);
    if (upperColours && f.kind == FieldKind::Colour)
        for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
}
}  // namespace

json settingsJson(const sdk::sql::Result& r, size_t row) {
    json j;
    j["id"] = std::string(r.get(row, kFieldCount));
    j["user_id"] = r.getInt(row, kFieldCount + 1);
    const auto& fields = overlayFields();
    for (size_t i = 0; i < fields.size(); ++i) j[fields[i].api] = fieldValue(fields[i], r.get(row, i), false);
    j["created_at"] = std::string(r.get(row, kFieldCount + 2));
    j["updated_at"] = std::string(r.get(row, kFieldCount + 3));
    return j;
}

std::string overlayCacheKey(const App& app, std::string_view overlayId) {
    return sdk::Cache::key(app.config.cacheNamespace, "v1", "overlay", overlayId);
}

std::optional<std::string> loadPublicOverlay(App& app, std::string_view overlayId) {
    std::string key;
    if (app.cache) {
        key = overlayCacheKey(app, overlayId);
        try {
            if (auto hit = app.cache->get(key)) return std::move(hit->value);
        } catch (const sdk::Error& e) {
            app.host.warn(std::string("overlay cache read failed, reading PostgreSQL: ") + e.what());
        }
    }
    auto r = app.sql().exec("SELECT " + overlaySelectList() +
                                ", u.riot_id FROM overlays o JOIN users u ON u.id = o.user_id "
                                "WHERE o.id = $1::uuid",
                            {overlayId}, VALORY_SQL_READ_ONLY);
    if (r.rows() == 0) return std::nullopt;  // not cached: a later creation shows at once
    json j;
    const auto& fields = overlayFields();
    for (size_t i = 0; i < fields.size(); ++i) j[fields[i].column] = fieldValue(fields[i], r.get(0, i), true);
    j["id"] = std::string(r.get(0, kFieldCount));
    j["riot_id"] =
        r.isNull(0, kFieldCount + 4) ? json(nullptr) : json(std::string(r.get(0, kFieldCount + 4)));
    std::string body = j.dump();
    if (app.cache) {
        try {
            sdk::CacheOptions o;
            o.ttl = app.config.overlayCacheTtl;
            app.cache->set(key, body, o);
        } catch (const sdk::Error& e) {
            app.host.warn(std::string("overlay cache write failed: ") + e.what());
        }
    }
    return body;
}

void invalidateOverlay(App& app, std::string_view overlayId) {
    if (!app.cache) return;
    try {
        app.cache->erase(overlayCacheKey(app, overlayId));
    } catch (const sdk::Error& e) {
        app.host.warn("overlay cache eviction failed (the entry expires after overlay_cache_ttl_s): " +
                      std::string(e.what()));
    }
}

std::string ensureOverlay(App& app, int64_t userId) {
    auto r = app.sql().exec("SELECT id FROM overlays WHERE user_id = $1", {userId});
    if (r.rows() == 1) return std::string(r.get(0, 0));
    auto c = app.sql().exec(
        "INSERT INTO overlays (user_id) VALUES ($1) ON CONFLICT (user_id) DO UPDATE SET user_id = "
        "EXCLUDED.user_id RETURNING id",
        {userId});
    return std::string(c.get(0, 0));
}

}  // namespace valory::plugins::overlays
