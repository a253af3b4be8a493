// In-process L1: a sharded LRU bounded by entries and bytes, with a per-entry deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace valory::plugins::cache {

using SteadyClock = std::chrono::steady_clock;

/// One cached value. Immutable once published: readers hold it through a shared_ptr and copy the
/// bytes out after the shard lock is released.
struct CacheEntry {
    std::string key;
    std::string value;
    int64_t writtenAtMs = 0;            // wall clock (unix ms), as stored in L2
    SteadyClock::time_point writtenAt;  // the same instant on the steady clock, for age
    SteadyClock::time_point freshUntil;
    SteadyClock::time_point staleUntil;  // >= freshUntil; the entry is gone afterwards
    SteadyClock::time_point l1Until;     // L1's own (shorter) bound, <= staleUntil

    std::size_t charge() const noexcept { return key.size() + value.size() + kOverhead; }
    static constexpr std::size_t kOverhead = 96;  // node, map slot, control block (approximate)
};
using EntryPtr = std::shared_ptr<const CacheEntry>;

class L1Cache {
  public:
    struct Options {
        std::size_t shards = 16;
        std::size_t maxEntries = 10000;
        std::size_t maxBytes = 64u << 20;
    };
    struct Counters {
        uint64_t hits = 0, misses = 0, evictions = 0, expirations = 0, entries = 0, bytes = 0;
    };

    explicit L1Cache(const Options& options);
    L1Cache(const L1Cache&) = delete;
    L1Cache& operator=(const L1Cache&) = delete;

    /// The entry if present and before its L1 deadline (stale entries included: the caller decides);
    /// promotes it. Allocation-free.
    EntryPtr find(std::string_view key, SteadyClock::time_point now);
    /// Inserts or replaces; an entry larger than a shard's byte bound is not kept.
    void put(EntryPtr entry);
    bool erase(std::string_view key);
    std::size_t erasePrefix(std::string_view prefix);
    void clear();
    Counters counters() const;
    std::size_t shardCount() const noexcept { return shards_.size(); }

  private:
    // Map key carrying its hash, so the hash that picks the shard is not computed again.
    struct KeyRef {
        std::string_view key;
        std::size_t hash;
        bool operator==(const KeyRef& o) const noexcept { return key == o.key; }
    };
    struct KeyRefHash {
        std::size_t operator()(const KeyRef& k) const noexcept { return k.hash; }
    };
    struct Shard {
        mutable std::mutex mutex;
        std::list<EntryPtr> lru;  // front = most recently used
        std::unordered_map<KeyRef, std::list<EntryPtr>::iterator, KeyRefHash> index;
        std::size_t bytes = 0;
    };
    static KeyRef ref(std::string_view key) noexcept { return {key, std::hash<std::string_view>{}(key)}; }
    Shard& shardFor(const KeyRef& k) noexcept { return *shards_[(k.hash >> 7) % shards_.size()]; }
    void removeLocked(Shard& s, std::list<EntryPtr>::iterator it);

    std::vector<std::unique_ptr<Shard>> shards_;
    std::size_t maxEntriesPerShard_;
    std::size_t maxBytesPerShard_;
    std::atomic<uint64_t> hits_{0}, misses_{0}, evictions_{0}, expirations_{0};
};

}  // namespace valory::plugins::cache
