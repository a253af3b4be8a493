// The feature files of the overlays plugin: each adds its routes to app.routes.
#pragma once

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

struct App;

void registerAuthRoutes(App& app);     // auth_routes.cpp: /api/auth/*
void registerUserRoutes(App& app);     // user_routes.cpp: /api/users/me, riotid, hdev_api_key
void registerOverlayRoutes(App& app);  // overlay_routes.cpp: settings, public /api/overlay/{id}
void registerUtilsRoutes(App& app);    // utils_routes.cpp: ping, health, openapi.json
void registerPageRoutes(App& app);     // pages.cpp: /, /dashboard, /overlay/{id}, /assets/, load reports

// stats_feature.cpp: /api/overlay/{id}/stats, the session reset, /api/streamers/*
void registerStatsRoutes(App& app);
void registerShowcaseRoutes(App& app);

/// All of the above (plugin.cpp), in registration order.
void registerFeatures(App& app);

/// demo_seed.cpp: settings.demo_streamer (demo profile only).
void seedDemoStreamer(App& app, const nlohmann::json& spec);

}  // namespace valory::plugins::overlays
