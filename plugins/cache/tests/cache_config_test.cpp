#include "cache_config.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace valory::plugins::cache {
namespace {

TEST(CacheConfig, DefaultsAndNamespaces) {
    auto c = CacheConfig::fromJson(nlohmann::json::parse(R"({
        "url": "redis://127.0.0.1:6380/2", "pool_size": 3, "default_ttl_ms": 60000,
        "namespaces": [{"name": "riot", "max_ttl_ms": 120000, "max_value_bytes": 4096}]})"));
    EXPECT_EQ(c.poolSize, 3u);
    EXPECT_EQ(c.defaults.defaultTtlMs, 60000u);
    const auto& riot = c.policyFor("riot");
    EXPECT_EQ(riot.maxTtlMs, 120000u);
    EXPECT_EQ(riot.maxValueBytes, 4096u);
    EXPECT_EQ(riot.defaultTtlMs, 60000u);  // inherited
    EXPECT_EQ(c.policyFor("other").maxValueBytes, 1u << 20);
    auto ep = RedisEndpoint::parse(c.url);
    EXPECT_EQ(ep.port, 6380);
    EXPECT_EQ(ep.db, 2);
}

TEST(CacheConfig, ErrorsNameTheKey) {
    auto err = [](const char* text) {
        try {
            CacheConfig::fromJson(nlohmann::json::parse(text));
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(err(R"({"namespaces": [{"name": "a", "min_ttl_ms": 10, "max_ttl_ms": 5}]})")
                  .find("namespaces[0].min_ttl_ms"),
              std::string::npos);
    EXPECT_NE(err(R"({"url": "http://x"})").find("url"), std::string::npos);
    EXPECT_NE(err(R"({"pool_size": 0})").find("pool_size"), std::string::npos);
    EXPECT_NE(err(R"({"namespaces": [{"name": "a"}, {"name": "a"}]})").find("duplicate"), std::string::npos);
}

TEST(CacheConfig, ManifestDefaultsAreAccepted) {
    std::ifstream in(VALORY_CACHE_MANIFEST_FOR_UNIT);
    ASSERT_TRUE(in) << "plugin.json not found";
    std::stringstream ss;
    ss << in.rdbuf();
    auto manifest = nlohmann::json::parse(ss.str());
    nlohmann::json settings = nlohmann::json::object();
    for (auto& [k, v] : manifest["config_schema"]["properties"].items())
        if (v.contains("default")) settings[k] = v["default"];
    auto c = CacheConfig::fromJson(settings);
    EXPECT_EQ(c.poolSize, 20u);
    EXPECT_EQ(c.receiveTimeout.count(), 5000);
    EXPECT_EQ(c.healthCheckInterval.count(), 30000);
}

}  // namespace
}  // namespace valory::plugins::cache
