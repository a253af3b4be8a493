// The in-process fake host (see valory/testkit/fake_host.hpp): its state and the wiring of
// valory_host_api. Each part of the API lives in its own file (log_config, services, http +
// exchange + routing, events, metrics, scheduler); the lifecycle is in plugin_handle.cpp.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

// get_proc has no host argument: answers come from a process-wide table fed by every FakeHost.
std::mutex gProcMutex;
std::map<std::string, const void*>& procTable() {
    static std::map<std::string, const void*> table;
    return table;
}
const void* getProc(const char* name) {
    if (!name) return nullptr;
    std::lock_guard lock(gProcMutex);
    auto it = procTable().find(name);
    return it == procTable().end() ? nullptr : it->second;
}

std::atomic<uint64_t> gHostCounter{0};

}  // namespace

void FakeHostState::log(const std::string& plugin, valory_log_level level, std::string message) {
    std::lock_guard lock(mutex);
    if (verbose)
        std::fprintf(stderr, "[testkit] %s: %s\n", plugin.empty() ? "host" : plugin.c_str(), message.c_str());
    logs.push_back(LogEntry{plugin, level, std::move(message)});
}

void FakeHostState::deliver(valory_event_type type, const void* event) {
    std::vector<std::shared_ptr<SubRec>> targets;
    {
        std::lock_guard lock(mutex);
        for (auto& s : subs)
            if (s->type == type) targets.push_back(s);
    }
    for (auto& s : targets) s->fn(s->user, type, event);
}

void FakeHostState::cleanup(PluginRecord* r) {
    std::lock_guard lock(mutex);
    auto countRemoved = [&](auto& vec) {
        size_t before = vec.size();
        vec.erase(std::remove_if(vec.begin(), vec.end(), [&](const auto& x) { return x->owner == r; }),
                  vec.end());
        return before - vec.size();
    };
    countRemoved(routes);
    countRemoved(subs);
    countRemoved(jobs);
    mounts.erase(std::remove_if(mounts.begin(), mounts.end(),
                                [&](const StaticMountInfo& m) { return m.plugin == r->id; }),
                 mounts.end());
    size_t leftRefs = 0;
    for (auto it = refs.begin(); it != refs.end();) {
        if ((*it)->holder == r) {
            --(*it)->service->holders;
            it = refs.erase(it);
            ++leftRefs;
        } else {
            ++it;
        }
    }
    if (leftRefs)
        log("", VALORY_LOG_WARNING,
            "plugin " + r->id + " left " + std::to_string(leftRefs) + " service acquisition(s) unreleased");
    for (auto& s : services)
        if (s->owner == r && s->holders)
            log("", VALORY_LOG_WARNING,
                "plugin " + r->id + " stops while " + std::to_string(s->holders) + " holder(s) of " +
                    s->name + " remain (the real host stops consumers first)");
    countRemoved(services);
}

FakeHost::FakeHost() : state_(std::make_unique<FakeHostState>()) {
    auto& s = *state_;
    s.hostNumber = ++gHostCounter;
    s.tempRoot = std::filesystem::temp_directory_path() /
                 ("valory-testkit-" + std::to_string(::getpid()) + "-" + std::to_string(s.hostNumber));

    s.logApi = makeLogApi();
    s.configApi = makeConfigApi();
    s.serviceApi = makeServiceApi();
    s.httpApi = makeHttpApi();
    s.eventApi = makeEventApi();
    s.metricsApi = makeMetricsApi();
    s.schedulerApi = makeSchedulerApi();
    s.api.struct_size = sizeof(valory_host_api);
    s.api.abi_major = VALORY_ABI_MAJOR;
    s.api.abi_minor = VALORY_ABI_MINOR;
    s.api.log = &s.logApi;
    s.api.config = &s.configApi;
    s.api.services = &s.serviceApi;
    s.api.http = &s.httpApi;
    s.api.events = &s.eventApi;
    s.api.metrics = &s.metricsApi;
    s.api.scheduler = &s.schedulerApi;
    s.api.get_proc = getProc;
}

FakeHost::~FakeHost() {
    std::vector<std::shared_ptr<PluginRecord>> plugins;
    {
        std::lock_guard lock(state_->mutex);
        plugins = state_->plugins;
    }
    for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) {
        PluginHandle h(state_.get(), *it);
        h.destroy();
        h.rec_.reset();
    }
    {
        std::lock_guard lock(gProcMutex);
        for (auto& n : state_->procNames) procTable().erase(n);
    }
    std::error_code ec;
    std::filesystem::remove_all(state_->tempRoot, ec);
}

const valory_host_api* FakeHost::api() const {
    return &state_->api;
}

void FakeHost::setProc(const std::string& name, const void* proc) {
    std::lock_guard lock(gProcMutex);
    procTable()[name] = proc;
    state_->procNames.push_back(name);
}

std::string FakeHost::readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("FakeHost::readFile: cannot open " + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace valory::testkit
