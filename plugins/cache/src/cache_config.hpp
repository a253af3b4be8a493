// The cache plugin's settings (validated by the host against plugin.json; checked again here for
// the cross-field rules the schema subset cannot express).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "l1_cache.hpp"
#include "redis_connection.hpp"

namespace valory::plugins::cache {

/// TTL defaults and bounds of one namespace (the TTL itself comes from the caller).
struct NamespacePolicy {
    uint64_t defaultTtlMs = 300000;  // used when the caller passes 0
    uint64_t minTtlMs = 1000;        // caller TTLs are clamped into [min, max]
    uint64_t maxTtlMs = 86400000;
    uint64_t maxStaleMs = 3600000;  // bound of the stale-while-revalidate window
    uint64_t l1TtlMs = 30000;       // L1 keeps an entry at most this long
    std::size_t maxValueBytes = 1u << 20;
};

struct CacheConfig {
    std::string url;  // empty: no L2 (L1 only)
    std::string password;
    std::size_t poolSize = 20;
    Millis connectTimeout{5000};
    Millis receiveTimeout{5000};
    Millis sendTimeout{5000};
    Millis acquireTimeout{2000};
    Millis healthCheckInterval{30000};
    Millis reconnectMin{100};
    Millis reconnectMax{5000};
    std::string channel = "valory:cache:invalidate";
    L1Cache::Options l1;
    NamespacePolicy defaults;
    std::map<std::string, NamespacePolicy, std::less<>> namespaces;
    std::size_t maxPendingDeletes = 10000;

    const NamespacePolicy& policyFor(std::string_view ns) const {
        auto it = namespaces.find(ns);
        return it == namespaces.end() ? defaults : it->second;
    }

    /// Reads settings JSON (missing keys keep the defaults above). Throws std::invalid_argument
    /// naming the key path.
    static CacheConfig fromJson(const nlohmann::json& settings);
};

}  // namespace valory::plugins::cache
