#include <gtest/gtest.h>

#include <stdexcept>

#include "config.hpp"

using namespace valory::plugins::overlays;
using nlohmann::json;

TEST(OverlaysConfig, DefaultsKeepTheSecureCookie) {
    auto c = OverlaysConfig::fromSettings({{"session_secret", std::string(40, 'x')}});
    EXPECT_TRUE(c.cookieSecure);
    EXPECT_FALSE(c.cookieReadable);
    EXPECT_EQ(c.sessionTtl.count(), 2592000);
    EXPECT_EQ(c.cookieSameSite, "Lax");
}

TEST(OverlaysConfig, ShortSecretIsRefusedWithoutEchoingIt) {
    try {
        OverlaysConfig::fromSettings({{"session_secret", "tooshort-secret"}});
        FAIL() << "accepted a short secret";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("session_secret"), std::string::npos);
        EXPECT_EQ(std::string(e.what()).find("tooshort-secret"), std::string::npos);
    }
}

TEST(OverlaysConfig, OriginsMustBeOrigins) {
    json s = {{"session_secret", std::string(40, 'x')}, {"allowed_origins", {"https://valory.example/app"}}};
    EXPECT_THROW(OverlaysConfig::fromSettings(s), std::invalid_argument);
    s["allowed_origins"] = {"https://valory.example", "http://127.0.0.1:5173"};
    EXPECT_EQ(OverlaysConfig::fromSettings(s).allowedOrigins.size(), 2u);
}

TEST(OverlaysConfig, SameSiteNoneNeedsSecure) {
    json s = {
        {"session_secret", std::string(40, 'x')}, {"cookie_same_site", "None"}, {"cookie_secure", false}};
    EXPECT_THROW(OverlaysConfig::fromSettings(s), std::invalid_argument);
}
