#include "record_store.hpp"

#include "valory/cpp/error.hpp"

namespace valory::plugins::riot {

namespace {
int64_t steadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace

bool isTransient(valory_status s) {
    return s == VALORY_ERR_RATE_LIMITED || s == VALORY_ERR_UNAVAILABLE || s == VALORY_ERR_TIMEOUT ||
           s == VALORY_ERR_UPSTREAM;
}

// --- LocalRecordStore ---------------------------------------------------------------------------

LocalRecordStore::LocalRecordStore(size_t maxEntries, Clock clock)
    : max_(maxEntries ? maxEntries : 1), clock_(clock ? std::move(clock) : Clock(steadyMs)) {}

size_t LocalRecordStore::size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
}

void LocalRecordStore::put(const std::string& key, Entry e) {
    if (auto it = map_.find(key); it != map_.end()) {
        order_.erase(it->second.order);
        map_.erase(it);
    }
    order_.push_back(key);
    e.order = std::prev(order_.end());
    map_.emplace(key, std::move(e));
    while (map_.size() > max_) {
        map_.erase(order_.front());
        order_.pop_front();
    }
}

Served LocalRecordStore::getOrFetch(const std::string& key, std::chrono::milliseconds staleWindow,
                                    bool bypass, const std::function<Fetched()>& fetch) {
    std::optional<std::string> stale;
    {
        std::lock_guard lock(mutex_);
        auto it = map_.find(key);
        const int64_t now = clock_();
        if (it != map_.end()) {
            if (!bypass && now < it->second.freshUntil) return Served{it->second.value, false, true};
            if (now < it->second.staleUntil) stale = it->second.value;
        }
    }
    try {
        Fetched f = fetch();
        const int64_t now = clock_();
        if (f.ttl.count() > 0) {
            std::lock_guard lock(mutex_);
            put(key, Entry{f.value, now + f.ttl.count(), now + f.ttl.count() + staleWindow.count(), {}});
        }
        return Served{std::move(f.value), false, false};
    } catch (const sdk::Error& e) {
        if (stale && isTransient(e.status())) return Served{*stale, true, true};
        throw;
    }
}

// --- CacheServiceStore --------------------------------------------------------------------------

Served CacheServiceStore::getOrFetch(const std::string& key, std::chrono::milliseconds staleWindow,
                                     bool bypass, const std::function<Fetched()>& fetch) {
    if (bypass) {
        try {
            Fetched f = fetch();
            if (f.ttl.count() > 0) cache_.set(key, f.value, sdk::CacheOptions{f.ttl, staleWindow, {}});
            return Served{std::move(f.value), false, false};
        } catch (const sdk::Error& e) {
            if (isTransient(e.status()))
                if (auto hit = cache_.get(key, VALORY_CACHE_ALLOW_STALE))
                    return Served{hit->value, hit->stale(), true};
            throw;
        }
    }
    bool computed = false;
    sdk::CacheHit hit =
        cache_.getOrCompute(key, sdk::CacheOptions{std::chrono::milliseconds(0), staleWindow, {}},
                            [&](std::chrono::milliseconds& ttl) -> std::optional<std::string> {
                                Fetched f = fetch();
                                computed = true;
                                // 0 would mean "namespace default" to cache/1: ask for the shortest.
                                ttl = f.ttl.count() > 0 ? f.ttl : std::chrono::milliseconds(1);
                                return std::move(f.value);
                            });
    return Served{std::move(hit.value), hit.stale(), !computed};
}

// --- SingleFlight -------------------------------------------------------------------------------

Served SingleFlight::run(const std::string& key, std::chrono::milliseconds wait,
                         const std::function<Served()>& fn) {
    std::shared_ptr<Call> call;
    bool leader = false;
    {
        std::lock_guard lock(mutex_);
        auto& slot = calls_[key];
        if (!slot) {
            slot = std::make_shared<Call>();
            leader = true;
        }
        call = slot;
    }
    if (!leader) {
        ++followers_;
        std::unique_lock lock(call->m);
        if (!call->cv.wait_for(lock, wait, [&] { return call->done; }))
            throw sdk::Error(VALORY_ERR_TIMEOUT,
                             "riot: a concurrent lookup of the same record outlived the deadline");
        if (call->error) std::rethrow_exception(call->error);
        Served s = *call->result;
        s.fromCache = true;
        return s;
    }
    ++leaders_;
    auto finish = [&](std::optional<Served> r, std::exception_ptr e) {
        {
            std::lock_guard lock(mutex_);
            calls_.erase(key);
        }
        {
            std::lock_guard lock(call->m);
            call->done = true;
            call->result = std::move(r);
            call->error = e;
        }
        call->cv.notify_all();
    };
    try {
        Served s = fn();
        finish(s, nullptr);
        return s;
    } catch (...) {
        finish(std::nullopt, std::current_exception());
        throw;
    }
}

}  // namespace valory::plugins::riot
