// Plans a run-time change of the running plugin set (ARCHITECTURE §2.7): which plugins stop, in
// which order, and which start afterwards. Pure: no plugin is touched, so every rule is unit tested.
//
// Rules, the same for a reloaded config and for an admin-API toggle:
//  - a plugin that stays (or becomes) enabled and *requires* a service must find a provider that will
//    run afterwards; otherwise the whole change is refused, naming the plugin, the service and what
//    to do (e.g. "cannot disable 'persistence': 'overlays' requires its service 'sql/1' and stays
//    enabled; disable 'overlays' as well, or keep 'persistence' enabled");
//  - every running consumer of a stopping plugin (required and optional alike) stops first and is
//    started again afterwards if it stays enabled (an optional consumer then runs without it);
//  - a running plugin listing a newly started provider as optional restarts to pick it up;
//  - stops run in reverse dependency order, starts in dependency order; ties alphabetically.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace valory::host {

struct PlanNode {
    std::string id;
    std::vector<std::string> requires_;  ///< "service/major" keys
    std::vector<std::string> optional;
    std::vector<std::string> provides;
    bool running = false;
};

struct PlanInput {
    std::vector<PlanNode> nodes;         ///< every known plugin with a readable manifest
    std::set<std::string> hostServices;  ///< keys the host provides (http.client/1)
    std::set<std::string> desired;       ///< ids that should run after the change
    std::set<std::string> restart;       ///< running ids to stop and start again
    /// Desired ids that are not running and may be started (a reload retries every desired plugin;
    /// an API toggle only its target). Desired, not running and not listed here: left alone.
    std::set<std::string> startable;
};

struct Plan {
    std::vector<std::string> refusals;  ///< non-empty: the change is refused whole
    std::vector<std::string> stop;      ///< in stop order (consumers first)
    std::vector<std::string> start;     ///< in start order (providers first)
    std::vector<std::string> disable;   ///< stopped and not started again
    bool ok() const { return refusals.empty(); }
};

Plan planToggle(const PlanInput& input);

}  // namespace valory::host
