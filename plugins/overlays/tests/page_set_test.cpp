#include "page_set.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ov = valory::plugins::overlays;
using nlohmann::json;

TEST(PagesConfig, DefaultsWhenAbsentAndChecksValues) {
    auto c = ov::PagesConfig::fromSettings(json::object());
    EXPECT_EQ(c.pollS, 30);
    EXPECT_FALSE(c.googleFonts);
    EXPECT_TRUE(c.branding);
    c = ov::PagesConfig::fromSettings(json{{"pages", {{"poll_s", 10}, {"google_fonts", true}}}});
    EXPECT_EQ(c.pollS, 10);
    EXPECT_TRUE(c.googleFonts);
    EXPECT_THROW(ov::PagesConfig::fromSettings(json{{"pages", {{"poll_s", "10"}}}}), std::invalid_argument);
    EXPECT_THROW(ov::PagesConfig::fromSettings(json{{"pages", {{"poll_s", 3}, {"min_poll_s", 5}}}}),
                 std::invalid_argument);
    EXPECT_THROW(ov::PagesConfig::fromSettings(json{{"pages", {{"emblem_url_template", "http://x/{tier}"}}}}),
                 std::invalid_argument);
    EXPECT_NO_THROW(
        ov::PagesConfig::fromSettings(json{{"pages", {{"emblem_url_template", "https://x/{tier}.png"}}}}));
}

TEST(Pages, JsonForHtmlCannotCloseTheScriptElement) {
    const std::string out = ov::jsonForHtml(json{{"x", "</script><b>&\xE2\x80\xA8"}});
    EXPECT_EQ(out.find('<'), std::string::npos);
    EXPECT_EQ(out.find('>'), std::string::npos);
    EXPECT_EQ(out.find('&'), std::string::npos);
    EXPECT_EQ(out.find("\xE2\x80\xA8"), std::string::npos);
    EXPECT_EQ(json::parse(out)["x"], "</script><b>&\xE2\x80\xA8");
}

TEST(Pages, RendersTemplatesAndNamesAMissingOne) {
    const auto dir = std::filesystem::temp_directory_path() / ("page-set-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "pages");
    EXPECT_THROW(ov::PageSet{dir}, std::runtime_error);
    for (const char* n : {"overlay", "dashboard", "index"})
        std::ofstream(dir / "pages" / (std::string(n) + ".html")) << "<script>{{config}}</script>" << n;
    ov::PageSet set(dir);
    EXPECT_EQ(set.render("overlay", json{{"a", 1}}), "<script>{\"a\":1}</script>overlay");
    EXPECT_THROW(set.render("nope", json::object()), std::out_of_range);
    std::filesystem::remove_all(dir);
}

TEST(FrontendLoad, ParsesTheContractAndRefusesBadReports) {
    const std::string id = "3f1c2b4a-9d7e-4c1a-8b2f-6e5d4c3b2a10";
    std::string err;
    auto r = ov::parseFrontendLoad(
        R"({"overlay_id":")" + id + R"(","first_render_ms":812.4,"poll_failures":2})", id, err);
    ASSERT_TRUE(r) << err;
    EXPECT_EQ(r->payload(), (json{{"overlay_id", id}, {"first_render_ms", 812}, {"poll_failures", 2}}));
    EXPECT_FALSE(ov::parseFrontendLoad("not json", id, err));
    EXPECT_FALSE(ov::parseFrontendLoad("[]", id, err));
    EXPECT_FALSE(ov::parseFrontendLoad(R"({"first_render_ms":-1,"poll_failures":0})", id, err));
    EXPECT_FALSE(ov::parseFrontendLoad(R"({"first_render_ms":"5","poll_failures":0})", id, err));
    EXPECT_FALSE(ov::parseFrontendLoad(R"({"first_render_ms":5})", id, err));
    EXPECT_FALSE(ov::parseFrontendLoad(
        R"({"overlay_id":"00000000-0000-4000-8000-000000000000","first_render_ms":5,"poll_failures":0})", id,
        err));
    EXPECT_NE(err.find("overlay_id"), std::string::npos);
    EXPECT_FALSE(ov::parseFrontendLoad(std::string(2000, ' '), id, err));
}

TEST(BeaconLimiter, OnePerIntervalPerKeyWithBoundedKeys) {
    ov::BeaconLimiter lim(std::chrono::milliseconds(1000), 2);
    const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    EXPECT_TRUE(lim.allow("a", t0));
    EXPECT_FALSE(lim.allow("a", t0 + std::chrono::milliseconds(999)));
    EXPECT_TRUE(lim.allow("a", t0 + std::chrono::milliseconds(1000)));
    EXPECT_TRUE(lim.allow("b", t0));
    EXPECT_FALSE(lim.allow("c", t0 + std::chrono::milliseconds(10)));   // full, nobody expired
    EXPECT_TRUE(lim.allow("c", t0 + std::chrono::milliseconds(2500)));  // expired keys dropped
}
