// Where riot records are kept between calls, and the plugin's own single-flight.
//
// RecordStore: serve a fresh entry, else fetch; on a transient fetch failure (rate limited,
// unavailable, timeout, upstream garbage) serve an entry in its stale window instead. Two
// implementations: LocalRecordStore (in-process map, used when cache/1 is absent) and
// CacheServiceStore (cache/1: shared across hosts, stale-while-revalidate).
//
// SingleFlight: concurrent calls for one key run the fetch once and share its outcome — inside
// the plugin, so coalescing holds with or without cache/1.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "valory/cpp/cache.hpp"

namespace valory::plugins::riot {

struct Fetched {
    std::string value;
    std::chrono::milliseconds ttl{0};
};

struct Served {
    std::string value;
    bool stale = false;      // past its TTL, served because the fetch failed (or cache/1 revalidates)
    bool fromCache = false;  // not fetched by this call
};

/// True for failures where an older value is better than an error.
bool isTransient(valory_status s);

class RecordStore {
  public:
    virtual ~RecordStore() = default;
    /// bypass = fetch even when a fresh entry exists (the result replaces it).
    virtual Served getOrFetch(const std::string& key, std::chrono::milliseconds staleWindow, bool bypass,
                              const std::function<Fetched()>& fetch) = 0;
    virtual const char* kind() const = 0;
};

class LocalRecordStore final : public RecordStore {
  public:
    using Clock = std::function<int64_t()>;  // ms, monotonic enough
    explicit LocalRecordStore(size_t maxEntries, Clock clock = {});
    Served getOrFetch(const std::string& key, std::chrono::milliseconds staleWindow, bool bypass,
                      const std::function<Fetched()>& fetch) override;
    const char* kind() const override { return "local"; }
    size_t size() const;

  private:
    struct Entry {
        std::string value;
        int64_t freshUntil = 0, staleUntil = 0;
        std::list<std::string>::iterator order;
    };
    void put(const std::string& key, Entry e);  // mutex held

    size_t max_;
    Clock clock_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> map_;
    std::list<std::string> order_;  // oldest write first
};

class CacheServiceStore final : public RecordStore {
  public:
    explicit CacheServiceStore(sdk::Cache cache) : cache_(std::move(cache)) {}
    Served getOrFetch(const std::string& key, std::chrono::milliseconds staleWindow, bool bypass,
                      const std::function<Fetched()>& fetch) override;
    const char* kind() const override { return "cache/1"; }

  private:
    sdk::Cache cache_;
};

class SingleFlight {
  public:
    /// Runs fn for `key` unless a call for it is in flight; then waits for that one (at most
    /// `wait`, else sdk::Error TIMEOUT) and returns its result or rethrows its error.
    Served run(const std::string& key, std::chrono::milliseconds wait, const std::function<Served()>& fn);

    uint64_t leaders() const { return leaders_.load(); }
    uint64_t followers() const { return followers_.load(); }

  private:
    struct Call {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        std::optional<Served> result;
        std::exception_ptr error;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Call>> calls_;
    std::atomic<uint64_t> leaders_{0}, followers_{0};
};

}  // namespace valory::plugins::riot
