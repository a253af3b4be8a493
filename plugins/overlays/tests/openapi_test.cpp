// Every route the plugin registers is documented in /api/openapi.json, and every documented route
// is registered: the routes are collected by running the plugin's own registration list.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "app.hpp"
#include "features.hpp"
#include "openapi.hpp"

using namespace valory::plugins::overlays;

namespace {

OverlaysConfig testConfig() {
    OverlaysConfig c;
    c.sessionSecret = std::string(32, 'k');
    return c;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

TEST(OpenApi, EveryRegisteredRouteIsDocumented) {
    App app(testConfig());
    registerFeatures(app);
    ASSERT_FALSE(app.routes.entries().empty());
    const auto& doc = openapiDocument();
    for (const auto& r : app.routes.entries()) {
        ASSERT_TRUE(doc["paths"].contains(r.path)) << r.method << " " << r.path << " is not in openapi.json";
        EXPECT_TRUE(doc["paths"][r.path].contains(lower(r.method)))
            << r.method << " " << r.path << " is not in openapi.json";
    }
}

TEST(OpenApi, EveryDocumentedRouteIsRegistered) {
    App app(testConfig());
    registerFeatures(app);
    std::set<std::string> registered;
    for (const auto& r : app.routes.entries()) registered.insert(lower(r.method) + " " + r.path);
    for (const auto& [path, ops] : openapiDocument()["paths"].items())
        for (const auto& [method, op] : ops.items()) {
            EXPECT_TRUE(registered.count(method + " " + path))
                << method << " " << path << " is documented only";
            EXPECT_TRUE(op.contains("responses")) << method << " " << path;
        }
}

TEST(OpenApi, IsOpenApi3) {
    const auto& doc = openapiDocument();
    EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
    EXPECT_TRUE(doc["info"].contains("title"));
}
