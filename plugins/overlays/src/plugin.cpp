// overlays plugin: the composition. create() reads the settings; start() acquires the services,
// applies the schema, then registers each feature's routes. Features live in their own files.
#include <memory>

#include "app.hpp"
#include "features.hpp"
#include "schema.hpp"
#include "stats_feature.hpp"
#include "valory/cpp/plugin.hpp"

namespace valory::plugins::overlays {

// Every feature's routes, in one list (also used by the OpenAPI test, without a host).
void registerFeatures(App& app) {
    registerAuthRoutes(app);
    registerUserRoutes(app);
    registerOverlayRoutes(app);
    registerUtilsRoutes(app);
    registerStatsRoutes(app);
    registerShowcaseRoutes(app);
    registerPageRoutes(app);
}

namespace {

class OverlaysPlugin : public sdk::Plugin {
  public:
    OverlaysPlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(std::move(host)), config_(OverlaysConfig::fromSettings(args.settings)), args_(args) {}

    void start() override {
        app_ = std::make_unique<App>(host(), config_);
        app_->db = host().acquire<sdk::sql::Database>();
        app_->twitch = host().acquire<sdk::Twitch>();
        app_->riot = host().acquire<sdk::Riot>();
        if (config_.useCache) app_->cache = host().tryAcquire<sdk::Cache>();
        host().info(app_->cache ? "overlay documents cached through cache/1"
                                : "no cache/1: every read goes to PostgreSQL");

        // In check mode the persistence plugin only reports pending migrations.
        for (const auto& m : app_->db->migrate("overlays", migrations()))
            host().info("applied migration " + std::to_string(m.version) + " " + m.name);
        if (!args_.serving()) return;

        registerFeatures(*app_);
        startStats(*app_);
        if (auto demo = args_.settings.find("demo_streamer");
            demo != args_.settings.end() && demo->is_object())
            seedDemoStreamer(*app_, *demo);
    }

    void stop() override {
        if (app_) stopStats(*app_);
        if (app_) app_->routes.clear();
        app_.reset();
    }

    valory_health_state health(nlohmann::json& detail) {
        if (!app_) return VALORY_HEALTH_UNKNOWN;
        detail = {{"cache", app_->cache ? "cache/1" : "none"}};
        return VALORY_HEALTH_OK;
    }

  private:
    OverlaysConfig config_;
    sdk::CreateArgs args_;
    std::unique_ptr<App> app_;
};

}  // namespace
}  // namespace valory::plugins::overlays

VALORY_PLUGIN(valory::plugins::overlays::OverlaysPlugin, "overlays", "1.0.0")
