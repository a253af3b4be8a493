#include "cache_config.hpp"

#include <stdexcept>

namespace valory::plugins::cache {

namespace {
uint64_t readUint(const nlohmann::json& obj, const char* key, const std::string& path, uint64_t current,
                  uint64_t min = 0, uint64_t max = UINT64_MAX) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return current;
    if (!it->is_number_integer() ||
        (it->is_number_integer() && !it->is_number_unsigned() && it->get<int64_t>() < 0))
        throw std::invalid_argument(path + key + ": must be a non-negative integer");
    uint64_t v = it->get<uint64_t>();
    if (v < min || v > max)
        throw std::invalid_argument(path + key + ": must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    return v;
}

std::string readString(const nlohmann::json& obj, const char* key, const std::string& path,
                       std::string current) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return current;
    if (!it->is_string()) throw std::invalid_argument(path + key + ": must be a string");
    return it->get<std::string>();
}

NamespacePolicy readPolicy(const nlohmann::json& obj, const std::string& path, NamespacePolicy p) {
    p.defaultTtlMs = readUint(obj, "default_ttl_ms", path, p.defaultTtlMs, 1);
    p.minTtlMs = readUint(obj, "min_ttl_ms", path, p.minTtlMs, 1);
    p.maxTtlMs = readUint(obj, "max_ttl_ms", path, p.maxTtlMs, 1);
    p.maxStaleMs = readUint(obj, "max_stale_ms", path, p.maxStaleMs);
    p.l1TtlMs = readUint(obj, "l1_ttl_ms", path, p.l1TtlMs, 1);
    p.maxValueBytes = readUint(obj, "max_value_bytes", path, p.maxValueBytes, 1, 512ull << 20);
    if (p.minTtlMs > p.maxTtlMs) throw std::invalid_argument(path + "min_ttl_ms: must not exceed max_ttl_ms");
    if (p.defaultTtlMs < p.minTtlMs || p.defaultTtlMs > p.maxTtlMs)
        throw std::invalid_argument(path + "default_ttl_ms: must lie within [min_ttl_ms, max_ttl_ms]");
    return p;
}
}  // namespace

CacheConfig CacheConfig::fromJson(const nlohmann::json& s) {
    if (!s.is_object()) throw std::invalid_argument("settings: must be an object");
    CacheConfig c;
    c.url = readString(s, "url", "", c.url);
    c.password = readString(s, "password", "", c.password);
    c.channel = readString(s, "channel", "", c.channel);
    if (c.channel.empty()) throw std::invalid_argument("channel: must not be empty");
    c.poolSize = readUint(s, "pool_size", "", c.poolSize, 1, 1000);
    c.connectTimeout = Millis(readUint(s, "connect_timeout_ms", "", 5000, 1, 600000));
    c.receiveTimeout = Millis(readUint(s, "receive_timeout_ms", "", 5000, 1, 600000));
    c.sendTimeout = Millis(readUint(s, "send_timeout_ms", "", 5000, 1, 600000));
    c.acquireTimeout = Millis(readUint(s, "acquire_timeout_ms", "", 2000, 1, 600000));
    c.healthCheckInterval = Millis(readUint(s, "health_check_interval_ms", "", 30000, 100, 3600000));
    c.reconnectMin = Millis(readUint(s, "reconnect_min_ms", "", 100, 1, 600000));
    c.reconnectMax = Millis(readUint(s, "reconnect_max_ms", "", 5000, 1, 600000));
    if (c.reconnectMin > c.reconnectMax)
        throw std::invalid_argument("reconnect_min_ms: must not exceed reconnect_max_ms");
    c.l1.shards = readUint(s, "l1_shards", "", c.l1.shards, 1, 1024);
    c.l1.maxEntries = readUint(s, "l1_max_entries", "", c.l1.maxEntries, 1);
    c.l1.maxBytes = readUint(s, "l1_max_bytes", "", c.l1.maxBytes, 1);
    c.maxPendingDeletes = readUint(s, "max_pending_deletes", "", c.maxPendingDeletes, 1);
    c.defaults = readPolicy(s, "", c.defaults);
    if (auto it = s.find("namespaces"); it != s.end() && !it->is_null()) {
        if (!it->is_array()) throw std::invalid_argument("namespaces: must be an array");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& item = (*it)[i];
            const std::string path = "namespaces[" + std::to_string(i) + "].";
            if (!item.is_object())
                throw std::invalid_argument(path.substr(0, path.size() - 1) + ": must be an object");
            std::string name = readString(item, "name", path, "");
            if (name.empty() || name.find(':') != std::string::npos)
                throw std::invalid_argument(path + "name: required, without ':'");
            if (c.namespaces.count(name))
                throw std::invalid_argument(path + "name: duplicate namespace '" + name + "'");
            c.namespaces.emplace(name, readPolicy(item, path, c.defaults));
        }
    }
    if (!c.url.empty()) {
        try {
            RedisEndpoint::parse(c.url);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("url: ") + e.what());
        }
    }
    return c;
}

}  // namespace valory::plugins::cache
