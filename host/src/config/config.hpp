// The admin config (config/valory.jsonc): server settings, plugin path, per-plugin toggles and
// settings. Strict: unknown keys, duplicate keys, wrong types and out-of-range numbers are errors
// naming the file and key path.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace valory::host {

struct CorsSettings {
    std::vector<std::string> origins;  ///< exact origins, or "*"
    bool credentials = false;
    std::vector<std::string> allowHeaders;  ///< empty: echo the preflight's request headers
    std::uint32_t maxAgeS = 600;
};

struct ServerSettings {
    std::string host = "0.0.0.0";
    std::uint16_t port = 8080;
    std::uint32_t threads = 16;
    std::uint32_t maxQueued = 64;
    std::uint32_t keepAliveTimeoutS = 10;
    std::uint32_t maxKeepAliveRequests = 1000;
    std::uint32_t requestTimeoutS = 30;
    std::uint64_t maxBodyBytes = 1024 * 1024;
    std::uint32_t drainDeadlineS = 10;
    std::uint32_t retryAfterS = 1;
    std::vector<std::string> trustedProxies;
    std::string publicUrl;
    CorsSettings cors;
};

/// The admin API and run-time reload (config key "admin").
struct AdminSettings {
    /// The admin token as a reference ({"env": NAME} or {"file": PATH}); null = admin API off.
    nlohmann::json token;
    bool watchConfig = false;  ///< reload when the config file changes (besides SIGHUP)
    std::uint32_t watchIntervalMs = 1000;
};

struct PluginEntry {
    std::string id;
    bool enabled = true;
    bool optional = false;
    nlohmann::json settings = nlohmann::json::object();
    std::string keyPath;  ///< "plugins.<id>" for messages
};

class Config {
  public:
    /// Loads and validates a config file; throws ConfigError.
    static Config load(const std::filesystem::path& file);
    /// Parses config text; `source` names it in messages, relative paths resolve against `baseDir`.
    static Config parse(const std::string& text, const std::string& source,
                        const std::filesystem::path& baseDir);
    /// The built-in defaults (no file).
    static Config defaults(const std::filesystem::path& baseDir);

    std::string source;  ///< file name used in messages
    std::filesystem::path baseDir;
    ServerSettings server;
    std::vector<std::filesystem::path> pluginPath;
    std::filesystem::path dataDir;
    std::string logLevel = "information";
    std::uint32_t schedulerWorkers = 2;
    std::uint32_t stopDeadlineS = 10;  ///< per-plugin deadline for cancelling its jobs
    std::map<std::string, PluginEntry> plugins;
    nlohmann::json httpClient = nlohmann::json::object();
    AdminSettings admin;

    const PluginEntry* plugin(const std::string& id) const;
};

}  // namespace valory::host
