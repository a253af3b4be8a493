// plugin.json: what the host reads before it opens a plugin's library.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace valory::host {

struct ServiceDependency {
    std::string service;
    std::uint32_t major = 0;
    std::uint32_t minMinor = 0;
    std::string key() const { return service + "/" + std::to_string(major); }
};

struct ServiceProvision {
    std::string service;
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    std::string key() const { return service + "/" + std::to_string(major); }
};

/// A CLI action the plugin offers (`valory-host run <plugin> <name>`), as listed in plugin.json.
struct PluginCommand {
    std::string name;
    std::string summary;
};

struct Manifest {
    std::string id;
    std::string version;
    std::uint32_t abiMajor = 0;
    std::uint32_t abiMinor = 0;
    std::string library;  ///< file name beside the manifest
    std::string description;
    std::vector<ServiceDependency> requires_;
    std::vector<ServiceDependency> optional;
    std::vector<ServiceProvision> provides;
    std::vector<PluginCommand> commands;  ///< optional "commands": [{"name", "summary"}]
    nlohmann::json configSchema = nlohmann::json{{"type", "object"}, {"additionalProperties", false}};
    std::filesystem::path file;  ///< the plugin.json path
    std::filesystem::path dir;   ///< its folder

    std::filesystem::path libraryPath() const { return dir / library; }
    std::string abiString() const { return std::to_string(abiMajor) + "." + std::to_string(abiMinor); }
    /// True when (service, major) is listed in requires or optional.
    bool declaresDependency(const std::string& service, std::uint32_t major) const;
    bool declaresProvision(const std::string& service, std::uint32_t major) const;

    /// Parses a manifest file; throws ConfigError "<file>: <path>: <reason>".
    static Manifest load(const std::filesystem::path& file);
    static Manifest parse(const std::string& text, const std::filesystem::path& file);
};

}  // namespace valory::host
