// The fake host's log/1 and config/1 parts: log capture and levels, settings, data dirs, host facts.
#include <algorithm>

#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

// log
void logWrite(valory_host* h, valory_log_level level, valory_str message) {
    auto* r = toRec(h);
    if (level < r->state->minLevel) return;
    r->state->log(r->id, level, toString(message));
}
int32_t logEnabled(valory_host* h, valory_log_level level) {
    return level >= toRec(h)->state->minLevel ? 1 : 0;
}

// config
valory_str settingsJson(valory_host* h) {
    return str(toRec(h)->settings);
}
valory_str dataDir(valory_host* h) {
    auto* r = toRec(h);
    std::error_code ec;
    std::filesystem::create_directories(r->dataDir, ec);
    return str(r->dataDir);
}
valory_str hostInfo(valory_host* h, const char* key) {
    auto* r = toRec(h);
    std::lock_guard lock(r->state->mutex);
    std::string k = key ? key : "";
    std::string value;
    if (k == "plugin.id")
        value = r->id;
    else if (auto it = r->state->info.find(k); it != r->state->info.end())
        value = it->second;
    else if (k == "host.version")
        value = "fake";
    else if (k == "host.instance_id")
        value = "fake-" + std::to_string(r->state->hostNumber);
    return str(r->infoCache[k] = value);
}

}  // namespace

valory_log_api makeLogApi() {
    return valory_log_api{sizeof(valory_log_api), logWrite, logEnabled};
}
valory_config_api makeConfigApi() {
    return valory_config_api{sizeof(valory_config_api), settingsJson, dataDir, hostInfo};
}

void FakeHost::setInfo(const std::string& key, const std::string& value) {
    std::lock_guard lock(state_->mutex);
    state_->info[key] = value;
}

void FakeHost::setLogLevel(valory_log_level level) {
    state_->minLevel = level;
}

std::vector<LogEntry> FakeHost::logs() const {
    std::lock_guard lock(state_->mutex);
    return state_->logs;
}

bool FakeHost::logContains(const std::string& needle) const {
    std::lock_guard lock(state_->mutex);
    return std::any_of(state_->logs.begin(), state_->logs.end(),
                       [&](const LogEntry& e) { return e.message.find(needle) != std::string::npos; });
}

void FakeHost::clearLogs() {
    std::lock_guard lock(state_->mutex);
    state_->logs.clear();
}

}  // namespace valory::testkit
