// Discovers, checks, orders, loads, starts and stops plugins (ARCHITECTURE §2.3-2.5, §2.11).
//
// Every refusal is one line "plugin '<id>' refused at <step>: <fact>" with steps, in order:
// discovery, manifest, abi-check, elf-check, config, dependencies, load, entry, descriptor,
// create, start. Manifests, ABI and ELF header are checked before any library is opened.
#pragma once

#include "config/config.hpp"
#include "plugins/host_api.hpp"
#include "plugins/manifest.hpp"

#include <valory/plugin.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace valory::host {

class PluginManager {
  public:
    enum class State { Found, Refused, Loaded, Created, Started, Stopped };

    struct Record {
        std::string id;
        std::optional<Manifest> manifest;
        std::filesystem::path manifestFile;
        bool configured = false;  ///< listed in the admin config
        bool enabled = false;
        bool optional = false;
        State state = State::Found;
        std::string step;  ///< refusal step
        std::string fact;  ///< refusal fact
        std::string settingsText = "{}";
        std::unique_ptr<valory_host> handle;
        const valory_plugin_descriptor* descriptor = nullptr;
        void* instance = nullptr;

        std::string refusalLine() const { return "plugin '" + id + "' refused at " + step + ": " + fact; }
    };

    struct CommandSpec {
        std::string plugin;
        std::string command;
        std::vector<std::string> args;
    };

    PluginManager(const Config& config, HostContext& context, valory_run_mode mode, CommandSpec command = {});
    ~PluginManager();

    /// Host-provided services that manifests may require (e.g. http.client/1).
    void addHostService(const std::string& service, std::uint32_t major, std::uint32_t minor);

    /// Reads every manifest under the plugin path and runs every pre-open check (manifest, ABI,
    /// ELF, settings, dependencies). Never opens a library. Returns the start order.
    const std::vector<std::string>& prepare();

    /// Loads, creates and starts plugins in order. A failing optional plugin is skipped with one
    /// line; a failing required one makes this return false — at once, unless `continueOnFailure`
    /// (--check), which goes on to report every problem.
    bool startAll(bool continueOnFailure);

    /// Stops started plugins in reverse order (routes and jobs removed first, then stop, destroy).
    void stopAll();

    /// Runs the command of the command spec on its (started) target; writes output to `out`.
    int runCommand(std::string& out, std::string& error);

    /// Problems of enabled plugins (refusals) and of the config, one line each.
    std::vector<std::string> problems() const;
    /// Refusals of non-optional plugins.
    std::vector<std::string> requiredFailures() const;
    /// The --list-plugins report.
    std::string listing() const;
    /// `run <plugin> --help`: the commands the plugin's manifest lists. Returns the exit code
    /// (1 when the plugin was not found or its manifest is unreadable; the reason goes to error).
    int commandHelp(const std::string& id, std::string& out, std::string& error) const;

    /// The `host.health/1` report: a JSON array, one object per enabled plugin in start order,
    /// with its state and (for started plugins with a health slot) the slot's state and detail.
    /// Called from HTTP/worker threads while serving; the set of records does not change then.
    std::string healthReport() const;

    const std::vector<std::string>& order() const { return order_; }
    const Record* record(const std::string& id) const;
    std::vector<std::string> startedIds() const { return started_; }

  private:
    void discover();
    void refuse(Record& r, const std::string& step, const std::string& fact);
    bool loadAndStart(Record& r);
    void cleanupRegistrations(Record& r);
    void stopOne(Record& r);
    void publishState(const Record& r, int state, const std::string& reason);

    const Config& config_;
    HostContext& context_;
    valory_run_mode mode_;
    CommandSpec command_;
    std::map<std::string, std::uint32_t> hostServices_;
    std::map<std::string, Record> records_;
    std::vector<std::string> otherProblems_;  // manifests that could not be read, etc.
    std::vector<std::string> order_;
    std::vector<std::string> started_;
    std::map<std::string, std::string> providerOf_;
    std::uint32_t stateFamily_ = 0;
};

const char* toString(PluginManager::State state);

}  // namespace valory::host
