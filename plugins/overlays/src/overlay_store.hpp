// Reading and caching overlay rows: the JSON views of a row, the public document's cache key
// (exact key per overlay: a change evicts that one entry on every host) and its invalidation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app.hpp"

namespace valory::plugins::overlays {

/// SELECT list of an overlay row (alias o) in overlayFields() order, then id, user_id, timestamps.
const std::string& overlaySelectList();

/// The settings as POST/GET /api/users/me/overlay answer them: id, user_id, 19 camelCase fields,
/// created_at, updated_at. `row` is a result of a query starting with overlaySelectList().
nlohmann::json settingsJson(const sdk::sql::Result& r, size_t row);

/// The public document of GET /api/overlay/{id}: 19 snake_case fields (colours upper-cased, as the
/// original), id and riot_id; never the HenrikDev key. nullopt when the overlay does not exist.
std::optional<std::string> loadPublicOverlay(App& app, std::string_view overlayId);

/// cache/1 key of the public document.
std::string overlayCacheKey(const App& app, std::string_view overlayId);

/// Evicts the public document of one overlay (logged, never thrown: the TTL bounds a failure).
void invalidateOverlay(App& app, std::string_view overlayId);

/// The user's overlay id, creating the default overlay if the row is missing.
std::string ensureOverlay(App& app, int64_t userId);

}  // namespace valory::plugins::overlays
