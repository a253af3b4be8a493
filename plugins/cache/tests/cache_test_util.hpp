// Helpers shared by the Redis-backed cache tests.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/Redis/Type.h>
#include <gtest/gtest.h>

#include "cache_service.hpp"
#include "redis_connection.hpp"
#include "two_level_cache.hpp"
#include "valory/cpp/cache.hpp"

namespace valory::plugins::cache::testing {

/// Polls `pred` until true or `bound` passed (generous bounds; no wall-clock assertions).
inline bool waitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds bound = std::chrono::seconds(15)) {
    const auto end = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

/// Log lines of one cache instance.
class LogCapture {
  public:
    TwoLevelCache::LogFn fn() {
        return [this](valory_log_level level, const std::string& m) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(level, m);
        };
    }
    std::size_t count(valory_log_level level, const std::string& needle) const {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& [l, m] : lines_)
            if (l == level && m.find(needle) != std::string::npos) ++n;
        return n;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::pair<valory_log_level, std::string>> lines_;
};

/// A unique namespace per test (several test processes share the fixture's Redis).
inline std::string uniqueNamespace() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string n = std::string("t") + std::to_string(getpid()) + "_" + info->name();
    for (auto& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

/// A plain Poco client on `url` for checking what really is in Redis.
class RawRedis {
  public:
    explicit RawRedis(const std::string& url) {
        auto ep = RedisEndpoint::parse(url);
        client_.connect(ep.host, ep.port, Poco::Timespan(5, 0));
        client_.setReceiveTimeout(Poco::Timespan(10, 0));
    }
    template <class T = Poco::Redis::BulkString>
    T run(std::initializer_list<std::string> parts) {
        Poco::Redis::Array a;
        for (const auto& p : parts) a.add(p);
        return client_.execute<T>(a);
    }
    Poco::Redis::Array pipeline(const std::vector<Poco::Redis::Array>& cmds) {
        return client_.sendCommands(cmds);
    }
    bool exists(const std::string& key) { return run<Poco::Int64>({"EXISTS", key}) == 1; }
    /// Counts keys matching prefix* through SCAN.
    std::size_t countPrefix(const std::string& prefix) {
        std::size_t n = 0;
        std::string cursor = "0";
        do {
            auto page = run<Poco::Redis::Array>({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
            cursor = page.get<Poco::Redis::BulkString>(0).value();
            n += arraySize(page.get<Poco::Redis::Array>(1));
        } while (cursor != "0");
        return n;
    }
    /// calls= of one command from INFO commandstats (0 when never called).
    uint64_t commandCalls(const std::string& cmd) {
        std::string info = run<Poco::Redis::BulkString>({"INFO", "commandstats"}).value();
        auto at = info.find("cmdstat_" + cmd + ":calls=");
        if (at == std::string::npos) return 0;
        return std::stoull(info.substr(at + cmd.size() + 15));
    }

  private:
    Poco::Redis::Client client_;
};

inline nlohmann::json baseSettings(const std::string& url, const std::string& ns) {
    return {{"url", url},
            {"channel", "valory:test:" + ns},
            {"min_ttl_ms", 50},
            {"receive_timeout_ms", 2000},
            {"connect_timeout_ms", 2000},
            {"health_check_interval_ms", 500},
            {"reconnect_min_ms", 20},
            {"reconnect_max_ms", 200}};
}

/// A started cache instance plus its facade.
struct Instance {
    LogCapture logs;
    std::unique_ptr<TwoLevelCache> cache;
    std::unique_ptr<sdk::Cache> api;

    explicit Instance(const nlohmann::json& settings) {
        cache = std::make_unique<TwoLevelCache>(CacheConfig::fromJson(settings), logs.fn());
        cache->start();
        api = std::make_unique<sdk::Cache>(cacheServiceVtable(), cache.get());
    }
    ~Instance() { cache->stop(); }
    bool waitSubscribed(uint64_t atLeast = 1) {
        return waitFor([&] { return cache->subscriptions() >= atLeast; });
    }
    sdk::Cache& operator*() { return *api; }
    sdk::Cache* operator->() { return api.get(); }
};

}  // namespace valory::plugins::cache::testing
