#include "plugins/plugin_health_service.hpp"

#include "plugins/plugin_manager.hpp"

#include <exception>
#include <string>

namespace valory::host {

valory_status PluginHealthService::report(void* self, valory_writer* out, valory_error* err) {
    if (!self || !out || !out->write)
        return valory_fail(err, VALORY_ERR_INVALID_ARGUMENT, "report: writer is required");
    try {
        const std::string text = static_cast<PluginHealthService*>(self)->plugins_.healthReport();
        out->write(out->ctx, text.data(), text.size());
        return VALORY_OK;
    } catch (const std::exception& e) {
        return valory_fail(err, VALORY_ERR_INTERNAL,
                           (std::string("health report failed: ") + e.what()).c_str());
    }
}

const valory_plugin_health_api* PluginHealthService::vtable() const noexcept {
    static const valory_plugin_health_api kApi = {sizeof(valory_plugin_health_api),
                                                  &PluginHealthService::report};
    return &kApi;
}

}  // namespace valory::host
