// The fake host's plugin lifecycle: load (descriptor and manifest checks, settings with schema
// defaults, create), start/stop/destroy with cleanup, and the optional slots.
#include <algorithm>
#include <cstring>

#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

void addDeclared(const nlohmann::json& manifest, const char* key,
                 std::set<std::pair<std::string, uint32_t>>& out) {
    auto it = manifest.find(key);
    if (it == manifest.end() || !it->is_array()) return;
    for (auto& e : *it) {
        if (!e.is_object() || !e.contains("service")) continue;
        out.emplace(e["service"].get<std::string>(), e.value("major", 1u));
    }
}

}  // namespace

PluginHandle FakeHost::load(const valory_plugin_descriptor* descriptor, const std::string& manifestJson,
                            const std::string& settingsJson, const LoadOptions& options) {
    PluginHandle h;
    std::string error;
    valory_status s = tryLoad(&h, descriptor, manifestJson, settingsJson, options, &error);
    if (s != VALORY_OK) throw LifecycleError(s, error);
    return h;
}

valory_status FakeHost::tryLoad(PluginHandle* out, const valory_plugin_descriptor* descriptor,
                                const std::string& manifestJson, const std::string& settingsJson,
                                const LoadOptions& options, std::string* error) {
    auto setError = [&](valory_status s, const std::string& msg) {
        if (error) *error = msg;
        state_->log("", VALORY_LOG_ERROR, msg);
        return s;
    };
    if (!out) return setError(VALORY_ERR_INVALID_ARGUMENT, "tryLoad: NULL out");
    *out = PluginHandle();
    if (!descriptor) return setError(VALORY_ERR_INVALID_ARGUMENT, "load: NULL descriptor");
    auto rec = std::make_shared<PluginRecord>();
    rec->state = state_.get();
    std::memcpy(&rec->desc, descriptor,
                std::min<size_t>(descriptor->struct_size ? descriptor->struct_size : sizeof(uint32_t),
                                 sizeof(rec->desc)));
    auto& d = rec->desc;
    std::string did = d.id ? d.id : "";
    if (d.abi_major != VALORY_ABI_MAJOR || d.abi_minor > VALORY_ABI_MINOR)
        return setError(VALORY_ERR_VERSION,
                        "plugin " + did + ": descriptor ABI " + std::to_string(d.abi_major) + "." +
                            std::to_string(d.abi_minor) + ", host " + std::to_string(VALORY_ABI_MAJOR) + "." +
                            std::to_string(VALORY_ABI_MINOR));
    if (!d.create || !d.start || !d.stop || !d.destroy)
        return setError(VALORY_ERR_INVALID_ARGUMENT,
                        "plugin " + did + ": descriptor lacks create/start/stop/destroy");
    try {
        rec->manifest = nlohmann::json::parse(manifestJson, nullptr, true, true);
    } catch (const std::exception& e) {
        return setError(VALORY_ERR_INVALID_ARGUMENT, "plugin " + did + ": manifest is not JSON: " + e.what());
    }
    if (!rec->manifest.is_object() || rec->manifest.value("id", std::string()) != did)
        return setError(VALORY_ERR_INVALID_ARGUMENT,
                        "plugin " + did + ": descriptor id '" + did + "' differs from manifest id '" +
                            (rec->manifest.is_object() ? rec->manifest.value("id", std::string()) : "") +
                            "'");
    rec->id = did;
    {
        std::lock_guard lock(state_->mutex);
        for (auto& p : state_->plugins)
            if (p->id == did) return setError(VALORY_ERR_CONFLICT, "plugin " + did + ": duplicate id");
    }
    addDeclared(rec->manifest, "requires", rec->mayAcquire);
    addDeclared(rec->manifest, "optional", rec->mayAcquire);
    addDeclared(rec->manifest, "provides", rec->mayProvide);

    nlohmann::json settings;
    try {
        settings = nlohmann::json::parse(settingsJson.empty() ? std::string("{}") : settingsJson, nullptr,
                                         true, true);
    } catch (const std::exception& e) {
        return setError(VALORY_ERR_INVALID_ARGUMENT,
                        "plugin " + did + ": settings are not JSON: " + e.what());
    }
    if (options.applySchemaDefaults && settings.is_object() && rec->manifest.contains("config_schema")) {
        auto& schema = rec->manifest["config_schema"];
        if (schema.is_object() && schema.contains("properties") && schema["properties"].is_object())
            for (auto& [k, prop] : schema["properties"].items())
                if (!settings.contains(k) && prop.is_object() && prop.contains("default"))
                    settings[k] = prop["default"];
    }
    rec->settings = settings.dump();
    rec->dataDir = (state_->tempRoot / did).string();
    rec->commandPlugin = options.commandPlugin;
    rec->commandName = options.commandName;
    rec->commandArgs = options.commandArgs;
    for (auto& a : rec->commandArgs) rec->commandArgViews.push_back(str(a));

    valory_create_args args{};
    args.struct_size = sizeof args;
    args.run_mode = options.runMode;
    args.settings_json = str(rec->settings);
    args.command_plugin = str(rec->commandPlugin);
    args.command_name = str(rec->commandName);
    args.command_args = rec->commandArgViews.data();
    args.command_arg_count = rec->commandArgViews.size();
    valory_error err;
    valory_error_init(&err);
    void* instance = nullptr;
    valory_status s = d.create(&state_->api, toHost(rec.get()), &args, &instance, &err);
    if (s != VALORY_OK)
        return setError(s, "plugin " + did + ": create failed (" + statusName(s) + "): " + err.message);
    rec->instance = instance;
    {
        std::lock_guard lock(state_->mutex);
        state_->plugins.push_back(rec);
    }
    *out = PluginHandle(state_.get(), rec);
    return VALORY_OK;
}

PluginHandle::PluginHandle(PluginHandle&& o) noexcept : state_(o.state_), rec_(std::move(o.rec_)) {
    o.state_ = nullptr;
}

PluginHandle& PluginHandle::operator=(PluginHandle&& o) noexcept {
    if (this != &o) {
        destroy();
        state_ = o.state_;
        rec_ = std::move(o.rec_);
        o.state_ = nullptr;
    }
    return *this;
}

PluginHandle::~PluginHandle() {
    destroy();
}

const std::string& PluginHandle::id() const {
    static const std::string empty;
    return rec_ ? rec_->id : empty;
}

bool PluginHandle::started() const {
    return rec_ && rec_->phase == Phase::Started;
}
const std::string& PluginHandle::lastError() const {
    static const std::string empty;
    return rec_ ? rec_->lastError : empty;
}
const valory_plugin_descriptor* PluginHandle::descriptor() const {
    return rec_ ? &rec_->desc : nullptr;
}
void* PluginHandle::instance() const {
    return rec_ ? rec_->instance : nullptr;
}
valory_host* PluginHandle::hostHandle() const {
    return rec_ ? toHost(rec_.get()) : nullptr;
}

valory_status PluginHandle::tryStart() {
    if (!rec_ || rec_->phase == Phase::Destroyed)
        throw std::logic_error("PluginHandle::start on an empty handle");
    if (rec_->phase == Phase::Started) return VALORY_OK;
    rec_->phase = Phase::Starting;
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.start(rec_->instance, &err);
    if (s != VALORY_OK) {
        rec_->lastError =
            std::string("plugin ") + rec_->id + ": start failed (" + statusName(s) + "): " + err.message;
        state_->log("", VALORY_LOG_ERROR, rec_->lastError);
        rec_->phase = Phase::Stopped;  // as the real host: remove what was registered; destroy() follows
        state_->cleanup(rec_.get());
        return s;
    }
    rec_->lastError.clear();
    rec_->phase = Phase::Started;
    return VALORY_OK;
}

void PluginHandle::start() {
    valory_status s = tryStart();
    if (s != VALORY_OK) throw LifecycleError(s, rec_->lastError);
}

valory_status PluginHandle::tryStop() {
    if (!rec_ || rec_->phase != Phase::Started) return VALORY_OK;
    rec_->phase = Phase::Stopping;
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.stop(rec_->instance, &err);
    if (s != VALORY_OK) {
        rec_->lastError =
            std::string("plugin ") + rec_->id + ": stop failed (" + statusName(s) + "): " + err.message;
        state_->log("", VALORY_LOG_WARNING, rec_->lastError);
    }
    rec_->phase = Phase::Stopped;
    state_->cleanup(rec_.get());
    return s;
}

void PluginHandle::stop() {
    valory_status s = tryStop();
    if (s != VALORY_OK) throw LifecycleError(s, rec_->lastError);
}

void PluginHandle::destroy() {
    if (!rec_ || rec_->phase == Phase::Destroyed) return;
    tryStop();
    state_->cleanup(rec_.get());
    rec_->desc.destroy(rec_->instance);
    rec_->instance = nullptr;
    rec_->phase = Phase::Destroyed;
    std::lock_guard lock(state_->mutex);
    auto& ps = state_->plugins;
    ps.erase(std::remove(ps.begin(), ps.end(), rec_), ps.end());
}

valory_health_state PluginHandle::health(nlohmann::json* detail) {
    if (!rec_ || !rec_->desc.health)
        throw LifecycleError(VALORY_ERR_UNSUPPORTED, "plugin " + id() + " has no health slot");
    std::string text;
    valory_writer w = sdk::stringWriter(&text);
    valory_health_state s = rec_->desc.health(rec_->instance, &w);
    if (detail) *detail = text.empty() ? nlohmann::json() : nlohmann::json::parse(text);
    return s;
}

valory_status PluginHandle::reconfigure(const nlohmann::json& settings) {
    if (!rec_ || !rec_->desc.reconfigure)
        throw LifecycleError(VALORY_ERR_UNSUPPORTED, "plugin " + id() + " has no reconfigure slot");
    std::string text = settings.dump();
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.reconfigure(rec_->instance, str(text), &err);
    if (s != VALORY_OK && s != VALORY_ERR_NEEDS_RESTART)
        throw LifecycleError(s, "plugin " + id() + ": reconfigure failed: " + err.message);
    if (s == VALORY_OK) rec_->settings = text;
    return s;
}

std::string PluginHandle::command(const std::string& name, const std::vector<std::string>& args) {
    if (!rec_ || !rec_->desc.command)
        throw LifecycleError(VALORY_ERR_UNSUPPORTED, "plugin " + id() + " has no command slot");
    std::vector<valory_str> views;
    for (auto& a : args) views.push_back(str(a));
    std::string text;
    valory_writer w = sdk::stringWriter(&text);
    valory_error err;
    valory_error_init(&err);
    valory_status s = rec_->desc.command(rec_->instance, str(name), views.data(), views.size(), &w, &err);
    if (s != VALORY_OK)
        throw LifecycleError(s, "plugin " + id() + ": command " + name + " failed: " + err.message);
    return text;
}

}  // namespace valory::testkit
