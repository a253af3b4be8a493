// The admin API (served by the host itself, owner "host"):
//   GET  /admin/plugins                          id, version, state, reason, provides, routes
//   POST /admin/plugins/{id}/disable|enable|restart
//   POST /admin/config/reload                    re-reads the config file (as SIGHUP does)
// Every request needs `Authorization: Bearer <token>`: missing -> 401, wrong -> 403. The token comes
// from the config by reference ({"env"} / {"file"}) and is compared in constant time. Changes run on
// the control thread (ControlLoop::call); the handler waits for their outcome.
#pragma once

#include "plugins/plugin_manager.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace valory::host {

class ControlLoop;
class Router;

class AdminApi {
  public:
    using Reload = std::function<PluginManager::ChangeResult()>;

    AdminApi(PluginManager& plugins, ControlLoop& control, Reload reload, std::string token);

    /// Registers the routes (owner "host"); false with `message` on a conflict.
    bool install(Router& router, std::string& message);

    /// Equal contents, in time that depends only on the lengths.
    static bool constantTimeEquals(std::string_view a, std::string_view b);

  private:
    static valory_status onList(void* user, const valory_request* req, valory_response* resp,
                                valory_error* err);
    static valory_status onPluginAction(void* user, const valory_request* req, valory_response* resp,
                                        valory_error* err);
    static valory_status onReload(void* user, const valory_request* req, valory_response* resp,
                                  valory_error* err);
    bool authorized(const valory_request& req, valory_response& resp) const;
    void answer(valory_response& resp, const std::optional<PluginManager::ChangeResult>& result) const;

    PluginManager& plugins_;
    ControlLoop& control_;
    Reload reload_;
    std::string token_;
};

}  // namespace valory::host
