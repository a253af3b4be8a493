// L2 operations on a RedisPool: the exact commands the cache uses, with replies always read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis_connection.hpp"

namespace valory::plugins::cache {

class RedisStore {
  public:
    explicit RedisStore(RedisPool& pool) : pool_(pool) {}

    /// GET; nullopt when absent. Throws RedisError.
    std::optional<std::string> get(std::string_view key);
    /// SET key value PX ttl, then (same round trip) PUBLISH channel message when message is non-empty.
    void set(std::string_view key, std::string_view value, uint64_t ttlMs, std::string_view channel = {},
             std::string_view message = {});
    /// UNLINK keys (batched), then PUBLISH each message. Returns the number of keys removed.
    uint64_t unlink(const std::vector<std::string>& keys, std::string_view channel = {},
                    const std::vector<std::string>& messages = {});
    /// SCAN cursor MATCH <escaped prefix>* COUNT batch, UNLINK of each page; never KEYS.
    uint64_t deletePrefix(std::string_view prefix, std::size_t batch = 1000);
    void publish(std::string_view channel, std::string_view message);
    /// PING on a pooled connection; throws RedisError.
    void ping();

    /// `prefix` with the glob characters *?[]\ escaped, for SCAN MATCH.
    static std::string globEscape(std::string_view prefix);

  private:
    RedisPool& pool_;
};

}  // namespace valory::plugins::cache
