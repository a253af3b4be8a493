// The cache plugin through the SDK's fake host: manifest, settings, cache/1 registration, health.
#include <gtest/gtest.h>

#include "redis_test_server.hpp"
#include "valory/cpp/cache.hpp"
#include "valory/testkit/fake_host.hpp"

namespace {

using valory::testkit::FakeHost;

std::string manifest() {
    return FakeHost::readFile(VALORY_CACHE_MANIFEST);
}

TEST(CachePlugin, ProvidesCacheServiceBackedByRedis) {
    std::string url;
    try {
        url = valory::testsupport::sharedRedisUrl();
    } catch (const std::exception& e) {
        FAIL() << e.what();
    }
    FakeHost host;
    nlohmann::json settings = {{"url", url}, {"channel", "valory:test:plugin:" + std::to_string(getpid())}};
    auto p = host.load(valory_plugin_entry_v1(), manifest(), settings.dump());
    p.start();
    auto svc = host.service(VALORY_CACHE_SERVICE, VALORY_CACHE_MAJOR, 0);
    ASSERT_TRUE(svc && svc->ok());
    valory::sdk::Cache cache(svc->as<valory_cache_api>(), svc->self());
    const std::string key = valory::sdk::Cache::key("plugintest" + std::to_string(getpid()), "v1", "e", "1");
    cache.set(key, "through the fake host", {std::chrono::seconds(30)});
    auto hit = cache.get(key);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->value, "through the fake host");
    EXPECT_EQ(cache.stats().l2_state, VALORY_CACHE_L2_UP);
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK);
    EXPECT_EQ(detail["l2"], "up");
    cache.erase(key);
    EXPECT_FALSE(cache.get(key));
    p.stop();
    EXPECT_FALSE(host.service(VALORY_CACHE_SERVICE, VALORY_CACHE_MAJOR, 0))
        << "service left registered after stop";
}

TEST(CachePlugin, WithoutRedisUrlRunsOnL1) {
    FakeHost host;
    auto p = host.load(valory_plugin_entry_v1(), manifest(), R"({"url": ""})");
    p.start();
    auto svc = host.service(VALORY_CACHE_SERVICE, VALORY_CACHE_MAJOR, 0);
    ASSERT_TRUE(svc);
    valory::sdk::Cache cache(svc->as<valory_cache_api>(), svc->self());
    cache.set("ns:v1:e:1", "x");
    EXPECT_EQ(cache.get("ns:v1:e:1")->value, "x");
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK);
    EXPECT_EQ(detail["l2"], "disabled");
    EXPECT_TRUE(host.logContains("L1 only"));
}

TEST(CachePlugin, UnreachableRedisDegradesWithOneWarning) {
    FakeHost host;
    // Port 1 on loopback: nothing listens there, connections are refused at once.
    auto p = host.load(valory_plugin_entry_v1(), manifest(),
                       R"({"url": "redis://127.0.0.1:1", "reconnect_min_ms": 50, "reconnect_max_ms": 100})");
    p.start();
    auto svc = host.service(VALORY_CACHE_SERVICE, VALORY_CACHE_MAJOR, 0);
    ASSERT_TRUE(svc);
    valory::sdk::Cache cache(svc->as<valory_cache_api>(), svc->self());
    for (int i = 0; i < 20; ++i) {
        EXPECT_NO_THROW(cache.set("ns:v1:e:" + std::to_string(i), "x"));
        EXPECT_TRUE(cache.get("ns:v1:e:" + std::to_string(i)));
    }
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_DEGRADED);
    EXPECT_EQ(detail["l2"], "down");
    size_t warnings = 0;
    for (const auto& l : host.logs())
        if (l.level == VALORY_LOG_WARNING && l.message.find("Redis unavailable") != std::string::npos)
            ++warnings;
    EXPECT_EQ(warnings, 1u);
}

TEST(CachePlugin, InvalidSettingsFailCreateWithTheKeyPath) {
    FakeHost host;
    valory::testkit::PluginHandle p;
    std::string error;
    auto st =
        host.tryLoad(&p, valory_plugin_entry_v1(), manifest(),
                     R"({"namespaces": [{"name": "a", "min_ttl_ms": 10, "max_ttl_ms": 5}]})", {}, &error);
    EXPECT_EQ(st, VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(error.find("namespaces[0].min_ttl_ms"), std::string::npos) << error;
}

}  // namespace
