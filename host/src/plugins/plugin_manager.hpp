// Discovers, checks, orders, loads, starts and stops plugins (ARCHITECTURE §2.3-2.5, §2.11).
//
// Every refusal is one line "plugin '<id>' refused at <step>: <fact>" with steps, in order:
// discovery, manifest, abi-check, elf-check, config, dependencies, load, entry, descriptor,
// create, start. Manifests, ABI and ELF header are checked before any library is opened.
//
// At run time (serve mode) the set of running plugins changes through reload() (the config file
// again), setEnabled() and restart() (the admin API); every change is planned by planToggle()
// (toggle_planner.hpp) and refused whole, or carried out: consumers stop first, providers last,
// starts in dependency order. A run-time failure never stops the host: the plugin is marked failed.
//
// Threads and locks. Every member except the status snapshot is touched only by the control thread
// (the main thread: start-up, then the ControlLoop; admin handlers and signals post work there), so
// records_, started_ and config_ need no lock and lifecycle calls never run concurrently.
// describe() runs on HTTP threads: it reads `status_` under `statusMutex_` (rewritten by the control
// thread after each state change) and asks the router and service registry, which lock themselves.
// The router drains a stopping plugin's routes (503 + Retry-After) and waits for its in-flight
// handlers before stop() is called, so no handler runs while or after its plugin stops; its jobs
// are cancelled (with the stop deadline) and its event subscriptions removed before stop() too.
// Consumers stop (and release their service references) before their provider stops, so a
// reference never outlives its provider; the registry's keepAlive keeps the entry readable for a
// late release(). Lock order: no lock is held while calling into a plugin or into the router.
// Limits: a handler that never returns keeps its plugin's drain (and so the control thread)
// waiting; a job still running after stop_deadline_s is logged and its plugin stopped anyway.
#pragma once

#include "config/config.hpp"
#include "plugins/host_api.hpp"
#include "plugins/manifest.hpp"
#include "plugins/toggle_planner.hpp"

#include <valory/plugin.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace valory::host {

class PluginManager {
  public:
    enum class State { Found, Refused, Loaded, Created, Started, Stopping, Stopped };

    struct Record {
        std::string id;
        std::optional<Manifest> manifest;
        std::filesystem::path manifestFile;
        bool configured = false;   ///< listed in the admin config
        bool enabled = false;      ///< effective: the file's flag, or an admin-API override
        bool fileEnabled = false;  ///< what the config file says
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

    /// Outcome of a run-time change. `status`: 200 done (possibly with failed starts listed in
    /// `changes`), 404 unknown plugin, 409 refused by the dependency rules, 422 config error.
    struct ChangeResult {
        int status = 200;
        std::vector<std::string> changes;   ///< what happened, one line each
        std::vector<std::string> refusals;  ///< why nothing happened
        bool ok() const { return status == 200; }
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

    /// Applies a re-read config file: refused whole on any error (unknown plugin, bad settings,
    /// unmet requirement); else disabled plugins stop, enabled ones start, changed settings go
    /// through `reconfigure` or a restart of that plugin. Drops every admin-API override.
    ChangeResult reload(const Config& next);
    /// Admin API: enables or disables one plugin (a run-time override of the file, see config/README.md).
    ChangeResult setEnabled(const std::string& id, bool enabled);
    /// Admin API: restarts one plugin (and, around it, its running consumers).
    ChangeResult restart(const std::string& id);
    /// The GET /admin/plugins document. Any thread.
    nlohmann::json describe() const;

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
    void cleanupRegistrations(Record& r, bool routes = true);
    void stopOne(Record& r, bool keepRoutesDraining = false);
    std::string preOpenCheck(const Manifest& m) const;
    ChangeResult carryOut(std::set<std::string> desired, std::set<std::string> restart,
                          std::set<std::string> startable, const std::string& cause);
    ChangeResult refused(int status, std::vector<std::string> reasons, const std::string& cause);
    void refreshStatus();
    PlanInput planBase() const;  ///< every plugin with a manifest, running or not
    void publishState(const Record& r, int state, const std::string& reason);

    Config config_;  ///< the config in force (replaced by a successful reload)
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

    struct Status {
        std::string version, state, reason;
        bool enabled = false, fileEnabled = false;
    };
    mutable std::mutex statusMutex_;
    std::map<std::string, Status> status_;  ///< guarded by statusMutex_

    /// What healthReport() (HTTP threads) reads instead of records_: enabled plugins in start order,
    /// rewritten by refreshStatus() under statusMutex_. A health slot is called only for an entry
    /// that is Started in this snapshot, while healthGate_ is held shared; before a plugin is stopped
    /// the control thread marks it Stopping, refreshes the snapshot, then takes healthGate_ once
    /// exclusively, so no health call still running can overlap stop() or destroy().
    struct HealthEntry {
        std::string id, version, state, fact;
        bool optional = false, started = false;
        const valory_plugin_descriptor* descriptor = nullptr;
        void* instance = nullptr;
    };
    std::vector<HealthEntry> healthSnapshot_;  ///< guarded by statusMutex_
    mutable std::shared_mutex healthGate_;
    std::set<std::string> hostServiceKeys_;
};

const char* toString(PluginManager::State state);

}  // namespace valory::host
