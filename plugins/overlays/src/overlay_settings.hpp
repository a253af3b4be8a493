// The 19 overlay settings: names (camelCase in the API, snake_case in the database and the public
// document), validation of a partial update, and the JSON views of a stored row.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

enum class FieldKind { Style, Colour, Font, Flag };

struct OverlayField {
    const char* api;     ///< camelCase name in POST /api/users/me/overlay and its answer
    const char* column;  ///< column, also the key of the public GET /api/overlay/{id}
    FieldKind kind;
};

/// The 19 fields in the original's order.
const std::array<OverlayField, 19>& overlayFields();

/// The allowed overlay styles and fonts (the configurator's lists).
const std::vector<std::string>& overlayStyles();
const std::vector<std::string>& overlayFonts();

/// A validated partial update: (field, value as the text the column stores), in field order.
struct SettingsUpdate {
    std::vector<std::pair<const OverlayField*, std::string>> values;
};

/// Validates a request body (a JSON object). Absent and null fields stay unchanged; unknown keys are
/// ignored (the original client may send more). Throws ApiError: 422 with one entry per bad field
/// ({"loc": ["body", name], "msg", "type"}), or 400 when nothing is left to change.
SettingsUpdate validateSettings(const nlohmann::json& body);

/// True for "#RRGGBB".
bool isHexColour(std::string_view s) noexcept;

}  // namespace valory::plugins::overlays
