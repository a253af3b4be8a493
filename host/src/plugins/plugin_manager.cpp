#include "plugins/plugin_manager.hpp"

#include "valory/cpp/json.hpp"
#include "strings.hpp"

#include "config/schema_validator.hpp"
#include "config/secret_masker.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "http/router.hpp"
#include "metrics_registry.hpp"
#include "plugins/dependency_resolver.hpp"
#include "plugins/elf_check.hpp"
#include "plugins/service_registry.hpp"
#include "plugins/toggle_planner.hpp"
#include "scheduler.hpp"

#ifndef BOOST_DLL_USE_STD_FS
#define BOOST_DLL_USE_STD_FS
#endif
#include <boost/dll/shared_library.hpp>

#include <Poco/Logger.h>

#include <algorithm>
#include <sstream>

namespace valory::host {

namespace fs = std::filesystem;

namespace {

/// One "  command <plugin> <name> — <summary>" line of --list-plugins and `run <plugin> --help`.
std::string commandLine(const std::string& id, const PluginCommand& c) {
    return "  command " + id + " " + c.name + (c.summary.empty() ? "" : " — " + c.summary) + "\n";
}

Poco::Logger& log() {
    return Poco::Logger::get("host");
}

/// Libraries stay mapped until the process exits: this registry is never destroyed.
std::vector<std::unique_ptr<boost::dll::shared_library>>& libraryRegistry() {
    static auto* libs = new std::vector<std::unique_ptr<boost::dll::shared_library>>();
    return *libs;
}

std::string joinList(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
    return out;
}

std::string errorText(const valory_error& err, valory_status status) {
    std::string msg = errorMessage(err);
    if (msg.empty()) msg = "failed without a message";
    return msg + " (status " + std::to_string(status) + ")";
}

struct StringWriter {
    std::string text;
    static void write(void* ctx, const char* data, size_t size) {
        if (data && size) static_cast<StringWriter*>(ctx)->text.append(data, size);
    }
};

}  // namespace

const char* toString(PluginManager::State state) {
    switch (state) {
        case PluginManager::State::Found:
            return "found";
        case PluginManager::State::Refused:
            return "refused";
        case PluginManager::State::Loaded:
            return "loaded";
        case PluginManager::State::Created:
            return "created";
        case PluginManager::State::Started:
            return "started";
        case PluginManager::State::Stopping:
            return "stopping";
        case PluginManager::State::Stopped:
            return "stopped";
    }
    return "unknown";
}

PluginManager::PluginManager(const Config& config, HostContext& context, valory_run_mode mode,
                             CommandSpec command)
    : config_(config), context_(context), mode_(mode), command_(std::move(command)) {}

PluginManager::~PluginManager() = default;

void PluginManager::addHostService(const std::string& service, std::uint32_t major, std::uint32_t minor) {
    hostServices_[service + "/" + std::to_string(major)] = minor;
    hostServiceKeys_.insert(service + "/" + std::to_string(major));
}

const PluginManager::Record* PluginManager::record(const std::string& id) const {
    auto it = records_.find(id);
    return it == records_.end() ? nullptr : &it->second;
}

void PluginManager::publishState(const Record& r, int state, const std::string& reason) {
    refreshStatus();
    if (context_.metrics) {
        if (!stateFamily_) {
            std::string message;
            context_.metrics->define(
                "host",
                {VALORY_METRIC_GAUGE,
                 "valory_plugin_state",
                 "Plugin lifecycle state (valory_plugin_state_event values: 3 started, 4 "
                 "stopped, 5 failed)",
                 {"plugin"},
                 {}},
                stateFamily_, message);
        }
        context_.metrics->gaugeSet(stateFamily_, {r.id}, state);
    }
    if (!context_.events || !context_.events->hasSubscribers(VALORY_EVENT_PLUGIN_STATE)) return;
    valory_plugin_state_event ev{};
    ev.struct_size = sizeof ev;
    ev.plugin_id = str(r.id);
    ev.state = state;
    ev.reason = str(reason);
    context_.events->publish(VALORY_EVENT_PLUGIN_STATE, &ev);
}

void PluginManager::refuse(Record& r, const std::string& step, const std::string& fact) {
    r.state = State::Refused;
    r.step = step;
    r.fact = context_.masker ? context_.masker->mask(fact) : fact;
    if (!r.enabled) return;
    if (r.optional)
        log().warning(r.refusalLine() + "; skipped (optional)");
    else
        log().error(r.refusalLine());
    publishState(r, VALORY_PLUGIN_STATE_FAILED, r.fact);
}

void PluginManager::discover() {
    std::map<std::string, std::vector<fs::path>> seen;
    for (const auto& dir : config_.pluginPath) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) {
            log().warning("plugin path " + dir.string() + " is not a directory; ignored");
            continue;
        }
        std::vector<fs::path> subdirs;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (entry.is_directory() && fs::exists(entry.path() / "plugin.json"))
                subdirs.push_back(entry.path());
        std::sort(subdirs.begin(), subdirs.end());
        for (const auto& sub : subdirs) {
            const fs::path file = sub / "plugin.json";
            std::optional<Manifest> manifest;
            std::string error;
            try {
                manifest = Manifest::load(file);
            } catch (const ConfigError& e) {
                error = e.what();
            }
            const std::string id = manifest ? manifest->id : sub.filename().string();
            seen[id].push_back(file);
            if (seen[id].size() > 1) continue;
            Record r;
            r.id = id;
            r.manifestFile = file;
            if (manifest)
                r.manifest = std::move(manifest);
            else {
                r.state = State::Refused;
                r.step = "manifest";
                r.fact = error;
            }
            records_.emplace(id, std::move(r));
        }
    }
    for (auto& [id, files] : seen) {
        if (files.size() < 2) continue;
        std::vector<std::string> names;
        for (const auto& f : files) names.push_back(f.string());
        Record& r = records_[id];
        r.state = State::Refused;
        r.step = "discovery";
        r.fact = "duplicate id in " + joinList(names, " and ");
    }
}

const std::vector<std::string>& PluginManager::prepare() {
    discover();
    std::vector<std::string> foundIds;
    for (const auto& [id, r] : records_) foundIds.push_back(id);

    // Apply the admin config: enabled / optional. Unknown ids are refused (listing what exists).
    for (const auto& [id, entry] : config_.plugins) {
        auto it = records_.find(id);
        if (it == records_.end()) {
            Record r;
            r.id = id;
            r.configured = true;
            r.enabled = entry.enabled;
            r.fileEnabled = entry.enabled;
            r.optional = entry.optional;
            std::vector<std::string> dirs;
            for (const auto& d : config_.pluginPath) dirs.push_back(d.string());
            records_.emplace(id, std::move(r));
            if (entry.enabled)
                refuse(records_[id], "discovery",
                       "not found in plugin_path (" + joinList(dirs) +
                           "); found: " + (foundIds.empty() ? std::string("nothing") : joinList(foundIds)));
            continue;
        }
        it->second.configured = true;
        it->second.enabled = entry.enabled;
        it->second.fileEnabled = entry.enabled;
        it->second.optional = entry.optional;
    }

    SchemaValidator validator(config_.baseDir);
    std::vector<const Manifest*> candidates;
    std::map<std::string, const Manifest*> refusedWithManifest;
    for (auto& [id, r] : records_) {
        if (!r.enabled) continue;
        if (r.state == State::Refused) {
            // Refused during discovery (bad manifest, duplicate): log now that we know the flags
            // (configured-but-missing ones were logged above).
            const std::string step = r.step, fact = r.fact;
            if (r.manifest || !r.manifestFile.empty()) refuse(r, step, fact);
            if (r.manifest) refusedWithManifest[id] = &*r.manifest;
            continue;
        }
        const Manifest& m = *r.manifest;
        if (std::string problem = preOpenCheck(m); !problem.empty()) {
            const auto colon = problem.find(": ");
            refuse(r, problem.substr(0, colon), problem.substr(colon + 2));
        } else {
            const PluginEntry* entry = config_.plugin(id);
            const std::string path = (entry ? entry->keyPath : "plugins." + id) + ".settings";
            auto result =
                validator.validate(m.configSchema, entry ? entry->settings : nlohmann::json::object(), path);
            for (const auto& s : result.secrets)
                if (context_.masker) context_.masker->add(s);
            if (!result.ok()) {
                refuse(r, "config", config_.source + ": " + joinList(result.errors, "; "));
            } else {
                r.settingsText = result.value.dump();
            }
        }
        if (r.state == State::Refused) {
            refusedWithManifest[id] = &m;
            continue;
        }
        candidates.push_back(&m);
    }

    DependencyResolver resolver;
    for (const auto& [key, minor] : hostServices_) {
        auto slash = key.rfind('/');
        resolver.addHostService(key.substr(0, slash),
                                static_cast<std::uint32_t>(std::stoul(key.substr(slash + 1))), minor);
    }
    auto resolved = resolver.resolve(candidates, refusedWithManifest);
    providerOf_ = resolved.providerOf;
    for (const auto& [id, fact] : resolved.refused) refuse(records_[id], "dependencies", fact);
    order_ = resolved.order;
    return order_;
}

std::string PluginManager::preOpenCheck(const Manifest& m) const {
    if (m.abiMajor != VALORY_ABI_MAJOR)
        return "abi-check: ABI " + m.abiString() + ", host " + std::to_string(VALORY_ABI_MAJOR) +
               ".x (manifest)";
    if (m.abiMinor > VALORY_ABI_MINOR)
        return "abi-check: ABI " + m.abiString() + ", host " + std::to_string(VALORY_ABI_MAJOR) + "." +
               std::to_string(VALORY_ABI_MINOR) + " (manifest)";
    if (std::error_code ec; !fs::is_regular_file(m.libraryPath(), ec))
        return "elf-check: library " + m.libraryPath().string() + " not found";
    if (std::string elf = ElfCheck::check(m.libraryPath()); !elf.empty())
        return "elf-check: " + elf + " (" + m.libraryPath().filename().string() + ")";
    return {};
}

bool PluginManager::startAll(bool continueOnFailure) {
    // A required plugin refused before any library was opened stops start-up before anything starts.
    bool ok = requiredFailures().empty();
    if (!ok && !continueOnFailure) return false;
    for (const auto& id : order_) {
        Record& r = records_[id];
        if (r.state == State::Refused) continue;
        // A provider that failed at run time takes its required consumers with it.
        std::string missing;
        for (const auto& d : r.manifest->requires_) {
            auto p = providerOf_.find(d.key());
            if (p == providerOf_.end() || p->second == "host") continue;
            const Record* provider = record(p->second);
            if (!provider || provider->state != State::Started) {
                missing = "requires '" + d.key() + "' from plugin '" + p->second + "', which was refused";
                break;
            }
        }
        if (!missing.empty()) {
            refuse(r, "dependencies", missing);
        } else if (loadAndStart(r)) {
            started_.push_back(id);
            continue;
        }
        if (!r.optional) {
            ok = false;
            if (!continueOnFailure) return false;
        }
    }
    return ok;
}

bool PluginManager::loadAndStart(Record& r) {
    const Manifest& m = *r.manifest;
    r.step.clear();
    r.fact.clear();
    auto& libs = libraryRegistry();
    boost::dll::shared_library* lib = nullptr;
    try {
        auto loaded = std::make_unique<boost::dll::shared_library>(
            m.libraryPath(), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
        libs.push_back(std::move(loaded));
        lib = libs.back().get();
    } catch (const std::exception& e) {
        refuse(r, "load", m.libraryPath().filename().string() + ": " + e.what());
        return false;
    }
    r.state = State::Loaded;
    if (!lib->has(VALORY_PLUGIN_ENTRY_SYMBOL)) {
        refuse(r, "entry",
               std::string("symbol '") + VALORY_PLUGIN_ENTRY_SYMBOL + "' not found in " +
                   m.libraryPath().filename().string());
        return false;
    }
    const valory_plugin_descriptor* d = nullptr;
    try {
        auto entry = lib->get<const valory_plugin_descriptor*()>(VALORY_PLUGIN_ENTRY_SYMBOL);
        d = entry();
    } catch (const std::exception& e) {
        refuse(r, "entry", std::string(VALORY_PLUGIN_ENTRY_SYMBOL) + " failed: " + e.what());
        return false;
    }
    if (!d) {
        refuse(r, "entry", std::string(VALORY_PLUGIN_ENTRY_SYMBOL) + " returned NULL");
        return false;
    }
    const std::size_t minSize = offsetof(valory_plugin_descriptor, health);
    if (d->struct_size < minSize || d->struct_size > 65536) {
        refuse(r, "descriptor",
               "struct_size " + std::to_string(d->struct_size) +
                   " is not sane (expected >= " + std::to_string(minSize) + ")");
        return false;
    }
    const std::string abi = std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor);
    if (d->abi_major != VALORY_ABI_MAJOR) {
        refuse(r, "abi-check",
               "ABI " + abi + ", host " + std::to_string(VALORY_ABI_MAJOR) + ".x (descriptor)");
        return false;
    }
    if (d->abi_minor > VALORY_ABI_MINOR) {
        refuse(r, "abi-check",
               "ABI " + abi + ", host " + std::to_string(VALORY_ABI_MAJOR) + "." +
                   std::to_string(VALORY_ABI_MINOR) + " (descriptor)");
        return false;
    }
    const std::string did = d->id ? d->id : "";
    const std::string dversion = d->version ? d->version : "";
    if (did != m.id) {
        refuse(r, "descriptor", "descriptor id '" + did + "' != manifest id '" + m.id + "'");
        return false;
    }
    if (dversion != m.version) {
        refuse(r, "descriptor",
               "descriptor version '" + dversion + "' != manifest version '" + m.version + "'");
        return false;
    }
    for (const auto& [otherId, other] : records_)
        if (&other != &r && other.descriptor == d) {
            refuse(r, "descriptor",
                   "descriptor is the same object as plugin '" + otherId + "' (duplicate library)");
            return false;
        }
    if (!d->create || !d->start || !d->stop || !d->destroy) {
        refuse(r, "descriptor", "a required lifecycle function (create, start, stop, destroy) is NULL");
        return false;
    }
    r.descriptor = d;

    // Per-plugin handle.
    r.handle = std::make_unique<valory_host>();
    r.handle->context = &context_;
    r.handle->id = r.id;
    r.handle->manifest = &m;
    r.handle->settingsJson = r.settingsText;
    r.handle->dataDir = (config_.dataDir / r.id).string();
    r.handle->pluginDir = m.dir.string();
    r.handle->logger = &Poco::Logger::get(r.id);

    std::vector<valory_str> argViews;
    for (const auto& a : command_.args) argViews.push_back(str(a));
    valory_create_args args{};
    args.struct_size = sizeof args;
    args.run_mode = mode_;
    args.settings_json = str(r.handle->settingsJson);
    if (mode_ == VALORY_RUN_COMMAND) {
        args.command_plugin = str(command_.plugin);
        args.command_name = str(command_.command);
        args.command_args = argViews.empty() ? nullptr : argViews.data();
        args.command_arg_count = argViews.size();
    }
    valory_error err;
    valory_error_init(&err);
    void* instance = nullptr;
    valory_status st = VALORY_ERR_INTERNAL;
    try {
        st = d->create(hostApi(), r.handle.get(), &args, &instance, &err);
    } catch (...) {
        valory_fail(&err, VALORY_ERR_INTERNAL, "create threw an exception across the C boundary");
    }
    if (st != VALORY_OK) {
        cleanupRegistrations(r);
        refuse(r, "create", errorText(err, st));
        return false;
    }
    r.instance = instance;
    r.state = State::Created;
    publishState(r, VALORY_PLUGIN_STATE_CREATED, "");

    valory_error_init(&err);
    st = VALORY_ERR_INTERNAL;
    try {
        st = d->start(instance, &err);
    } catch (...) {
        valory_fail(&err, VALORY_ERR_INTERNAL, "start threw an exception across the C boundary");
    }
    if (st != VALORY_OK) {
        const std::string why = errorText(err, st);
        cleanupRegistrations(r);
        try {
            d->destroy(instance);
        } catch (...) {
            log().error("plugin '" + r.id + "' destroy threw after a failed start");
        }
        r.instance = nullptr;
        if (auto n = context_.services->releaseAllHeldBy(r.id))
            log().warning("plugin '" + r.id + "' left " + std::to_string(n) +
                          " service reference(s); released");
        refuse(r, "start", why);
        return false;
    }
    r.state = State::Started;
    publishState(r, VALORY_PLUGIN_STATE_STARTED, "");
    log().information("plugin '" + r.id + "' " + m.version + " started (ABI " + abi + ")");
    return true;
}

void PluginManager::cleanupRegistrations(Record& r, bool removeRoutes) {
    const auto deadline = std::chrono::milliseconds(context_.jobCancelDeadlineMs);
    std::size_t routes = removeRoutes ? context_.router->removeAllOwnedBy(r.id) : 0;
    auto stuck = context_.scheduler->cancelAllOwnedBy(r.id, deadline);
    for (const auto& job : stuck)
        log().warning("plugin '" + r.id + "' job '" + job + "' still running after the stop deadline");
    std::size_t subs = context_.events->removeAllOwnedBy(r.id);
    auto services = context_.services->removeAllOwnedBy(r.id);
    if (routes || subs || !services.empty())
        log().debug("plugin '" + r.id + "': removed " + std::to_string(routes) + " route(s), " +
                    std::to_string(subs) + " subscription(s), services: " +
                    (services.empty() ? std::string("none") : joinList(services)));
}

void PluginManager::stopOne(Record& r, bool keepRoutesDraining) {
    if (r.state != State::Started) return;
    const auto deadline = std::chrono::milliseconds(context_.jobCancelDeadlineMs);
    r.state = State::Stopping;
    refreshStatus();
    { std::unique_lock gate(healthGate_); }  // health calls that saw it Started have returned
    // Handlers and jobs first: nothing of this plugin may be running when stop() is called. Its
    // routes answer 503 + Retry-After from now on, until removed (404) or registered again.
    context_.router->drainOwnedBy(r.id);
    for (const auto& job : context_.scheduler->cancelAllOwnedBy(r.id, deadline))
        log().warning("plugin '" + r.id + "' job '" + job + "' still running after the stop deadline");
    context_.events->removeAllOwnedBy(r.id);
    for (const auto& p : r.manifest->provides) {
        auto holders = context_.services->holdersOf(p.key());
        holders.erase(std::remove(holders.begin(), holders.end(), r.id), holders.end());  // its own use
        if (!holders.empty())
            log().warning("plugin '" + r.id + "' stops while service '" + p.key() +
                          "' is still held by: " + joinList(holders));
    }
    valory_error err;
    valory_error_init(&err);
    valory_status st = VALORY_ERR_INTERNAL;
    try {
        st = r.descriptor->stop(r.instance, &err);
    } catch (...) {
        valory_fail(&err, VALORY_ERR_INTERNAL, "stop threw an exception across the C boundary");
    }
    if (st != VALORY_OK) log().error("plugin '" + r.id + "' stop failed: " + errorText(err, st));
    cleanupRegistrations(r, /*routes=*/false);
    try {
        r.descriptor->destroy(r.instance);
    } catch (...) {
        log().error("plugin '" + r.id + "' destroy threw an exception across the C boundary");
    }
    r.instance = nullptr;
    if (auto n = context_.services->releaseAllHeldBy(r.id))
        log().warning("plugin '" + r.id + "' left " + std::to_string(n) +
                      " service reference(s) after destroy; released");
    if (!keepRoutesDraining) context_.router->removeAllOwnedBy(r.id);
    r.state = State::Stopped;
    publishState(r, VALORY_PLUGIN_STATE_STOPPED, "");
    log().information("plugin '" + r.id + "' stopped");
}

void PluginManager::stopAll() {
    for (auto it = started_.rbegin(); it != started_.rend(); ++it) stopOne(records_[*it]);
    started_.clear();
}

int PluginManager::runCommand(std::string& out, std::string& error) {
    const Record* target = record(command_.plugin);
    if (!target || !target->enabled) {
        error = "run: plugin '" + command_.plugin + "' is not enabled in " + config_.source;
        return 1;
    }
    if (target->state != State::Started) {
        error = "run: plugin '" + command_.plugin + "' did not start" +
                (target->state == State::Refused ? ": " + target->refusalLine() : std::string());
        return 1;
    }
    if (target->descriptor->struct_size < offsetof(valory_plugin_descriptor, command) + sizeof(void*) ||
        !target->descriptor->command) {
        error = "run: plugin '" + command_.plugin + "' offers no commands";
        return 1;
    }
    std::vector<valory_str> argViews;
    for (const auto& a : command_.args) argViews.push_back(str(a));
    StringWriter sink;
    valory_writer writer{sizeof(valory_writer), &sink, &StringWriter::write};
    valory_error err;
    valory_error_init(&err);
    valory_status st = VALORY_ERR_INTERNAL;
    try {
        st = target->descriptor->command(target->instance, str(command_.command),
                                         argViews.empty() ? nullptr : argViews.data(), argViews.size(),
                                         &writer, &err);
    } catch (...) {
        valory_fail(&err, VALORY_ERR_INTERNAL, "command threw an exception across the C boundary");
    }
    out = context_.masker ? context_.masker->mask(sink.text) : sink.text;
    if (st != VALORY_OK) {
        error = "run: plugin '" + command_.plugin + "' command '" + command_.command +
                "' failed: " + errorText(err, st);
        if (context_.masker) error = context_.masker->mask(error);
        return 1;
    }
    return 0;
}

std::vector<std::string> PluginManager::problems() const {
    std::vector<std::string> out = otherProblems_;
    for (const auto& [id, r] : records_)
        if (r.enabled && r.state == State::Refused)
            out.push_back(r.refusalLine() + (r.optional ? "; skipped (optional)" : ""));
    return out;
}

std::vector<std::string> PluginManager::requiredFailures() const {
    std::vector<std::string> out;
    for (const auto& [id, r] : records_)
        if (r.enabled && !r.optional && r.state == State::Refused) out.push_back(r.refusalLine());
    return out;
}

int PluginManager::commandHelp(const std::string& id, std::string& out, std::string& error) const {
    const Record* r = record(id);
    if (!r || !r->manifest) {
        error =
            "run: plugin '" + id + "' " + (r ? "has an unreadable manifest" : "was not found in plugin_path");
        return 1;
    }
    std::ostringstream os;
    os << "usage: valory-host [OPTIONS] run " << id << " <command> [ARGS...]\n";
    if (r->manifest->commands.empty()) os << "plugin '" << id << "' lists no commands\n";
    for (const auto& c : r->manifest->commands) os << commandLine(id, c);
    out = os.str();
    return 0;
}

std::string PluginManager::listing() const {
    std::ostringstream os;
    std::vector<std::string> dirs;
    for (const auto& d : config_.pluginPath) dirs.push_back(d.string());
    os << "plugin_path: " << joinList(dirs) << "\n";
    for (const auto& [id, r] : records_) {
        if (!r.manifest && !r.manifestFile.empty()) {
            os << "found: " << id << " (unreadable manifest) at " << r.manifestFile.parent_path().string()
               << ": " << (r.enabled ? "enabled" : "disabled") << (r.optional ? ", optional" : "") << "\n";
            continue;
        }
        if (!r.manifest) continue;  // configured but not found: reported under refused
        os << "found: " << id << " " << r.manifest->version << " (ABI " << r.manifest->abiString() << ") at "
           << r.manifest->dir.string() << ": "
           << (r.enabled ? "enabled" : (r.configured ? "disabled" : "disabled (not in config)"))
           << (r.optional ? ", optional" : "") << "\n";
        for (const auto& c : r.manifest->commands) os << commandLine(id, c);
    }
    os << "order: " << (order_.empty() ? std::string("(none)") : joinList(order_)) << "\n";
    for (const auto& [id, r] : records_)
        if (r.enabled && r.state == State::Refused)
            os << "refused: " << r.refusalLine() << (r.optional ? "; skipped (optional)" : "") << "\n";
    for (const auto& p : otherProblems_) os << "problem: " << p << "\n";
    return os.str();
}

// --- run-time changes (control thread) ---------------------------------------------------------

void PluginManager::refreshStatus() {
    std::map<std::string, Status> next;
    for (const auto& [id, r] : records_) {
        if (!r.manifest) continue;
        Status st;
        st.version = r.manifest->version;
        st.enabled = r.enabled;
        st.fileEnabled = r.fileEnabled;
        if (r.state == State::Refused)
            st.state = r.enabled ? "failed" : "disabled";
        else if (r.state == State::Started || r.state == State::Stopping)
            st.state = toString(r.state);
        else if (r.state == State::Loaded || r.state == State::Created)
            st.state = "starting";
        else
            st.state = r.enabled ? "stopped" : "disabled";
        if (r.state == State::Refused) st.reason = r.step + ": " + r.fact;
        next.emplace(id, std::move(st));
    }
    std::vector<HealthEntry> health;
    for (const auto& id : order_) {
        auto it = records_.find(id);
        if (it == records_.end() || !it->second.enabled) continue;
        const Record& r = it->second;
        health.push_back(HealthEntry{r.id, r.manifest ? r.manifest->version : std::string(),
                                     toString(r.state), r.state == State::Refused ? r.fact : std::string(),
                                     r.optional, r.state == State::Started, r.descriptor, r.instance});
    }
    std::lock_guard lock(statusMutex_);
    status_.swap(next);
    healthSnapshot_.swap(health);
}

nlohmann::json PluginManager::describe() const {
    std::map<std::string, Status> status;
    {
        std::lock_guard lock(statusMutex_);
        status = status_;
    }
    std::map<std::string, std::vector<std::string>> provided;
    for (const auto& e : context_.services->list())
        provided[e.owner].push_back(e.name + "/" + std::to_string(e.major) + "." + std::to_string(e.minor));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [id, st] : status) {
        nlohmann::json p;
        p["id"] = id;
        p["version"] = st.version;
        p["state"] = st.state;
        p["reason"] = st.reason.empty() ? nlohmann::json() : nlohmann::json(st.reason);
        p["enabled"] = st.enabled;
        // An admin-API toggle that differs from the file until the next reload.
        p["override"] = st.enabled == st.fileEnabled ? nlohmann::json()
                                                     : nlohmann::json(st.enabled ? "enabled" : "disabled");
        p["provides"] = provided[id];
        p["routes"] = context_.router->routesOf(id);
        list.push_back(std::move(p));
    }
    return nlohmann::json{{"plugins", std::move(list)}};
}

PlanInput PluginManager::planBase() const {
    PlanInput in;
    in.hostServices = hostServiceKeys_;
    for (const auto& [id, r] : records_) {
        if (!r.manifest) continue;
        PlanNode n;
        n.id = id;
        n.running = r.state == State::Started;
        for (const auto& d : r.manifest->requires_) n.requires_.push_back(d.key());
        for (const auto& d : r.manifest->optional) n.optional.push_back(d.key());
        for (const auto& p : r.manifest->provides) n.provides.push_back(p.key());
        in.nodes.push_back(std::move(n));
    }
    return in;
}

PluginManager::ChangeResult PluginManager::refused(int status, std::vector<std::string> reasons,
                                                   const std::string& cause) {
    ChangeResult res;
    res.status = status;
    for (auto& r : reasons) res.refusals.push_back(context_.masker ? context_.masker->mask(r) : r);
    log().error(cause + " refused; the running plugins stay as they were: " + joinList(res.refusals, "; "));
    return res;
}

PluginManager::ChangeResult PluginManager::carryOut(std::set<std::string> desired,
                                                    std::set<std::string> restart,
                                                    std::set<std::string> startable,
                                                    const std::string& cause) {
    PlanInput in = planBase();
    in.desired = std::move(desired);
    in.restart = std::move(restart);
    in.startable = std::move(startable);
    const Plan plan = planToggle(in);
    if (!plan.ok()) return refused(409, plan.refusals, cause);

    ChangeResult res;
    for (const auto& id : plan.stop) {
        const bool again = std::find(plan.start.begin(), plan.start.end(), id) != plan.start.end();
        log().information(cause + ": stopping '" + id + "'" + (again ? " (to start it again)" : ""));
        stopOne(records_[id], /*keepRoutesDraining=*/again);
        started_.erase(std::remove(started_.begin(), started_.end(), id), started_.end());
        if (!again) res.changes.push_back("stopped '" + id + "'");
    }
    for (const auto& [id, r] : records_)
        if (r.manifest) records_[id].enabled = in.desired.count(id) > 0;
    for (const auto& id : plan.start) {
        Record& r = records_[id];
        std::string missing;
        for (const auto& d : r.manifest->requires_) {
            const std::string owner = context_.services->ownerOf(d.key());
            if (owner.empty()) {
                missing = "requires '" + d.key() + "', whose provider is not running";
                break;
            }
        }
        bool ok = false;
        if (!missing.empty())
            refuse(r, "dependencies", missing);
        else
            ok = loadAndStart(r);
        if (ok) {
            context_.router->removeDrainingOwnedBy(id);  // routes it did not register again: 404
            started_.push_back(id);
            const bool wasStopped = std::find(plan.stop.begin(), plan.stop.end(), id) != plan.stop.end();
            res.changes.push_back((wasStopped ? "restarted '" : "started '") + id + "'");
        } else {
            context_.router->removeAllOwnedBy(id);
            res.changes.push_back("'" + id + "' failed to start: " + r.refusalLine());
        }
    }
    if (plan.stop.empty() && plan.start.empty()) res.changes.push_back("no plugin started or stopped");
    refreshStatus();
    log().information(cause + " done: " + joinList(res.changes, "; "));
    return res;
}

PluginManager::ChangeResult PluginManager::reload(const Config& next) {
    const std::string cause = "config reload (" + next.source + ")";
    std::vector<std::string> errors;
    std::vector<std::string> found;
    for (const auto& [id, r] : records_)
        if (r.manifest) found.push_back(id);
    SchemaValidator validator(next.baseDir);
    std::map<std::string, std::string> settings;  // enabled id -> validated settings
    std::vector<std::string> secrets;
    for (const auto& [id, entry] : next.plugins) {
        if (!entry.enabled) continue;
        auto it = records_.find(id);
        if (it == records_.end() || !it->second.manifest) {
            errors.push_back(next.source + ": " + entry.keyPath +
                             ": no readable plugin with this id in plugin_path (found: " +
                             (found.empty() ? std::string("nothing") : joinList(found)) + ")");
            continue;
        }
        if (std::string problem = preOpenCheck(*it->second.manifest); !problem.empty()) {
            errors.push_back(next.source + ": " + entry.keyPath + ": " + problem);
            continue;
        }
        auto result = validator.validate(it->second.manifest->configSchema, entry.settings,
                                         entry.keyPath + ".settings");
        for (const auto& sec : result.secrets) secrets.push_back(sec);
        if (!result.ok())
            errors.push_back(next.source + ": " + joinList(result.errors, "; "));
        else
            settings[id] = result.value.dump();
    }
    for (const auto& sec : secrets)
        if (context_.masker) context_.masker->add(sec);
    if (!errors.empty()) return refused(422, errors, cause);

    std::set<std::string> desired, startable, restartSet;
    std::vector<std::string> reconfigure;
    for (const auto& [id, text] : settings) {
        desired.insert(id);
        const Record& r = records_[id];
        if (r.state != State::Started) {
            startable.insert(id);  // newly enabled, or failed before: (re)tried
            continue;
        }
        if (text == r.settingsText) continue;
        const bool hasSlot =
            r.descriptor->struct_size >= offsetof(valory_plugin_descriptor, reconfigure) + sizeof(void*) &&
            r.descriptor->reconfigure;
        if (hasSlot)
            reconfigure.push_back(id);
        else
            restartSet.insert(id);
    }
    // The dependency rules first: a refused change touches nothing, not even a reconfigure.
    {
        PlanInput probe = planBase();
        probe.desired = desired;
        probe.startable = startable;
        const Plan plan = planToggle(probe);
        if (!plan.ok()) return refused(409, plan.refusals, cause);
    }

    std::vector<std::string> notes;
    for (const auto& id : reconfigure) {
        Record& r = records_[id];
        valory_error err;
        valory_error_init(&err);
        valory_status st = VALORY_ERR_INTERNAL;
        try {
            st = r.descriptor->reconfigure(r.instance, str(settings[id]), &err);
        } catch (...) {
            valory_fail(&err, VALORY_ERR_INTERNAL, "reconfigure threw an exception across the C boundary");
        }
        if (st == VALORY_OK) {
            // handle->settingsJson stays as create() saw it: handlers may be reading it right now.
            r.settingsText = settings[id];
            notes.push_back("reconfigured '" + id + "'");
            log().information(cause + ": plugin '" + id + "' reconfigured");
        } else if (st == VALORY_ERR_NEEDS_RESTART) {
            restartSet.insert(id);
        } else {
            const std::string why =
                context_.masker ? context_.masker->mask(errorText(err, st)) : errorText(err, st);
            notes.push_back("'" + id + "' refused its new settings (" + why +
                            "); it keeps the previous ones");
            log().warning(cause + ": plugin '" + id + "' refused its new settings: " + why +
                          "; it keeps running with the previous ones");
        }
    }
    // New settings for everything that (re)starts; reconfigured plugins already have theirs.
    for (const auto& id : restartSet) records_[id].settingsText = settings[id];
    for (const auto& id : startable) records_[id].settingsText = settings[id];
    for (auto& [id, r] : records_) {
        const PluginEntry* e = next.plugin(id);
        r.configured = e != nullptr;
        r.fileEnabled = e && e->enabled;
        r.optional = e && e->optional;
    }
    config_ = next;
    ChangeResult res = carryOut(desired, restartSet, startable, cause);
    res.changes.insert(res.changes.begin(), notes.begin(), notes.end());
    return res;
}

PluginManager::ChangeResult PluginManager::setEnabled(const std::string& id, bool enabled) {
    const std::string cause =
        std::string("admin API ") + (enabled ? "enable" : "disable") + " of '" + id + "'";
    auto it = records_.find(id);
    if (it == records_.end() || !it->second.manifest) {
        ChangeResult res;
        res.status = 404;
        res.refusals.push_back("no plugin '" + id + "' in plugin_path");
        return res;
    }
    Record& r = it->second;
    std::set<std::string> desired, startable;
    for (const auto& [rid, rec] : records_)
        if (rec.manifest && rec.enabled) desired.insert(rid);
    if (enabled) {
        if (r.state == State::Started) {
            ChangeResult res;
            res.changes.push_back("'" + id + "' is already running");
            return res;
        }
        if (std::string problem = preOpenCheck(*r.manifest); !problem.empty())
            return refused(422, {problem}, cause);
        const PluginEntry* entry = config_.plugin(id);
        SchemaValidator validator(config_.baseDir);
        auto result =
            validator.validate(r.manifest->configSchema, entry ? entry->settings : nlohmann::json::object(),
                               (entry ? entry->keyPath : "plugins." + id) + ".settings");
        for (const auto& sec : result.secrets)
            if (context_.masker) context_.masker->add(sec);
        if (!result.ok()) return refused(422, {config_.source + ": " + joinList(result.errors, "; ")}, cause);
        desired.insert(id);
        startable.insert(id);
        const std::string previous = r.settingsText;
        r.settingsText = result.value.dump();
        ChangeResult res = carryOut(desired, {}, startable, cause);
        if (!res.ok()) r.settingsText = previous;
        return res;
    }
    if (!r.enabled && r.state != State::Started) {
        ChangeResult res;
        res.changes.push_back("'" + id + "' is already disabled");
        return res;
    }
    desired.erase(id);
    return carryOut(desired, {}, {}, cause);
}

PluginManager::ChangeResult PluginManager::restart(const std::string& id) {
    const std::string cause = "admin API restart of '" + id + "'";
    auto it = records_.find(id);
    if (it == records_.end() || !it->second.manifest) {
        ChangeResult res;
        res.status = 404;
        res.refusals.push_back("no plugin '" + id + "' in plugin_path");
        return res;
    }
    if (!it->second.enabled) return refused(409, {"'" + id + "' is disabled; enable it instead"}, cause);
    std::set<std::string> desired;
    for (const auto& [rid, rec] : records_)
        if (rec.manifest && rec.enabled) desired.insert(rid);
    if (it->second.state == State::Started) return carryOut(desired, {id}, {}, cause);
    return carryOut(desired, {}, {id}, cause);  // failed before: try again
}

}  // namespace valory::host

namespace valory::host {

std::string PluginManager::healthReport() const {
    std::shared_lock gate(healthGate_);
    std::vector<HealthEntry> entries;
    {
        std::lock_guard lock(statusMutex_);
        entries = healthSnapshot_;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const HealthEntry& r : entries) {
        nlohmann::json j = {
            {"id", r.id}, {"version", r.version}, {"state", r.state}, {"optional", r.optional}};
        if (!r.fact.empty()) j["reason"] = context_.masker ? context_.masker->mask(r.fact) : r.fact;
        const bool hasSlot = r.started && r.descriptor &&
                             r.descriptor->struct_size >=
                                 offsetof(valory_plugin_descriptor, health) + sizeof(r.descriptor->health) &&
                             r.descriptor->health;
        if (!hasSlot) {
            j["health"] = "none";
            out.push_back(std::move(j));
            continue;
        }
        StringWriter sink;
        valory_writer writer{sizeof(valory_writer), &sink, &StringWriter::write};
        valory_health_state state = VALORY_HEALTH_FAILED;
        try {
            state = r.descriptor->health(r.instance, &writer);
        } catch (...) {  // the C++ wrapper catches; a C plugin cannot throw. Belt and braces:
            sink.text = R"({"error":"health slot threw"})";
        }
        j["health"] = state == VALORY_HEALTH_OK         ? "ok"
                      : state == VALORY_HEALTH_DEGRADED ? "degraded"
                      : state == VALORY_HEALTH_FAILED   ? "failed"
                                                        : "unknown";
        if (context_.masker) sink.text = context_.masker->mask(sink.text);
        if (!sink.text.empty()) {
            auto detail = valory::json::parse(sink.text);
            j["detail"] = detail.is_discarded() ? nlohmann::json{{"text", sink.text}} : detail;
        }
        out.push_back(std::move(j));
    }
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace valory::host
