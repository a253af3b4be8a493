// The host service `host.health/1` (valory/plugin_health.h): each plugin's health slot, read
// through the plugin manager, for observers such as the monitoring plugin's readiness endpoint.
#pragma once

#include <valory/plugin_health.h>

namespace valory::host {

class PluginManager;

class PluginHealthService {
  public:
    explicit PluginHealthService(const PluginManager& plugins) : plugins_(plugins) {}
    const valory_plugin_health_api* vtable() const noexcept;
    void* self() noexcept { return this; }

  private:
    static valory_status report(void* self, valory_writer* out, valory_error* err);
    const PluginManager& plugins_;
};

}  // namespace valory::host
