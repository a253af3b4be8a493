// The C tables of valory_host_api, and the per-plugin record behind the opaque valory_host.
#pragma once

#include "plugins/manifest.hpp"

#include <valory/plugin.h>

#include <map>
#include <string>

namespace Poco {
class Logger;
}

namespace valory::host {

class Router;
class ServiceRegistry;
class Events;
class MetricsRegistry;
class Scheduler;
class SecretMasker;

/// What every plugin's host API reaches: the host's shared parts.
struct HostContext {
    Router* router = nullptr;
    ServiceRegistry* services = nullptr;
    Events* events = nullptr;
    MetricsRegistry* metrics = nullptr;
    Scheduler* scheduler = nullptr;
    SecretMasker* masker = nullptr;
    std::map<std::string, std::string> info;  ///< host.version, host.instance_id, http.public_url
    valory_run_mode runMode = VALORY_RUN_SERVE;
    std::uint64_t jobCancelDeadlineMs = 10000;
};

/// The table handed to every plugin's create(). Static storage.
const valory_host_api* hostApi();

/// Log priority of a valory_log_level (Poco::Message::Priority).
int pocoPriority(valory_log_level level);

}  // namespace valory::host

/// One per plugin record: identifies the calling plugin in every host API function.
struct valory_host {
    valory::host::HostContext* context = nullptr;
    std::string id;
    const valory::host::Manifest* manifest = nullptr;  ///< nullptr for host-internal callers (no checks)
    std::string settingsJson = "{}";
    std::string dataDir;
    std::string pluginDir;
    Poco::Logger* logger = nullptr;
};
