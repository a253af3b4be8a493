#include "redis_store.hpp"

#include <Poco/Redis/Type.h>

namespace valory::plugins::cache {

using Poco::Redis::Array;
using Poco::Redis::BulkString;

namespace {
Array cmd(std::initializer_list<std::string_view> parts) {
    Array a;
    for (auto p : parts) a.add(std::string(p));
    return a;
}
}  // namespace

std::optional<std::string> RedisStore::get(std::string_view key) {
    auto c = pool_.acquire();
    BulkString v = c->execute<BulkString>(cmd({"GET", key}));
    if (v.isNull()) return std::nullopt;
    return std::move(v.value());
}

void RedisStore::set(std::string_view key, std::string_view value, uint64_t ttlMs, std::string_view channel,
                     std::string_view message) {
    auto c = pool_.acquire();
    Array set = cmd({"SET", key, value, "PX", std::to_string(ttlMs == 0 ? 1 : ttlMs)});
    if (message.empty()) {
        std::string ok = c->execute<std::string>(set);
        if (ok != "OK") {
            c->markBroken();
            throw RedisError("redis SET: unexpected reply '" + ok + "'");
        }
        return;
    }
    c->pipeline({set, cmd({"PUBLISH", channel, message})});
}

uint64_t RedisStore::unlink(const std::vector<std::string>& keys, std::string_view channel,
                            const std::vector<std::string>& messages) {
    uint64_t removed = 0;
    auto c = pool_.acquire();
    constexpr std::size_t kBatch = 500;
    for (std::size_t i = 0; i < keys.size(); i += kBatch) {
        Array u;
        u.add("UNLINK");
        for (std::size_t j = i; j < keys.size() && j < i + kBatch; ++j) u.add(keys[j]);
        removed += static_cast<uint64_t>(c->execute<Poco::Int64>(u));
    }
    if (!messages.empty()) {
        std::vector<Array> pubs;
        pubs.reserve(messages.size());
        for (const auto& m : messages) pubs.push_back(cmd({"PUBLISH", channel, m}));
        c->pipeline(pubs);
    }
    return removed;
}

uint64_t RedisStore::deletePrefix(std::string_view prefix, std::size_t batch) {
    const std::string match = globEscape(prefix) + "*";
    const std::string count = std::to_string(batch);
    uint64_t removed = 0;
    auto c = pool_.acquire();
    std::string cursor = "0";
    do {
        Array page = c->execute<Array>(cmd({"SCAN", cursor, "MATCH", match, "COUNT", count}));
        if (arraySize(page) != 2) {
            c->markBroken();
            throw RedisError("redis SCAN: unexpected reply shape");
        }
        cursor = page.get<BulkString>(0).value();
        Array keys = page.get<Array>(1);
        if (arraySize(keys) > 0) {
            Array u;
            u.add("UNLINK");
            for (std::size_t i = 0; i < arraySize(keys); ++i) u.add(keys.get<BulkString>(i).value());
            removed += static_cast<uint64_t>(c->execute<Poco::Int64>(u));
        }
    } while (cursor != "0");
    return removed;
}

void RedisStore::publish(std::string_view channel, std::string_view message) {
    auto c = pool_.acquire();
    c->execute<Poco::Int64>(cmd({"PUBLISH", channel, message}));
}

void RedisStore::ping() {
    auto c = pool_.acquire();
    std::string pong = c->execute<std::string>(cmd({"PING"}));
    if (pong != "PONG") {
        c->markBroken();
        throw RedisError("redis PING: unexpected reply '" + pong + "'");
    }
}

std::string RedisStore::globEscape(std::string_view prefix) {
    std::string out;
    out.reserve(prefix.size() + 8);
    for (char ch : prefix) {
        if (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '\\') out.push_back('\\');
        out.push_back(ch);
    }
    return out;
}

}  // namespace valory::plugins::cache
