// bench_cache: measurements of the cache plugin's code (the same TwoLevelCache and cache/1 thunks
// the plugin registers), one mode per run so bench/cache/run can alternate them. Output: one JSON
// object on stdout.
//
//   --mode l1-hit     --iterations N               ns per L1 hit through cache/1 + facade (reused
//                                                  buffer) and heap allocations per hit
//   --mode l1-loop    --iterations N               the same loop only, for callgrind
//                                                  (--toggle-collect=valory_cache_bench_loop_*)
//   --mode empty-loop --iterations N               the loop without the call (subtracted)
//   --mode seed       --url U --keys K --value-bytes B   writes K keys in the cache's value format
//   --mode l2-cache   --url U --threads T --ops N --keys K   GETs through cache/1 with L1 disabled,
//                                                  pool of T connections
//   --mode l2-poco    --url U --threads T --ops N --keys K   plain Poco::Redis::Client GET loop, one
//                                                  client (connection) per thread
//   --mode zipf       --url U --threads T --ops N --keys K --zipf-s S --ttl-ms X --l1-ttl-ms Y
//                     --l1-entries E                getOrCompute over Zipf(S)-distributed keys
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/Redis/Type.h>

#include "cache_service.hpp"
#include "two_level_cache.hpp"
#include "value_format.hpp"
#include "valory/cpp/cache.hpp"

extern "C" uint64_t valory_bench_allocations(void);

using namespace valory::plugins::cache;
using Clock = std::chrono::steady_clock;

namespace {

std::map<std::string, std::string> gArgs;
std::string arg(const std::string& k, const std::string& def = "") {
    auto it = gArgs.find(k);
    return it == gArgs.end() ? def : it->second;
}
uint64_t argU(const std::string& k, uint64_t def) {
    return std::stoull(arg(k, std::to_string(def)));
}

std::string benchKey(uint64_t i) {
    return "bench:v1:k:" + std::to_string(i);
}

// A plain Poco client on the URL's host, port and database (the baseline and the seeding).
void connectPlain(Poco::Redis::Client& client, const RedisEndpoint& ep) {
    client.connect(ep.host, ep.port, Poco::Timespan(5, 0));
    client.setReceiveTimeout(Poco::Timespan(5, 0));
    if (ep.db != 0) {
        Poco::Redis::Array select;
        select.add("SELECT").add(std::to_string(ep.db));
        client.execute<std::string>(select);
    }
}

void quietLog(valory_log_level level, const std::string& m) {
    if (level >= VALORY_LOG_WARNING) std::cerr << "cache: " << m << "\n";
}

// The measured loops are separate non-inlined functions so callgrind can count only them.
extern "C" __attribute__((noinline)) uint64_t valory_cache_bench_loop_l1(valory::sdk::Cache* c,
                                                                         const std::string* key,
                                                                         std::string* out, uint64_t n) {
    uint64_t hits = 0;
    for (uint64_t i = 0; i < n; ++i) hits += c->getInto(*key, *out) ? 1 : 0;
    return hits;
}
extern "C" __attribute__((noinline)) uint64_t valory_cache_bench_loop_empty(valory::sdk::Cache* c,
                                                                            const std::string* key,
                                                                            std::string* out, uint64_t n) {
    uint64_t hits = 0;
    for (uint64_t i = 0; i < n; ++i) {
        asm volatile("" : : "r"(c), "r"(key), "r"(out) : "memory");
        hits += 1;
    }
    return hits;
}

int l1Mode(const std::string& mode) {
    const uint64_t n = argU("iterations", 1000000);
    const uint64_t valueBytes = argU("value-bytes", 100);
    CacheConfig cfg;  // L1 only: the hit path never touches Redis
    TwoLevelCache cache(cfg, quietLog);
    cache.start();
    valory::sdk::Cache c(cacheServiceVtable(), &cache);
    const std::string key = benchKey(1);
    c.set(key, std::string(valueBytes, 'v'), {std::chrono::hours(1)});
    std::string out;
    out.reserve(valueBytes * 2);
    if (!c.getInto(key, out)) return 1;
    if (mode == "l1-loop") return valory_cache_bench_loop_l1(&c, &key, &out, n) == n ? 0 : 1;
    if (mode == "empty-loop") return valory_cache_bench_loop_empty(&c, &key, &out, n) == n ? 0 : 1;
    valory_cache_bench_loop_l1(&c, &key, &out, n / 10);  // warm-up
    const uint64_t a0 = valory_bench_allocations();
    const auto t0 = Clock::now();
    const uint64_t hits = valory_cache_bench_loop_l1(&c, &key, &out, n);
    const auto t1 = Clock::now();
    const uint64_t allocs = valory_bench_allocations() - a0;
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
    std::printf(
        "{\"mode\":\"l1-hit\",\"iterations\":%llu,\"value_bytes\":%llu,\"hits\":%llu,\"ns_per_hit\":%.2f,"
        "\"allocations\":%llu,\"allocations_per_hit\":%.6f}\n",
        (unsigned long long)n, (unsigned long long)valueBytes, (unsigned long long)hits, ns,
        (unsigned long long)allocs, static_cast<double>(allocs) / static_cast<double>(n));
    return hits == n ? 0 : 1;
}

int seedMode() {
    const uint64_t keys = argU("keys", 1000);
    const std::string value =
        encodeValue(0, INT64_MAX / 4, INT64_MAX / 4, std::string(argU("value-bytes", 100), 'v'));
    auto ep = RedisEndpoint::parse(arg("url"));
    Poco::Redis::Client client;
    connectPlain(client, ep);
    for (uint64_t base = 0; base < keys; base += 500) {
        std::vector<Poco::Redis::Array> cmds;
        for (uint64_t i = base; i < std::min(keys, base + 500); ++i) {
            Poco::Redis::Array a;
            a.add("SET").add(benchKey(i)).add(value);
            cmds.push_back(a);
        }
        client.sendCommands(cmds);
    }
    std::printf("{\"mode\":\"seed\",\"keys\":%llu}\n", (unsigned long long)keys);
    return 0;
}

template <class Body>
double runThreads(uint64_t threads, Body body) {
    std::atomic<uint64_t> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> ts;
    for (uint64_t t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            ready.fetch_add(1);
            while (!go.load()) std::this_thread::yield();
            body(t);
        });
    while (ready.load() < threads) std::this_thread::yield();
    const auto t0 = Clock::now();
    go = true;
    for (auto& th : ts) th.join();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int l2Mode(const std::string& mode) {
    const uint64_t threads = argU("threads", 2), ops = argU("ops", 20000), keys = argU("keys", 1000);
    std::atomic<uint64_t> misses{0}, errors{0};
    double secs = 0;
    if (mode == "l2-cache") {
        nlohmann::json s = {{"url", arg("url")},
                            {"pool_size", threads},
                            {"l1_shards", 1},
                            {"l1_max_bytes", 1},
                            {"channel", "valory:bench:" + std::to_string(::getpid())}};
        TwoLevelCache cache(CacheConfig::fromJson(s), quietLog);
        cache.start();
        valory::sdk::Cache c(cacheServiceVtable(), &cache);
        std::vector<std::string> ks;
        for (uint64_t i = 0; i < keys; ++i) ks.push_back(benchKey(i));
        secs = runThreads(threads, [&](uint64_t t) {
            std::string out;
            out.reserve(256);
            for (uint64_t i = 0; i < ops; ++i) {
                valory::sdk::CacheHit info;
                if (!c.getInto(ks[(i * threads + t) % keys], out, 0, &info) ||
                    info.source != VALORY_CACHE_SOURCE_L2)
                    misses.fetch_add(1);
            }
        });
        if (c.stats().l2_errors) errors = c.stats().l2_errors;
        cache.stop();
    } else {
        auto ep = RedisEndpoint::parse(arg("url"));
        std::vector<std::unique_ptr<Poco::Redis::Client>> clients;
        for (uint64_t t = 0; t < threads; ++t) {
            clients.push_back(std::make_unique<Poco::Redis::Client>());
            connectPlain(*clients.back(), ep);
            // Same socket options as the cache's connections, so only the code paths differ.
            redisClientSocket(*clients.back()).setNoDelay(true);
            redisClientSocket(*clients.back()).setKeepAlive(true);
        }
        std::vector<std::string> ks;
        for (uint64_t i = 0; i < keys; ++i) ks.push_back(benchKey(i));
        secs = runThreads(threads, [&](uint64_t t) {
            auto& cl = *clients[t];
            for (uint64_t i = 0; i < ops; ++i) {
                Poco::Redis::Array get;
                get.add("GET").add(ks[(i * threads + t) % keys]);
                try {
                    auto v = cl.execute<Poco::Redis::BulkString>(get);
                    if (v.isNull()) misses.fetch_add(1);
                } catch (const std::exception&) {
                    errors.fetch_add(1);
                }
            }
        });
    }
    const double total = static_cast<double>(threads * ops);
    std::printf(
        "{\"mode\":\"%s\",\"threads\":%llu,\"ops\":%.0f,\"seconds\":%.4f,\"ops_per_sec\":%.1f,"
        "\"misses\":%llu,\"errors\":%llu}\n",
        mode.c_str(), (unsigned long long)threads, total, secs, total / secs,
        (unsigned long long)misses.load(), (unsigned long long)errors.load());
    return misses.load() == 0 && errors.load() == 0 ? 0 : 1;
}

int zipfMode() {
    const uint64_t threads = argU("threads", 2), ops = argU("ops", 100000), keys = argU("keys", 10000);
    const double s = std::stod(arg("zipf-s", "1.0"));
    const uint64_t ttl = argU("ttl-ms", 2000), l1ttl = argU("l1-ttl-ms", 500),
                   l1Entries = argU("l1-entries", 1000);
    nlohmann::json cfg = {{"l1_max_entries", l1Entries},
                          {"l1_ttl_ms", l1ttl},
                          {"min_ttl_ms", 1},
                          {"channel", "valory:bench:" + std::to_string(::getpid())}};
    cfg["url"] = arg("url");
    TwoLevelCache cache(CacheConfig::fromJson(cfg), quietLog);
    cache.start();
    valory::sdk::Cache c(cacheServiceVtable(), &cache);
    const std::string prefix = "zipf" + std::to_string(::getpid()) + ":v1:k:";
    // Zipf CDF over ranks 1..keys.
    std::vector<double> cdf(keys);
    double sum = 0;
    for (uint64_t k = 0; k < keys; ++k) cdf[k] = (sum += 1.0 / std::pow(static_cast<double>(k + 1), s));
    for (auto& v : cdf) v /= sum;
    std::atomic<uint64_t> computes{0};
    const double secs = runThreads(threads, [&](uint64_t t) {
        std::mt19937_64 rng(42 + t);
        std::uniform_real_distribution<double> u(0, 1);
        for (uint64_t i = 0; i < ops; ++i) {
            const uint64_t k =
                static_cast<uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
            c.getOrCompute(prefix + std::to_string(k), {std::chrono::milliseconds(ttl)},
                           [&](std::chrono::milliseconds&) -> std::optional<std::string> {
                               computes.fetch_add(1);
                               return std::string(100, 'z');
                           });
        }
    });
    auto st = c.stats();
    const double total = static_cast<double>(threads * ops);
    std::printf(
        "{\"mode\":\"zipf\",\"threads\":%llu,\"ops\":%.0f,\"keys\":%llu,\"zipf_s\":%.2f,\"ttl_ms\":%llu,"
        "\"l1_ttl_ms\":%llu,\"l1_entries\":%llu,\"seconds\":%.3f,\"l1_hit_rate\":%.4f,\"l2_hit_rate\":%.4f,"
        "\"hit_rate\":%.4f,\"computes\":%llu,\"l1_evictions\":%llu}\n",
        (unsigned long long)threads, total, (unsigned long long)keys, s, (unsigned long long)ttl,
        (unsigned long long)l1ttl, (unsigned long long)l1Entries, secs,
        static_cast<double>(st.l1_hits) / total, static_cast<double>(st.l2_hits) / total,
        1.0 - static_cast<double>(computes.load()) / total, (unsigned long long)computes.load(),
        (unsigned long long)st.l1_evictions);
    c.erasePrefix(prefix.substr(0, prefix.find(":k:") + 1));
    cache.stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k.rfind("--", 0) != 0) {
            std::cerr << "bench_cache: expected --option value, got " << k << "\n";
            return 2;
        }
        gArgs[k.substr(2)] = argv[i + 1];
    }
    const std::string mode = arg("mode");
    try {
        if (mode == "l1-hit" || mode == "l1-loop" || mode == "empty-loop") return l1Mode(mode);
        if (mode == "seed") return seedMode();
        if (mode == "l2-cache" || mode == "l2-poco") return l2Mode(mode);
        if (mode == "zipf") return zipfMode();
    } catch (const std::exception& e) {
        std::cerr << "bench_cache: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "bench_cache: unknown --mode '" << mode << "'\n";
    return 2;
}
