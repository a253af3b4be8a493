// A second cache instance in its own process, driven over stdin/stdout by cache_redis_test
// (pub/sub eviction between processes). Usage: cache_peer <redis-url> <channel>
//   set <key> <value>   -> "ok"
//   l1 <key>            -> "hit <value>" | "miss"     (L1 only)
//   get <key>           -> "hit <value>" | "miss"     (L1, then Redis)
//   stats               -> "invalidations <n>"
//   quit
// Prints "ready" once subscribed to the invalidation channel.
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "cache_service.hpp"
#include "two_level_cache.hpp"
#include "valory/cpp/cache.hpp"

using namespace valory::plugins::cache;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: cache_peer <redis-url> <channel>\n";
        return 2;
    }
    CacheConfig cfg = CacheConfig::fromJson({{"url", argv[1]}, {"channel", argv[2]}, {"l1_ttl_ms", 600000}});
    TwoLevelCache cache(cfg,
                        [](valory_log_level, const std::string& m) { std::cerr << "peer: " << m << "\n"; });
    cache.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (cache.subscriptions() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (cache.subscriptions() == 0) {
        std::cout << "not-subscribed" << std::endl;
        return 1;
    }
    valory::sdk::Cache c(cacheServiceVtable(), &cache);
    std::cout << "ready" << std::endl;
    std::string cmd;
    while (std::cin >> cmd) {
        if (cmd == "quit") break;
        std::string key;
        if (cmd == "set") {
            std::string value;
            std::cin >> key >> value;
            c.set(key, value, {std::chrono::minutes(10)});
            std::cout << "ok" << std::endl;
        } else if (cmd == "l1" || cmd == "get") {
            std::cin >> key;
            auto hit = c.get(key, cmd == "l1" ? static_cast<uint32_t>(VALORY_CACHE_L1_ONLY) : 0u);
            std::cout << (hit ? "hit " + hit->value : std::string("miss")) << std::endl;
        } else if (cmd == "stats") {
            std::cout << "invalidations " << c.stats().invalidations_received << std::endl;
        } else {
            std::cout << "unknown" << std::endl;
        }
    }
    cache.stop();
    return 0;
}
