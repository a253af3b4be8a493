#include "l1_cache.hpp"

#include <algorithm>
#include <functional>

namespace valory::plugins::cache {

L1Cache::L1Cache(const Options& options) {
    const std::size_t n = std::max<std::size_t>(1, options.shards);
    shards_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
    maxEntriesPerShard_ = std::max<std::size_t>(1, (options.maxEntries + n - 1) / n);
    maxBytesPerShard_ = std::max<std::size_t>(1, (options.maxBytes + n - 1) / n);
}

void L1Cache::removeLocked(Shard& s, std::list<EntryPtr>::iterator it) {
    s.bytes -= (*it)->charge();
    s.index.erase(ref((*it)->key));
    s.lru.erase(it);
}

EntryPtr L1Cache::find(std::string_view key, SteadyClock::time_point now) {
    const KeyRef k = ref(key);
    Shard& s = shardFor(k);
    std::unique_lock lock(s.mutex);
    auto found = s.index.find(k);
    if (found == s.index.end()) {
        lock.unlock();
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    auto it = found->second;
    if (now >= (*it)->l1Until) {
        removeLocked(s, it);
        lock.unlock();
        expirations_.fetch_add(1, std::memory_order_relaxed);
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    s.lru.splice(s.lru.begin(), s.lru, it);
    EntryPtr e = *it;
    lock.unlock();
    hits_.fetch_add(1, std::memory_order_relaxed);
    return e;
}

void L1Cache::put(EntryPtr entry) {
    if (!entry) return;
    const KeyRef k = ref(entry->key);
    Shard& s = shardFor(k);
    const std::size_t charge = entry->charge();
    std::lock_guard lock(s.mutex);
    auto found = s.index.find(k);
    if (found != s.index.end()) removeLocked(s, found->second);
    if (charge > maxBytesPerShard_) return;  // would evict the whole shard: not worth keeping
    uint64_t evicted = 0;
    while (!s.lru.empty() &&
           (s.lru.size() + 1 > maxEntriesPerShard_ || s.bytes + charge > maxBytesPerShard_)) {
        removeLocked(s, std::prev(s.lru.end()));
        ++evicted;
    }
    s.lru.push_front(std::move(entry));
    s.index.emplace(KeyRef{std::string_view(s.lru.front()->key), k.hash}, s.lru.begin());
    s.bytes += charge;
    if (evicted) evictions_.fetch_add(evicted, std::memory_order_relaxed);
}

bool L1Cache::erase(std::string_view key) {
    const KeyRef k = ref(key);
    Shard& s = shardFor(k);
    std::lock_guard lock(s.mutex);
    auto found = s.index.find(k);
    if (found == s.index.end()) return false;
    removeLocked(s, found->second);
    return true;
}

std::size_t L1Cache::erasePrefix(std::string_view prefix) {
    std::size_t n = 0;
    for (auto& sp : shards_) {
        std::lock_guard lock(sp->mutex);
        for (auto it = sp->lru.begin(); it != sp->lru.end();) {
            auto next = std::next(it);
            if (std::string_view((*it)->key).substr(0, prefix.size()) == prefix) {
                removeLocked(*sp, it);
                ++n;
            }
            it = next;
        }
    }
    return n;
}

void L1Cache::clear() {
    for (auto& sp : shards_) {
        std::lock_guard lock(sp->mutex);
        sp->index.clear();
        sp->lru.clear();
        sp->bytes = 0;
    }
}

L1Cache::Counters L1Cache::counters() const {
    Counters c;
    c.hits = hits_.load(std::memory_order_relaxed);
    c.misses = misses_.load(std::memory_order_relaxed);
    c.evictions = evictions_.load(std::memory_order_relaxed);
    c.expirations = expirations_.load(std::memory_order_relaxed);
    for (const auto& sp : shards_) {
        std::lock_guard lock(sp->mutex);
        c.entries += sp->lru.size();
        c.bytes += sp->bytes;
    }
    return c;
}

}  // namespace valory::plugins::cache
