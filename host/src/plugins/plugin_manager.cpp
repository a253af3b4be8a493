#include "plugins/plugin_manager.hpp"
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
}

const PluginManager::Record* PluginManager::record(const std::string& id) const {
    auto it = records_.find(id);
    return it == records_.end() ? nullptr : &it->second;
}

void PluginManager::publishState(const Record& r, int state, const std::string& reason) {
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
        if (m.abiMajor != VALORY_ABI_MAJOR) {
            refuse(r, "abi-check",
                   "ABI " + m.abiString() + ", host " + std::to_string(VALORY_ABI_MAJOR) + ".x (manifest)");
        } else if (m.abiMinor > VALORY_ABI_MINOR) {
            refuse(r, "abi-check",
                   "ABI " + m.abiString() + ", host " + std::to_string(VALORY_ABI_MAJOR) + "." +
                       std::to_string(VALORY_ABI_MINOR) + " (manifest)");
        } else if (std::error_code ec; !fs::is_regular_file(m.libraryPath(), ec)) {
            refuse(r, "elf-check", "library " + m.libraryPath().string() + " not found");
        } else if (std::string elf = ElfCheck::check(m.libraryPath()); !elf.empty()) {
            refuse(r, "elf-check", elf + " (" + m.libraryPath().filename().string() + ")");
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

void PluginManager::cleanupRegistrations(Record& r) {
    const auto deadline = std::chrono::milliseconds(context_.jobCancelDeadlineMs);
    std::size_t routes = context_.router->removeAllOwnedBy(r.id);
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

void PluginManager::stopOne(Record& r) {
    if (r.state != State::Started) return;
    const auto deadline = std::chrono::milliseconds(context_.jobCancelDeadlineMs);
    // Handlers and jobs first: nothing of this plugin may be running when stop() is called.
    context_.router->removeAllOwnedBy(r.id);
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
    cleanupRegistrations(r);
    try {
        r.descriptor->destroy(r.instance);
    } catch (...) {
        log().error("plugin '" + r.id + "' destroy threw an exception across the C boundary");
    }
    r.instance = nullptr;
    if (auto n = context_.services->releaseAllHeldBy(r.id))
        log().warning("plugin '" + r.id + "' left " + std::to_string(n) +
                      " service reference(s) after destroy; released");
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

}  // namespace valory::host

namespace valory::host {

std::string PluginManager::healthReport() const {
    nlohmann::json out = nlohmann::json::array();
    auto add = [&](const Record& r) {
        nlohmann::json j = {{"id", r.id},
                            {"version", r.manifest ? r.manifest->version : std::string()},
                            {"state", toString(r.state)},
                            {"optional", r.optional}};
        if (r.state == State::Refused) j["reason"] = context_.masker ? context_.masker->mask(r.fact) : r.fact;
        const bool hasSlot = r.state == State::Started && r.descriptor &&
                             r.descriptor->struct_size >=
                                 offsetof(valory_plugin_descriptor, health) + sizeof(r.descriptor->health) &&
                             r.descriptor->health;
        if (!hasSlot) {
            j["health"] = "none";
            out.push_back(std::move(j));
            return;
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
            auto detail = nlohmann::json::parse(sink.text, nullptr, false);
            j["detail"] = detail.is_discarded() ? nlohmann::json{{"text", sink.text}} : detail;
        }
        out.push_back(std::move(j));
    };
    for (const auto& id : order_)
        if (auto it = records_.find(id); it != records_.end() && it->second.enabled) add(it->second);
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace valory::host
