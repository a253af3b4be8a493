// Thin adapter: settings -> TwoLevelCache, cache/1 registration, health slot.
#include <chrono>
#include <memory>
#include <stdexcept>

#include "cache_config.hpp"
#include "cache_service.hpp"
#include "two_level_cache.hpp"
#include "valory/cpp/plugin.hpp"

namespace valory::plugins::cache {

class CachePlugin : public sdk::Plugin {
  public:
    CachePlugin(sdk::Host host, const sdk::CreateArgs& args) : sdk::Plugin(std::move(host)) {
        try {
            config_ = CacheConfig::fromJson(args.settings);
        } catch (const std::invalid_argument& e) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, std::string("cache settings: ") + e.what());
        }
    }

    void start() override {
        sdk::Host h = host();
        cache_ = std::make_unique<TwoLevelCache>(
            config_, [h](valory_log_level level, const std::string& m) { h.log(level, m); });
        cache_->start();
        service_ = host().provide(VALORY_CACHE_SERVICE, VALORY_CACHE_MAJOR, VALORY_CACHE_MINOR,
                                  cacheServiceVtable(), cache_.get());
        // cache/1 stats as metric families (exported by the monitoring plugin), refreshed every second.
        requests_ = host().counter("valory_cache_requests_total", "Cache lookups by level and result",
                                   {"level", "result"});
        events_ = host().counter("valory_cache_events_total",
                                 "Cache evictions, expirations, Redis errors, computations and invalidations",
                                 {"event"});
        l1Entries_ = host().gauge("valory_cache_l1_entries", "Entries held in the in-process L1");
        l1Bytes_ = host().gauge("valory_cache_l1_bytes", "Bytes held in the in-process L1");
        redisUp_ = host().gauge("valory_cache_redis_up", "1 while Redis (L2) answers, 0 while it is down");
        metricsJob_ = host().job("cache.metrics", std::chrono::seconds(1), std::chrono::milliseconds(0),
                                 [this] { publishMetrics(); });
    }

    void stop() override {
        metricsJob_ = {};
        service_.reset();  // no new calls; the host has already stopped every holder
        if (cache_) cache_->stop();
        cache_.reset();
    }

    valory_health_state health(nlohmann::json& detail) {
        if (!cache_) {
            detail["message"] = "not started";
            return VALORY_HEALTH_UNKNOWN;
        }
        return cache_->health(detail);
    }

    bool reconfigure(const nlohmann::json&) { return false; }  // pools and threads: restart to apply

  private:
    void publishMetrics() {
        valory_cache_stats st{};
        st.struct_size = sizeof st;
        cache_->stats(&st);
        auto delta = [](uint64_t now, uint64_t& last) {
            const uint64_t d = now >= last ? now - last : now;
            last = now;
            return static_cast<double>(d);
        };
        requests_.add(delta(st.l1_hits, last_.l1_hits), {"l1", "hit"});
        requests_.add(delta(st.l1_misses, last_.l1_misses), {"l1", "miss"});
        requests_.add(delta(st.l2_hits, last_.l2_hits), {"l2", "hit"});
        requests_.add(delta(st.l2_misses, last_.l2_misses), {"l2", "miss"});
        events_.add(delta(st.l1_evictions, last_.l1_evictions), {"l1_eviction"});
        events_.add(delta(st.l1_expirations, last_.l1_expirations), {"l1_expiration"});
        events_.add(delta(st.l2_errors, last_.l2_errors), {"l2_error"});
        events_.add(delta(st.computes, last_.computes), {"compute"});
        events_.add(delta(st.compute_waits, last_.compute_waits), {"compute_wait"});
        events_.add(delta(st.stale_served, last_.stale_served), {"stale_served"});
        events_.add(delta(st.refresh_failures, last_.refresh_failures), {"refresh_failure"});
        events_.add(delta(st.invalidations_received, last_.invalidations_received),
                    {"invalidation_received"});
        events_.add(delta(st.sets_refused, last_.sets_refused), {"set_refused"});
        l1Entries_.set(static_cast<double>(st.l1_entries));
        l1Bytes_.set(static_cast<double>(st.l1_bytes));
        if (st.l2_state != VALORY_CACHE_L2_DISABLED) redisUp_.set(st.l2_state == VALORY_CACHE_L2_UP ? 1 : 0);
    }

    CacheConfig config_;
    std::unique_ptr<TwoLevelCache> cache_;
    sdk::ProvidedService service_;
    sdk::Counter requests_, events_;
    sdk::Gauge l1Entries_, l1Bytes_, redisUp_;
    sdk::Job metricsJob_;
    valory_cache_stats last_{};
};

}  // namespace valory::plugins::cache

VALORY_PLUGIN(valory::plugins::cache::CachePlugin, "cache", "1.0.0")
