// The cache/1 semantics: L1 in front of Redis, single-flight, stale-while-revalidate, pub/sub
// coherence and degradation to L1 when Redis is down. Speaks the C types of valory/cache.h so the
// service thunks (cache_service.cpp) only forward; knows nothing of the host.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache_config.hpp"
#include "invalidation_subscriber.hpp"
#include "l1_cache.hpp"
#include "redis_connection.hpp"
#include "redis_store.hpp"
#include "single_flight.hpp"
#include "valory/cache.h"
#include "valory/plugin.h"

namespace valory::plugins::cache {

class TwoLevelCache {
  public:
    /// level: VALORY_LOG_*; message is one line.
    using LogFn = std::function<void(valory_log_level level, const std::string& message)>;

    TwoLevelCache(CacheConfig config, LogFn log);
    ~TwoLevelCache();
    TwoLevelCache(const TwoLevelCache&) = delete;
    TwoLevelCache& operator=(const TwoLevelCache&) = delete;

    /// Starts the maintenance thread and the subscriber (when a URL is configured); tries Redis
    /// once so the first calls can use it (a failure is a warning, not an error).
    void start();
    void stop();

    // cache/1 (see valory/cache.h for the contract of each).
    valory_status get(std::string_view key, uint32_t flags, valory_writer* out, valory_cache_result* result,
                      valory_error* err);
    valory_status set(std::string_view key, std::string_view value, const valory_cache_options* options,
                      valory_error* err);
    valory_status del(std::string_view key, valory_error* err);
    valory_status deletePrefix(std::string_view prefix, uint64_t* deleted, valory_error* err);
    valory_status getOrCompute(std::string_view key, const valory_cache_options* options,
                               valory_cache_compute_fn fn, void* user, valory_writer* out,
                               valory_cache_result* result, valory_error* err);
    void stats(valory_cache_stats* out) const;

    valory_health_state health(nlohmann::json& detail) const;
    bool l2Up() const noexcept { return l2Up_.load(); }
    uint64_t subscriptions() const noexcept { return subscriber_ ? subscriber_->subscriptions() : 0; }
    const CacheConfig& config() const noexcept { return config_; }
    RedisPool* pool() noexcept { return pool_.get(); }

    /// Key checks of cache/1: at least 4 non-empty components, allowed characters, length.
    static bool validKey(std::string_view key) noexcept;
    /// Prefix checks: at least `<ns>:<version>:`, allowed characters.
    static bool validPrefix(std::string_view prefix) noexcept;

  private:
    struct Lifetimes {
        uint64_t ttlMs, staleMs;
    };
    Lifetimes lifetimes(const NamespacePolicy& p, const valory_cache_options* o) const;
    EntryPtr makeEntry(std::string_view key, std::string value, int64_t writtenAtMs, int64_t freshUntilMs,
                       int64_t staleUntilMs, const NamespacePolicy& p) const;
    /// L1, then L2 (filling L1); stale entries included. *source says which level answered.
    EntryPtr lookup(std::string_view key, bool useL2, valory_cache_source* source,
                    SteadyClock::time_point now);
    /// The part of lookup() after L1 answered `l1` (null or not fresh).
    EntryPtr lookupBelowL1(std::string_view key, EntryPtr l1, bool useL2, valory_cache_source* source,
                           SteadyClock::time_point now);
    /// Stores in L1 and L2 (publishing an invalidation). VALORY_ERR_TOO_LARGE is the only failure.
    valory_status store(std::string_view key, std::string_view value, const Lifetimes& lt, valory_error* err);
    void serve(const CacheEntry& e, valory_cache_source source, uint32_t flags, valory_writer* out,
               valory_cache_result* result, SteadyClock::time_point now) const;
    void removeEverywhere(std::string_view key);

    // get_or_compute(), step by step.
    struct ComputeRequest;
    static uint64_t waitBudgetMs(const valory_cache_options* o) noexcept;
    /// Another caller leads: serve the stale value at once, or wait for the leader's outcome.
    valory_status followFlight(const ComputeRequest& rq, const SingleFlight::Ticket& ticket);
    /// This caller leads: compute, store, serve and hand the outcome to the followers.
    valory_status leadFlight(const ComputeRequest& rq, SingleFlight::Ticket& ticket);
    /// The compute returned `s`: serve the stale value (refresh failed) or fail.
    valory_status computeFailed(const ComputeRequest& rq, SingleFlight::Ticket& ticket, valory_status s,
                                const valory_error& cerr);
    valory_status storeComputed(const ComputeRequest& rq, SingleFlight::Ticket& ticket, std::string computed,
                                uint64_t ttlMs);
    static void serveComputed(std::string_view value, uint32_t flags, valory_writer* out,
                              valory_cache_result* result);

    bool l2Usable() const noexcept { return store_ && l2Up_.load(std::memory_order_acquire); }
    void markDown(const std::string& why);
    void queuePendingKey(std::string_view key);
    void queuePendingPrefix(std::string_view prefix);
    bool replayPending();
    std::string message(char kind, std::string_view body) const;
    void onInvalidation(const std::string& payload);
    void maintenance();

    CacheConfig config_;
    LogFn log_;
    L1Cache l1_;
    std::unique_ptr<RedisPool> pool_;
    std::unique_ptr<RedisStore> store_;
    std::unique_ptr<InvalidationSubscriber> subscriber_;
    std::string origin_;  // 16 hex digits, identifies this instance's own invalidations

    std::atomic<bool> l2Up_{false};
    std::atomic<bool> stopping_{false};
    std::thread maintenanceThread_;
    std::mutex maintenanceMutex_;
    std::condition_variable maintenanceCv_;
    std::chrono::steady_clock::time_point downSince_;

    std::mutex pendingMutex_;
    std::unordered_set<std::string> pendingKeys_;
    std::vector<std::string> pendingPrefixes_;
    bool pendingOverflow_ = false;

    SingleFlight flights_;

    mutable std::atomic<uint64_t> l2Hits_{0}, l2Misses_{0}, l2Errors_{0}, computes_{0}, computeWaits_{0},
        staleServed_{0}, refreshFailures_{0}, invalidationsReceived_{0}, setsRefused_{0}, formatErrors_{0};
};

}  // namespace valory::plugins::cache
