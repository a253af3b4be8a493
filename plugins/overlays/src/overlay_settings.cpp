#include "overlay_settings.hpp"

#include <algorithm>

#include "app.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

const std::array<OverlayField, 19>& overlayFields() {
    static const std::array<OverlayField, 19> kFields = {{
        {"overlayStyle", "overlay_style", FieldKind::Style},
        {"backgroundColor", "background_color", FieldKind::Colour},
        {"disabledBackground", "disabled_background", FieldKind::Flag},
        {"disabledBorder", "disabled_border", FieldKind::Flag},
        {"disabledBackgroundGradient", "disabled_background_gradient", FieldKind::Flag},
        {"disabledGlowEffect", "disabled_glow_effect", FieldKind::Flag},
        {"disabledPeakRankIcon", "disabled_peak_rank_icon", FieldKind::Flag},
        {"disabledLeaderboardPlace", "disabled_leaderboard_place", FieldKind::Flag},
        {"disabledPeakRR", "disabled_peak_rr", FieldKind::Flag},
        {"textColor", "text_color", FieldKind::Colour},
        {"primaryTextColor", "primary_color", FieldKind::Colour},
        {"overlayFont", "overlay_font", FieldKind::Font},
        {"winColor", "win_color", FieldKind::Colour},
        {"loseColor", "lose_color", FieldKind::Colour},
        {"disabledWinLose", "disabled_win_lose", FieldKind::Flag},
        {"disabledLastMatchPoints", "disabled_last_match_points", FieldKind::Flag},
        {"disabledProgress", "disabled_progress", FieldKind::Flag},
        {"progressColor", "progress_color", FieldKind::Colour},
        {"progressBgColor", "progress_bg_color", FieldKind::Colour},
    }};
    return kFields;
}

const std::vector<std::string>& overlayStyles() {
    static const std::vector<std::string> k = {"old", "new", "minimal", "new_v2"};
    return k;
}

const std::vector<std::string>& overlayFonts() {
    static const std::vector<std::string> k = {"Roboto",
                                               "Open Sans",
                                               "Montserrat",
                                               "Lato",
                                               "Poppins",
                                               "Inter",
                                               "DM Sans",
                                               "Public Sans",
                                               "Manrope",
                                               "Sora",
                                               "Outfit",
                                               "Urbanist",
                                               "Space Grotesk",
                                               "Geist",
                                               "JetBrains Mono",
                                               "Space Mono",
                                               "Geist Mono",
                                               "Lora",
                                               "Rajdhani",
                                               "Gabarito",
                                               "Oxanium",
                                               "Russo one",
                                               "Bricolage Grotesque",
                                               "Onest"};
    return k;
}

bool isHexColour(std::string_view s) noexcept {
    if (s.size() != 7 || s[0] != '#') return false;
    return std::all_of(s.begin() + 1, s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

namespace {
std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "'" : ", '") + s + "'";
    return out;
}
}  // namespace

SettingsUpdate validateSettings(const json& body) {
    SettingsUpdate update;
    json errors = json::array();
    for (const auto& f : overlayFields()) {
        auto it = body.find(f.api);
        if (it == body.end() || it->is_null()) continue;
        const json& v = *it;
        switch (f.kind) {
            case FieldKind::Flag:
                if (!v.is_boolean()) {
                    errors.push_back(
                        fieldError("body", f.api, "Input should be a valid boolean", "bool_type"));
                    continue;
                }
                update.values.emplace_back(&f, v.get<bool>() ? "true" : "false");
                break;
            case FieldKind::Colour:
                if (!v.is_string() || !isHexColour(v.get_ref<const std::string&>())) {
                    errors.push_back(fieldError("body", f.api, "Input should be a hex colour like '#07090E'",
                                                "string_pattern_mismatch"));
                    continue;
                }
                update.values.emplace_back(&f, v.get<std::string>());
                break;
            case FieldKind::Style:
            case FieldKind::Font: {
                const auto& allowed = f.kind == FieldKind::Style ? overlayStyles() : overlayFonts();
                if (!v.is_string() || std::find(allowed.begin(), allowed.end(),
                                                v.get_ref<const std::string&>()) == allowed.end()) {
                    errors.push_back(fieldError("body", f.api, "Input should be " + joined(allowed), "enum"));
                    continue;
                }
                update.values.emplace_back(&f, v.get<std::string>());
                break;
            }
        }
    }
    if (!errors.empty()) throw ApiError(422, errors, "invalid overlay settings");
    if (update.values.empty()) throw ApiError(400, "No overlay settings provided");
    return update;
}

}  // namespace valory::plugins::overlays
