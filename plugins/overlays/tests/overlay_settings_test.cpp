// Validation of POST /api/users/me/overlay bodies: every field's bad value is named in the 422.
#include <gtest/gtest.h>

#include <set>

#include "app.hpp"
#include "overlay_settings.hpp"

using namespace valory::plugins::overlays;
using nlohmann::json;

namespace {

json allFields() {
    return json::parse(
        R"({"overlayStyle": "minimal", "backgroundColor": "#07090E", "disabledBackground": false,
 "disabledBorder": false, "disabledBackgroundGradient": false, "disabledGlowEffect": false,
 "disabledPeakRankIcon": false, "disabledLeaderboardPlace": false, "disabledPeakRR": false,
 "textColor": "#f2f2f2", "primaryTextColor": "#f2f2f2", "overlayFont": "Inter",
 "winColor": "#00FFE3", "loseColor": "#FF7986", "disabledWinLose": false,
 "disabledLastMatchPoints": false, "disabledProgress": false,
 "progressColor": "#00FFE3", "progressBgColor": "#f2f2f2"})");
}

std::set<std::string> namedFields(const ApiError& e) {
    std::set<std::string> out;
    for (const auto& d : e.detail()) out.insert(d["loc"][1].get<std::string>());
    return out;
}

}  // namespace

TEST(OverlaySettings, TheOriginalClientsFullBodyIsValid) {
    auto u = validateSettings(allFields());
    EXPECT_EQ(u.values.size(), 19u);
    EXPECT_EQ(overlayFields().size(), 19u);
}

TEST(OverlaySettings, EachFieldsBadValueIsNamed) {
    for (const auto& f : overlayFields()) {
        json body = allFields();
        body[f.api] = f.kind == FieldKind::Flag ? json("yes") : json("#12345G");
        try {
            validateSettings(body);
            FAIL() << f.api << " accepted a bad value";
        } catch (const ApiError& e) {
            EXPECT_EQ(e.status(), 422);
            EXPECT_EQ(namedFields(e), std::set<std::string>{f.api});
            EXPECT_EQ(e.detail()[0]["loc"][0], "body");
        }
    }
}

TEST(OverlaySettings, AllBadFieldsAreListedAtOnce) {
    json body = {{"overlayStyle", "neon"},
                 {"overlayFont", "Comic Sans"},
                 {"winColor", 5},
                 {"disabledBorder", 1},
                 {"textColor", "#fff"}};
    try {
        validateSettings(body);
        FAIL();
    } catch (const ApiError& e) {
        EXPECT_EQ(namedFields(e), (std::set<std::string>{"overlayStyle", "overlayFont", "winColor",
                                                         "disabledBorder", "textColor"}));
    }
}

TEST(OverlaySettings, NullAndUnknownMeanUnchanged) {
    auto u = validateSettings({{"winColor", "#ABCDEF"}, {"loseColor", nullptr}, {"somethingElse", 3}});
    ASSERT_EQ(u.values.size(), 1u);
    EXPECT_STREQ(u.values[0].first->column, "win_color");
    EXPECT_EQ(u.values[0].second, "#ABCDEF");
    try {
        validateSettings({{"loseColor", nullptr}, {"unknown", true}});
        FAIL();
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status(), 400);
    }
}

TEST(OverlaySettings, StylesAndFontsAreTheConfiguratorsLists) {
    EXPECT_EQ(overlayStyles().size(), 4u);
    EXPECT_EQ(overlayFonts().size(), 24u);
    EXPECT_NO_THROW(validateSettings({{"overlayFont", "Russo one"}, {"overlayStyle", "new_v2"}}));
    EXPECT_THROW(validateSettings({{"overlayFont", "Russo One"}}), ApiError);
    EXPECT_THROW(validateSettings({{"overlayStyle", "OLD"}}), ApiError);
}

TEST(OverlaySettings, HexColours) {
    EXPECT_TRUE(isHexColour("#07090E"));
    EXPECT_TRUE(isHexColour("#abcdef"));
    EXPECT_FALSE(isHexColour("07090E"));
    EXPECT_FALSE(isHexColour("#07090"));
    EXPECT_FALSE(isHexColour("#07090EE"));
    EXPECT_FALSE(isHexColour("#07090G"));
    EXPECT_FALSE(isHexColour(std::string("#07090\0", 7)));
}
