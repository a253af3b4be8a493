// Tests that kill, restart or pause Redis: each uses a private instance, never the shared one.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "cache_test_util.hpp"
#include "redis_store.hpp"
#include "redis_test_server.hpp"

namespace valory::plugins::cache {
namespace {

using namespace std::chrono_literals;
using testing::Instance;
using testing::RawRedis;
using testing::waitFor;

class RedisOutage : public ::testing::Test {
  protected:
    void SetUp() override {
        try {
            redis_ = std::make_unique<testsupport::PrivateRedis>();
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
        ns_ = testing::uniqueNamespace();
    }
    std::string key(const std::string& id) const { return sdk::Cache::key(ns_, "v1", "e", id); }
    std::unique_ptr<testsupport::PrivateRedis> redis_;
    std::string ns_;
};

TEST_F(RedisOutage, KilledAndRestartedMidTest) {
    Instance c(testing::baseSettings(redis_->url(), ns_));
    ASSERT_TRUE(c.waitSubscribed(1));
    const uint64_t subscriptionsBefore = c.cache->subscriptions();
    c->set(key("a"), "A", {600s});
    ASSERT_EQ(c.cache->health(*std::make_unique<nlohmann::json>()), VALORY_HEALTH_OK);

    redis_->kill();
    // Callers see no error: L1 answers, writes and deletes succeed.
    for (int i = 0; i < 50; ++i) {
        auto a = c->get(key("a"));
        ASSERT_TRUE(a) << "L1 lost a value during the outage";
        EXPECT_EQ(a->value, "A");
        EXPECT_FALSE(c->get(key("missing" + std::to_string(i))));
    }
    c->set(key("b"), "B", {600s});
    c->erase(key("a"));
    EXPECT_EQ(c->get(key("b"))->value, "B");
    EXPECT_EQ(c->erasePrefix(ns_ + ":v1:"), 1u);  // L1 only: counts the L1 entry (b)
    c->set(key("b"), "B", {600s});
    auto computed = c->getOrCompute(key("c"), {600s},
                                    [](auto&) -> std::optional<std::string> { return std::string("C"); });
    EXPECT_EQ(computed.value, "C");
    ASSERT_TRUE(waitFor([&] { return c->stats().l2_state == VALORY_CACHE_L2_DOWN; }));
    nlohmann::json detail;
    EXPECT_EQ(c.cache->health(detail), VALORY_HEALTH_DEGRADED);
    EXPECT_EQ(detail["l2"], "down");
    EXPECT_EQ(c.logs.count(VALORY_LOG_WARNING, "Redis unavailable"), 1u) << "one warning per outage";

    redis_->restart();
    ASSERT_TRUE(waitFor([&] {
        return c->stats().l2_state == VALORY_CACHE_L2_UP && c.cache->subscriptions() > subscriptionsBefore;
    })) << "the cache did not come back to Redis";
    EXPECT_EQ(c.logs.count(VALORY_LOG_INFO, "Redis reachable again"), 1u);
    // L1 was cleared on the resubscription (invalidations of the outage are lost).
    EXPECT_FALSE(c->get(key("b"), VALORY_CACHE_L1_ONLY));
    EXPECT_FALSE(c->get(key("c"), VALORY_CACHE_L1_ONLY));
    // L2 is used again.
    c->set(key("d"), "D", {600s});
    RawRedis raw(redis_->url());
    EXPECT_TRUE(raw.exists(key("d")));
    auto fromL2 = c->get(key("d"));
    ASSERT_TRUE(fromL2);
    EXPECT_EQ(fromL2->value, "D");
    EXPECT_TRUE(waitFor([&] {
        nlohmann::json d;
        return c.cache->health(d) == VALORY_HEALTH_OK;
    }));

    // A second outage gives a second (single) warning.
    redis_->kill();
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(c->get(key("x" + std::to_string(i))));
    EXPECT_EQ(c.logs.count(VALORY_LOG_WARNING, "Redis unavailable"), 2u);
}

TEST_F(RedisOutage, DeletesDuringOutageAreReplayedBeforeRedisIsReadAgain) {
    auto s = testing::baseSettings(redis_->url(), ns_);
    Instance c(s);
    ASSERT_TRUE(c.waitSubscribed(1));
    c->set(key("k"), "old", {600s});
    // Pause (not kill) so that Redis keeps its data: the cache times out and degrades.
    redis_->cli("CLIENT PAUSE 3000 ALL");
    c->erase(key("k"));  // times out on UNLINK -> queued
    EXPECT_FALSE(c->get(key("k")));
    ASSERT_TRUE(waitFor([&] { return c->stats().l2_state == VALORY_CACHE_L2_UP; }, 30s));
    RawRedis raw(redis_->url());
    EXPECT_FALSE(raw.exists(key("k"))) << "the delete made during the outage was lost";
    EXPECT_FALSE(c->get(key("k")));
}

// Pool of 2, read timeouts forced with CLIENT PAUSE, then 1,000 GETs that must each return their
// own key's value (a timed-out connection still holds the late reply; it must never be reused).
TEST_F(RedisOutage, NoReplyDesynchronisationAfterTimeouts) {
    RawRedis raw(redis_->url());
    constexpr int kKeys = 1000;
    std::vector<Poco::Redis::Array> cmds;
    for (int i = 0; i < kKeys; ++i) {
        Poco::Redis::Array a;
        a.add("SET").add("desync:" + std::to_string(i)).add("value-" + std::to_string(i));
        cmds.push_back(a);
    }
    raw.pipeline(cmds);

    RedisPool::Options po;
    po.connection.endpoint = RedisEndpoint::parse(redis_->url());
    po.connection.receiveTimeout = 200ms;
    po.connection.connectTimeout = 2000ms;
    po.size = 2;
    po.acquireTimeout = 10s;
    RedisPool pool(po);
    RedisStore store(pool);
    ASSERT_EQ(store.get("desync:1").value_or(""), "value-1");

    redis_->cli("CLIENT PAUSE 1500 ALL");
    std::atomic<int> timeouts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 3; ++i) {
                try {
                    store.get("desync:" + std::to_string(t * 10 + i));
                } catch (const RedisError&) {
                    timeouts.fetch_add(1);
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_GE(timeouts.load(), 2) << "CLIENT PAUSE did not force read timeouts";
    // Let the paused replies arrive (on sockets we closed).
    std::this_thread::sleep_for(1600ms);

    std::atomic<int> wrong{0}, failed{0};
    threads.clear();
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            for (int i = t; i < kKeys; i += 2) {
                try {
                    auto v = store.get("desync:" + std::to_string(i));
                    if (v.value_or("") != "value-" + std::to_string(i)) wrong.fetch_add(1);
                } catch (const RedisError&) {
                    failed.fetch_add(1);
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0) << "a GET returned another key's value";
    EXPECT_EQ(failed.load(), 0);
    auto pc = pool.counters();
    EXPECT_GE(pc.discarded, 2u);
    EXPECT_LE(pc.total, 2u);
}

TEST_F(RedisOutage, ConnectionsKilledServerSideAreDroppedByTheHealthCheck) {
    RedisPool::Options po;
    po.connection.endpoint = RedisEndpoint::parse(redis_->url());
    po.size = 2;
    po.healthCheckInterval = 0ms;
    RedisPool pool(po);
    RedisStore store(pool);
    {
        auto a = pool.acquire();
        auto b = pool.acquire();
    }
    ASSERT_EQ(pool.counters().idle, 2u);
    redis_->cli("CLIENT KILL TYPE normal");
    pool.checkIdle();
    auto pc = pool.counters();
    EXPECT_EQ(pc.healthFailures, 2u);
    EXPECT_EQ(pc.idle, 0u);
    EXPECT_NO_THROW(store.ping());
}

TEST_F(RedisOutage, StopIsPromptWhileSubscribed) {
    auto s = testing::baseSettings(redis_->url(), ns_);
    s["health_check_interval_ms"] = 600000;  // subscriber read timeout ~20 min: only shutdown can wake it
    auto c = std::make_unique<Instance>(s);
    ASSERT_TRUE(c->waitSubscribed(1));
    const auto t0 = std::chrono::steady_clock::now();
    c.reset();  // stop(): subscriber blocked in a read must wake up
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s)
        << "stop() waited for the subscriber's read timeout";
}

}  // namespace
}  // namespace valory::plugins::cache
