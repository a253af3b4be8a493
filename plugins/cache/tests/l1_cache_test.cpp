#include "l1_cache.hpp"

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cache_service.hpp"
#include "two_level_cache.hpp"
#include "valory/cpp/cache.hpp"

// Counts every allocation of this test binary, to check that an L1 hit allocates nothing.
namespace {
std::atomic<uint64_t> gAllocations{0};
}
void* operator new(std::size_t n) {
    gAllocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace valory::plugins::cache {
namespace {

EntryPtr entry(const std::string& key, const std::string& value,
               std::chrono::milliseconds life = std::chrono::hours(1)) {
    auto e = std::make_shared<CacheEntry>();
    e->key = key;
    e->value = value;
    auto now = SteadyClock::now();
    e->freshUntil = e->staleUntil = e->l1Until = now + life;
    return e;
}

TEST(L1Cache, EntryBoundEvictsLeastRecentlyUsed) {
    L1Cache l1({/*shards*/ 1, /*maxEntries*/ 3, /*maxBytes*/ 1u << 20});
    auto now = SteadyClock::now();
    l1.put(entry("a", "1"));
    l1.put(entry("b", "2"));
    l1.put(entry("c", "3"));
    ASSERT_TRUE(l1.find("a", now));  // a is now most recent; b is the LRU
    l1.put(entry("d", "4"));
    EXPECT_TRUE(l1.find("a", now));
    EXPECT_FALSE(l1.find("b", now));
    EXPECT_TRUE(l1.find("c", now));
    EXPECT_TRUE(l1.find("d", now));
    auto c = l1.counters();
    EXPECT_EQ(c.entries, 3u);
    EXPECT_EQ(c.evictions, 1u);
}

TEST(L1Cache, ByteBoundEvicts) {
    const std::size_t charge = std::string("k0").size() + 1000 + CacheEntry::kOverhead;
    L1Cache l1({1, 1000, charge * 4});
    for (int i = 0; i < 10; ++i) l1.put(entry("k" + std::to_string(i), std::string(1000, 'x')));
    auto c = l1.counters();
    EXPECT_EQ(c.entries, 4u);
    EXPECT_LE(c.bytes, charge * 4);
    EXPECT_EQ(c.evictions, 6u);
    EXPECT_TRUE(l1.find("k9", SteadyClock::now()));
    EXPECT_FALSE(l1.find("k0", SteadyClock::now()));
}

TEST(L1Cache, OversizedEntryIsNotKept) {
    L1Cache l1({1, 10, 200});
    l1.put(entry("small", "v"));
    l1.put(entry("big", std::string(500, 'x')));
    EXPECT_FALSE(l1.find("big", SteadyClock::now()));
    EXPECT_TRUE(l1.find("small", SteadyClock::now()));
}

TEST(L1Cache, ExpiredEntryIsAMissAndCounted) {
    L1Cache l1({4, 100, 1u << 20});
    l1.put(entry("k", "v", std::chrono::milliseconds(50)));
    EXPECT_TRUE(l1.find("k", SteadyClock::now()));
    EXPECT_FALSE(l1.find("k", SteadyClock::now() + std::chrono::milliseconds(51)));
    EXPECT_EQ(l1.counters().expirations, 1u);
    EXPECT_EQ(l1.counters().entries, 0u);
}

TEST(L1Cache, ErasePrefixAndClear) {
    L1Cache l1({8, 1000, 1u << 20});
    for (int i = 0; i < 50; ++i) l1.put(entry("ns:v1:user:" + std::to_string(i), "x"));
    for (int i = 0; i < 20; ++i) l1.put(entry("ns:v1:overlay:" + std::to_string(i), "x"));
    EXPECT_EQ(l1.erasePrefix("ns:v1:user:"), 50u);
    EXPECT_EQ(l1.counters().entries, 20u);
    l1.clear();
    EXPECT_EQ(l1.counters().entries, 0u);
    EXPECT_EQ(l1.counters().bytes, 0u);
}

TEST(L1Cache, ConcurrentUseKeepsBounds) {
    L1Cache l1({16, 500, 1u << 20});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&l1, t] {
            for (int i = 0; i < 5000; ++i) {
                std::string k = "k" + std::to_string((i * 7 + t) % 2000);
                if (i % 3 == 0)
                    l1.put(entry(k, "value"));
                else
                    l1.find(k, SteadyClock::now());
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_LE(l1.counters().entries, 16u * ((500 + 15) / 16));
}

TEST(L1Cache, HitAllocatesNothing) {
    L1Cache l1({16, 1000, 1u << 20});
    l1.put(entry("ns:v1:e:1", std::string(300, 'v')));
    auto now = SteadyClock::now();
    ASSERT_TRUE(l1.find("ns:v1:e:1", now));
    const uint64_t before = gAllocations.load();
    for (int i = 0; i < 1000; ++i) {
        EntryPtr e = l1.find("ns:v1:e:1", now);
        ASSERT_TRUE(e);
    }
    EXPECT_EQ(gAllocations.load() - before, 0u);
}

// Through the cache/1 vtable and the C++ facade with a reused buffer: an L1 hit allocates nothing
// (the destination buffer already has the capacity, so even the copy out does not allocate).
TEST(CacheService, L1HitThroughServiceAllocatesNothing) {
    CacheConfig cfg;  // no URL: L1 only
    TwoLevelCache cache(cfg, [](valory_log_level, const std::string&) {});
    cache.start();
    sdk::Cache facade(cacheServiceVtable(), &cache);
    facade.set("ns:v1:e:1", std::string(300, 'v'));
    std::string out;
    out.reserve(1024);
    ASSERT_TRUE(facade.getInto("ns:v1:e:1", out));
    const uint64_t before = gAllocations.load();
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(facade.getInto("ns:v1:e:1", out));
    EXPECT_EQ(gAllocations.load() - before, 0u);
    EXPECT_EQ(out, std::string(300, 'v'));
    cache.stop();
}

TEST(CacheService, L1OnlyModeWorksAndReportsDisabled) {
    CacheConfig cfg;
    TwoLevelCache cache(cfg, [](valory_log_level, const std::string&) {});
    cache.start();
    sdk::Cache c(cacheServiceVtable(), &cache);
    c.set("ns:v1:e:1", "x");
    EXPECT_EQ(c.get("ns:v1:e:1")->value, "x");
    c.erase("ns:v1:e:1");
    EXPECT_FALSE(c.get("ns:v1:e:1"));
    EXPECT_EQ(c.stats().l2_state, VALORY_CACHE_L2_DISABLED);
    nlohmann::json d;
    EXPECT_EQ(cache.health(d), VALORY_HEALTH_OK);
    EXPECT_EQ(d["l2"], "disabled");
}

TEST(CacheService, KeyValidation) {
    EXPECT_TRUE(TwoLevelCache::validKey("ns:v1:user:42"));
    EXPECT_TRUE(TwoLevelCache::validKey("ns:v1:user:42:0123456789abcdef"));
    EXPECT_FALSE(TwoLevelCache::validKey("ns:v1:user"));
    EXPECT_FALSE(TwoLevelCache::validKey("ns:v1::42"));
    EXPECT_FALSE(TwoLevelCache::validKey("ns:v1:user:4 2"));
    EXPECT_FALSE(TwoLevelCache::validKey("ns:v1:user:4*"));
    EXPECT_FALSE(TwoLevelCache::validKey("ns:v1:user:42:"));
    EXPECT_TRUE(TwoLevelCache::validPrefix("ns:v1:"));
    EXPECT_TRUE(TwoLevelCache::validPrefix("ns:v1:user:42:"));
    EXPECT_FALSE(TwoLevelCache::validPrefix("ns:"));
    EXPECT_FALSE(TwoLevelCache::validPrefix("ns"));
    EXPECT_EQ(sdk::Cache::key("riot", "v1", "rank", "42"), "riot:v1:rank:42");
    EXPECT_EQ(sdk::Cache::key("riot", "v1", "rank", "42", "{\"a\":1}").size(),
              std::string("riot:v1:rank:42:").size() + 16);
    EXPECT_EQ(sdk::Cache::prefix("riot", "v1", "rank", "42"), "riot:v1:rank:42:");
    EXPECT_THROW(sdk::Cache::key("riot", "v1", "ra:nk", "42"), sdk::Error);

    CacheConfig cfg;
    TwoLevelCache cache(cfg, [](valory_log_level, const std::string&) {});
    sdk::Cache c(cacheServiceVtable(), &cache);
    try {
        c.set("bad key", "x");
        FAIL() << "expected an error";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_INVALID_ARGUMENT);
    }
    try {
        c.erasePrefix("ns:");
        FAIL() << "expected an error";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_INVALID_ARGUMENT);
    }
}

}  // namespace
}  // namespace valory::plugins::cache
