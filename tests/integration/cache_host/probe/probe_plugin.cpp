// Test-only plugin: uses cache/1 through the host's service registry, as any consumer does.
//   PUT    /probe/cache/{key}?ttl_ms=N   body = value      -> 204
//   GET    /probe/cache/{key}                              -> 200 value | 404
//   DELETE /probe/cache/{key}                              -> 204
//   DELETE /probe/cache-prefix/{prefix}                    -> 200 {"deleted": n}
//   GET    /probe/cache-stats                              -> 200 {"l1_hits": .., "l2_state": ..}
#include <optional>

#include "valory/cpp/cache.hpp"
#include "valory/cpp/plugin.hpp"

namespace {

class CacheProbe : public valory::sdk::Plugin {
  public:
    CacheProbe(valory::sdk::Host host, const valory::sdk::CreateArgs&) : Plugin(std::move(host)) {}

    void start() override {
        cache_ = host().acquire<valory::sdk::Cache>();
        routes_.push_back(host().route("PUT", "/probe/cache/{key}", [this](const auto& rq, auto& rs) {
            auto ttl = rq.query("ttl_ms");
            cache_->set(*rq.param("key"), rq.body(),
                        {std::chrono::milliseconds(ttl ? std::stoll(std::string(*ttl)) : 0)});
            rs.status(204);
        }));
        routes_.push_back(host().route("GET", "/probe/cache/{key}", [this](const auto& rq, auto& rs) {
            auto hit = cache_->get(*rq.param("key"));
            if (!hit) {
                rs.error(404, "not_found", "cache miss");
                return;
            }
            rs.header("X-Cache-Source", std::to_string(hit->source));
            rs.body(hit->value);
        }));
        routes_.push_back(host().route("DELETE", "/probe/cache/{key}", [this](const auto& rq, auto& rs) {
            cache_->erase(*rq.param("key"));
            rs.status(204);
        }));
        routes_.push_back(
            host().route("DELETE", "/probe/cache-prefix/{prefix}", [this](const auto& rq, auto& rs) {
                rs.json({{"deleted", cache_->erasePrefix(*rq.param("prefix"))}});
            }));
        routes_.push_back(host().route("GET", "/probe/cache-stats", [this](const auto&, auto& rs) {
            auto s = cache_->stats();
            rs.json({{"l1_hits", s.l1_hits}, {"l2_hits", s.l2_hits}, {"l2_state", s.l2_state}});
        }));
    }
    void stop() override {
        routes_.clear();
        cache_.reset();
    }

  private:
    std::optional<valory::sdk::Cache> cache_;
    std::vector<valory::sdk::Route> routes_;
};

}  // namespace

VALORY_PLUGIN(CacheProbe, "cache_probe", "1.0.0")
