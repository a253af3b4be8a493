// Thin adapter: settings -> TwoLevelCache, cache/1 registration, health slot.
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
    }

    void stop() override {
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
    CacheConfig config_;
    std::unique_ptr<TwoLevelCache> cache_;
    sdk::ProvidedService service_;
};

}  // namespace valory::plugins::cache

VALORY_PLUGIN(valory::plugins::cache::CachePlugin, "cache", "1.0.0")
