// cache/1 against the shared Redis of the CTest fixture `redis` (each test in its own namespace and
// pub/sub channel). Fails, never skips, when the fixture is missing.
#include <atomic>
#include <future>
#include <thread>

#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>

#include "cache_test_util.hpp"
#include "redis_test_server.hpp"
#include "value_format.hpp"

namespace valory::plugins::cache {
namespace {

using namespace std::chrono_literals;
using testing::Instance;
using testing::RawRedis;
using testing::waitFor;

class RedisCache : public ::testing::Test {
  protected:
    void SetUp() override {
        try {
            url_ = testsupport::sharedRedisUrl();
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
        ns_ = testing::uniqueNamespace();
    }
    nlohmann::json settings() const { return testing::baseSettings(url_, ns_); }
    std::string key(const std::string& entity, const std::string& id) const {
        return sdk::Cache::key(ns_, "v1", entity, id);
    }
    std::string url_, ns_;
};

TEST_F(RedisCache, TtlExpiresInBothLevels) {
    auto s = settings();
    s["l1_ttl_ms"] = 600000;  // L1 would keep it: the entry's own TTL must end it
    Instance c(s);
    const std::string k = key("user", "1");
    c->set(k, "v", {300ms});
    RawRedis raw(url_);
    ASSERT_TRUE(raw.exists(k));
    const auto pttl = raw.run<Poco::Int64>({"PTTL", k});
    EXPECT_GT(pttl, 0);
    EXPECT_LE(pttl, 300);
    ASSERT_TRUE(c->get(k, VALORY_CACHE_L1_ONLY));
    EXPECT_TRUE(waitFor([&] { return !c->get(k, VALORY_CACHE_L1_ONLY); })) << "L1 kept an expired entry";
    EXPECT_TRUE(waitFor([&] { return !raw.exists(k); })) << "Redis kept an expired key";
    EXPECT_FALSE(c->get(k));
    EXPECT_GE(c->stats().l1_expirations, 1u);
}

TEST_F(RedisCache, L1IsBoundedByItsOwnTtlAndRefilledFromRedis) {
    auto s = settings();
    s["l1_ttl_ms"] = 100;
    Instance c(s);
    const std::string k = key("user", "2");
    c->set(k, "value", {60s});
    auto first = c->get(k);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->source, VALORY_CACHE_SOURCE_L1);
    ASSERT_TRUE(waitFor([&] { return !c->get(k, VALORY_CACHE_L1_ONLY); }));
    auto again = c->get(k);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->source, VALORY_CACHE_SOURCE_L2);
    EXPECT_EQ(again->value, "value");
    auto st = c->stats();
    EXPECT_GE(st.l2_hits, 1u);
    EXPECT_GE(st.l1_hits, 1u);
    EXPECT_GE(st.l1_misses, 1u);
}

TEST_F(RedisCache, StoredValueFormatIsVersioned) {
    Instance c(settings());
    const std::string k = key("user", "3");
    c->set(k, "payload", {60s});
    RawRedis raw(url_);
    auto bs = raw.run({"GET", k});
    ASSERT_FALSE(bs.isNull());
    auto decoded = decodeValue(bs.value());
    ASSERT_TRUE(decoded);
    EXPECT_EQ(bs.value()[0], 'V');
    EXPECT_EQ(static_cast<int>(bs.value()[1]), 1);
    EXPECT_EQ(decoded->payload, "payload");
    // A value of an unknown format version is a miss, never misread.
    std::string other = bs.value();
    other[1] = 9;
    raw.run<std::string>({"SET", key("user", "4"), other});
    EXPECT_FALSE(c->get(key("user", "4")));
}

TEST_F(RedisCache, FarFutureTimestampsDoNotOverflow) {
    Instance c(settings());
    RawRedis raw(url_);
    raw.run<std::string>({"SET", key("user", "far"), encodeValue(0, INT64_MAX / 2, INT64_MAX / 2, "far")});
    auto hit = c->get(key("user", "far"));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->value, "far");
    EXPECT_FALSE(hit->stale());
}

TEST_F(RedisCache, BinaryValuesRoundTrip) {
    Instance a(settings());
    Instance b(settings());
    std::string value;
    for (int round = 0; round < 4; ++round)
        for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
    value += "\r\n$5\r\nhello\r\n*2\r\n";
    value.push_back('\0');
    const std::string k = key("blob", "1");
    a->set(k, value, {60s});
    auto hit = b->get(k);  // b's L1 is empty: this comes from Redis
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->source, VALORY_CACHE_SOURCE_L2);
    EXPECT_EQ(hit->value, value);
    EXPECT_EQ(a->get(k)->value, value);
}

TEST_F(RedisCache, SingleFlightRunsOneComputation) {
    Instance c(settings());
    constexpr int kThreads = 16;
    const std::string k = key("rank", "sf");
    std::atomic<int> computations{0};
    std::atomic<int> go{0};
    std::vector<std::future<sdk::CacheHit>> results;
    for (int i = 0; i < kThreads; ++i) {
        results.push_back(std::async(std::launch::async, [&] {
            go.fetch_add(1);
            while (go.load() < kThreads) std::this_thread::yield();
            return c->getOrCompute(k, {60s}, [&](std::chrono::milliseconds&) -> std::optional<std::string> {
                computations.fetch_add(1);
                // Hold the computation until every other caller is waiting on it.
                waitFor([&] { return c->stats().compute_waits >= kThreads - 1; });
                return std::string("computed-once");
            });
        }));
    }
    int shared = 0;
    for (auto& f : results) {
        auto hit = f.get();
        EXPECT_EQ(hit.value, "computed-once");
        EXPECT_EQ(hit.source, VALORY_CACHE_SOURCE_COMPUTED);
        if (hit.flags & VALORY_CACHE_SHARED) ++shared;
    }
    EXPECT_EQ(computations.load(), 1);
    EXPECT_EQ(shared, kThreads - 1);
    EXPECT_EQ(c->stats().computes, 1u);
    EXPECT_EQ(c->get(k)->value, "computed-once");
}

TEST_F(RedisCache, SingleFlightShareErrorsAndCachesNothing) {
    Instance c(settings());
    const std::string k = key("rank", "nf");
    try {
        c->getOrCompute(
            k, {60s}, [](std::chrono::milliseconds&) -> std::optional<std::string> { return std::nullopt; });
        FAIL() << "expected not_found";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_NOT_FOUND);
    }
    try {
        c->getOrCompute(k, {60s}, [](std::chrono::milliseconds&) -> std::optional<std::string> {
            throw sdk::Error(VALORY_ERR_UNAVAILABLE, "upstream down");
        });
        FAIL() << "expected the compute's error";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UNAVAILABLE);
        EXPECT_NE(std::string(e.what()).find("upstream down"), std::string::npos);
    }
    EXPECT_FALSE(c->get(k));
}

TEST_F(RedisCache, StaleWhileRevalidate) {
    Instance c(settings());
    const std::string k = key("rank", "swr");
    const sdk::CacheOptions opts{200ms, 60s};
    auto first =
        c->getOrCompute(k, opts, [](auto&) -> std::optional<std::string> { return std::string("v1"); });
    EXPECT_EQ(first.value, "v1");
    ASSERT_TRUE(waitFor([&] { return !c->get(k); })) << "never became stale";
    auto stale = c->get(k, VALORY_CACHE_ALLOW_STALE);
    ASSERT_TRUE(stale);
    EXPECT_TRUE(stale->stale());

    // One caller refreshes (held inside its computation); a concurrent caller gets the stale value at once.
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> computing{false};
    auto refresher = std::async(std::launch::async, [&] {
        return c->getOrCompute(k, opts, [&](auto&) -> std::optional<std::string> {
            computing = true;
            released.wait();
            return std::string("v2");
        });
    });
    ASSERT_TRUE(waitFor([&] { return computing.load(); }));
    auto during = c->getOrCompute(k, opts, [](auto&) -> std::optional<std::string> {
        ADD_FAILURE() << "a second computation ran during the refresh";
        return std::string("wrong");
    });
    EXPECT_EQ(during.value, "v1");
    EXPECT_TRUE(during.stale());
    EXPECT_FALSE(during.refreshFailed());
    release.set_value();
    auto refreshed = refresher.get();
    EXPECT_EQ(refreshed.value, "v2");
    EXPECT_EQ(refreshed.source, VALORY_CACHE_SOURCE_COMPUTED);
    EXPECT_EQ(c->get(k)->value, "v2");

    // The refresh fails: the stale value is served and the caller is told so.
    ASSERT_TRUE(waitFor([&] { return !c->get(k); }));
    auto failed = c->getOrCompute(k, opts, [](auto&) -> std::optional<std::string> {
        throw sdk::Error(VALORY_ERR_UNAVAILABLE, "upstream down");
    });
    EXPECT_EQ(failed.value, "v2");
    EXPECT_TRUE(failed.stale());
    EXPECT_TRUE(failed.refreshFailed());
    EXPECT_EQ(failed.refreshStatus, VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(c->stats().refresh_failures, 1u);
}

TEST_F(RedisCache, StaleWindowIsSharedThroughRedis) {
    Instance a(settings());
    Instance b(settings());
    const std::string k = key("rank", "swr2");
    a->set(k, "old", {200ms, 60s});
    ASSERT_TRUE(waitFor([&] { return !b->get(k); }));
    auto hit = b->get(k, VALORY_CACHE_ALLOW_STALE);  // b never saw it fresh: read stale from Redis
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->value, "old");
    EXPECT_TRUE(hit->stale());
}

TEST_F(RedisCache, PrefixDeletionOfTenThousandKeysUsesScan) {
    Instance c(settings());
    RawRedis raw(url_);
    constexpr int kKeys = 12000;
    const std::string userPrefix = sdk::Cache::prefix(ns_, "v1", std::string_view("user"));
    const std::string value = encodeValue(0, INT64_MAX / 2, INT64_MAX / 2, "x");
    for (int base = 0; base < kKeys; base += 1000) {
        std::vector<Poco::Redis::Array> cmds;
        for (int i = base; i < base + 1000; ++i) {
            Poco::Redis::Array a;
            a.add("SET").add(userPrefix + std::to_string(i)).add(value).add("EX").add("600");
            cmds.push_back(a);
        }
        raw.pipeline(cmds);
    }
    for (int i = 0; i < 100; ++i) c->set(key("overlay", std::to_string(i)), "keep", {600s});
    for (int i = 0; i < 10; ++i) c->set(userPrefix + std::to_string(i), "in-l1", {600s});
    ASSERT_EQ(raw.countPrefix(userPrefix), static_cast<std::size_t>(kKeys));

    const uint64_t keysBefore = raw.commandCalls("keys");
    const uint64_t scansBefore = raw.commandCalls("scan");
    const uint64_t deleted = c->erasePrefix(userPrefix);
    EXPECT_EQ(deleted, static_cast<uint64_t>(kKeys));
    EXPECT_EQ(raw.countPrefix(userPrefix), 0u);
    EXPECT_EQ(raw.countPrefix(sdk::Cache::prefix(ns_, "v1", std::string_view("overlay"))), 100u);
    EXPECT_EQ(raw.commandCalls("keys"), keysBefore) << "KEYS was used";
    EXPECT_GE(raw.commandCalls("scan") - scansBefore, 2u);
    for (int i = 0; i < 10; ++i) EXPECT_FALSE(c->get(userPrefix + std::to_string(i), VALORY_CACHE_L1_ONLY));
    EXPECT_TRUE(c->get(key("overlay", "5"), VALORY_CACHE_L1_ONLY));
}

TEST_F(RedisCache, ValueOverMaximumIsRefusedClearly) {
    auto s = settings();
    s["namespaces"] = nlohmann::json::array({{{"name", ns_}, {"max_value_bytes", 1024}}});
    Instance c(s);
    const std::string k = key("blob", "big");
    c->set(k, std::string(1000, 'a'), {60s});
    try {
        c->set(k, std::string(2048, 'b'), {60s});
        FAIL() << "expected too_large";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_TOO_LARGE);
        EXPECT_NE(std::string(e.what()).find("max_value_bytes (1024)"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("2048 bytes"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(c->get(k)) << "the previous, now outdated value survived";
    RawRedis raw(url_);
    EXPECT_FALSE(raw.exists(k));
    EXPECT_EQ(c->stats().sets_refused, 1u);
    auto computed = c->getOrCompute(key("blob", "big2"), {60s}, [](auto&) -> std::optional<std::string> {
        return std::string(4096, 'c');
    });
    EXPECT_EQ(computed.value.size(), 4096u);  // served to the caller, just not stored
    EXPECT_TRUE(computed.flags & VALORY_CACHE_NOT_STORED);
    EXPECT_FALSE(c->get(key("blob", "big2")));
}

TEST_F(RedisCache, TtlIsClampedToNamespaceBounds) {
    auto s = settings();
    s["namespaces"] = nlohmann::json::array(
        {{{"name", ns_}, {"min_ttl_ms", 1000}, {"max_ttl_ms", 5000}, {"default_ttl_ms", 2000}}});
    Instance c(s);
    RawRedis raw(url_);
    c->set(key("t", "long"), "x", {3600s});
    c->set(key("t", "default"), "x");
    EXPECT_LE(raw.run<Poco::Int64>({"PTTL", key("t", "long")}), 5000);
    EXPECT_GT(raw.run<Poco::Int64>({"PTTL", key("t", "long")}), 4000);
    EXPECT_LE(raw.run<Poco::Int64>({"PTTL", key("t", "default")}), 2000);
    EXPECT_GT(raw.run<Poco::Int64>({"PTTL", key("t", "default")}), 1000);
}

// Pub/sub eviction between two cache instances in two processes.
class Peer {
  public:
    Peer(const std::string& url, const std::string& channel) {
        Poco::Process::Args args{url, channel};
        handle_ = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch(VALORY_CACHE_PEER, args, &in_, &out_, nullptr));
        inStream_ = std::make_unique<Poco::PipeOutputStream>(in_);
        outStream_ = std::make_unique<Poco::PipeInputStream>(out_);
    }
    ~Peer() {
        try {
            *inStream_ << "quit" << std::endl;
            inStream_->close();
            handle_->wait();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "peer shutdown: " << e.what();
        }
    }
    std::string line() {
        std::string l;
        std::getline(*outStream_, l);
        return l;
    }
    std::string ask(const std::string& cmd) {
        *inStream_ << cmd << std::endl;
        return line();
    }

  private:
    Poco::Pipe in_, out_;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    std::unique_ptr<Poco::PipeOutputStream> inStream_;
    std::unique_ptr<Poco::PipeInputStream> outStream_;
};

TEST_F(RedisCache, DeleteEvictsOtherProcessL1ThroughPubSub) {
    auto s = settings();
    Instance local(s);
    ASSERT_TRUE(local.waitSubscribed());
    Peer peer(url_, s["channel"]);
    ASSERT_EQ(peer.line(), "ready");

    const std::string k1 = key("user", "1"), k2 = key("user", "2"), k3 = key("overlay", "3");
    ASSERT_EQ(peer.ask("set " + k1 + " peer-value"), "ok");
    ASSERT_EQ(peer.ask("set " + k2 + " peer-value"), "ok");
    ASSERT_EQ(peer.ask("set " + k3 + " old"), "ok");
    ASSERT_EQ(peer.ask("l1 " + k1), "hit peer-value");

    local->erase(k1);
    EXPECT_TRUE(waitFor([&] { return peer.ask("l1 " + k1) == "miss"; })) << "peer's L1 kept a deleted key";
    EXPECT_EQ(peer.ask("l1 " + k2), "hit peer-value");

    local->erasePrefix(sdk::Cache::prefix(ns_, "v1", std::string_view("user")));
    EXPECT_TRUE(waitFor([&] { return peer.ask("l1 " + k2) == "miss"; }))
        << "prefix delete did not reach the peer";

    local->set(k3, "new", {60s});  // a replacement evicts the peer's old copy too
    EXPECT_TRUE(waitFor([&] { return peer.ask("l1 " + k3) == "miss"; }));
    EXPECT_EQ(peer.ask("get " + k3), "hit new");
    // The peer's three sets reached us too (delivery is asynchronous).
    EXPECT_TRUE(waitFor([&] { return local->stats().invalidations_received == 3u; }))
        << local->stats().invalidations_received;
}

}  // namespace
}  // namespace valory::plugins::cache
