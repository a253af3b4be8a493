#include "plugins/dependency_resolver.hpp"

#include <algorithm>
#include <functional>

namespace valory::host {

void DependencyResolver::addHostService(const std::string& service, std::uint32_t major,
                                        std::uint32_t minor) {
    hostServices_[service + "/" + std::to_string(major)] = minor;
}

DependencyResolver::Result DependencyResolver::resolve(
    const std::vector<const Manifest*>& candidatesIn,
    const std::map<std::string, const Manifest*>& alreadyRefused) const {
    Result result;
    std::vector<const Manifest*> candidates = candidatesIn;
    std::sort(candidates.begin(), candidates.end(), [](auto* a, auto* b) { return a->id < b->id; });

    // Providers: host services first, then plugins; two plugins providing one service both lose.
    std::map<std::string, const Manifest*> provider;
    std::map<std::string, std::uint32_t> providedMinor;
    for (const auto& [key, minor] : hostServices_) {
        result.providerOf[key] = "host";
        providedMinor[key] = minor;
    }
    for (const Manifest* m : candidates) {
        for (const auto& p : m->provides) {
            const std::string key = p.key();
            if (hostServices_.count(key)) {
                result.refused[m->id] = "provides '" + key + "', which the host provides itself";
                continue;
            }
            if (auto it = provider.find(key); it != provider.end()) {
                result.refused[m->id] =
                    "provides '" + key + "', also provided by plugin '" + it->second->id + "'";
                continue;
            }
            provider[key] = m;
            providedMinor[key] = p.minor;
        }
    }
    std::map<std::string, std::string> refusedProviderOf;  // service -> refused plugin id
    for (const auto& [id, m] : alreadyRefused)
        for (const auto& p : m->provides) refusedProviderOf[p.key()] = id;

    // Fixpoint: refuse plugins with a missing/refused required provider.
    bool changed = true;
    while (changed) {
        changed = false;
        for (const Manifest* m : candidates) {
            if (result.refused.count(m->id)) continue;
            for (const auto& d : m->requires_) {
                const std::string key = d.key();
                std::string reason;
                if (hostServices_.count(key)) {
                    if (hostServices_.at(key) < d.minMinor)
                        reason = "requires '" + key + "' minor >= " + std::to_string(d.minMinor) +
                                 ", the host provides " + key + "." + std::to_string(hostServices_.at(key));
                } else if (auto it = provider.find(key); it != provider.end()) {
                    if (result.refused.count(it->second->id))
                        reason =
                            "requires '" + key + "' from plugin '" + it->second->id + "', which was refused";
                    else if (providedMinor[key] < d.minMinor)
                        reason = "requires '" + key + "' minor >= " + std::to_string(d.minMinor) +
                                 ", plugin '" + it->second->id + "' provides " + key + "." +
                                 std::to_string(providedMinor[key]);
                } else if (auto r = refusedProviderOf.find(key); r != refusedProviderOf.end()) {
                    reason = "requires '" + key + "' from plugin '" + r->second + "', which was refused";
                } else {
                    reason = "requires service '" + key + "', which no enabled plugin provides";
                }
                if (!reason.empty()) {
                    result.refused[m->id] = reason;
                    changed = true;
                    break;
                }
            }
        }
    }

    // Edges: provider -> consumer, for required and present optional services.
    std::map<std::string, std::set<std::string>> deps;  // id -> ids it waits for
    std::map<std::string, const Manifest*> byId;
    for (const Manifest* m : candidates) {
        if (result.refused.count(m->id)) continue;
        byId[m->id] = m;
        auto& set = deps[m->id];
        auto addEdge = [&](const ServiceDependency& d) {
            if (auto it = provider.find(d.key());
                it != provider.end() && !result.refused.count(it->second->id) && it->second->id != m->id)
                set.insert(it->second->id);
        };
        for (const auto& d : m->requires_) addEdge(d);
        for (const auto& d : m->optional) addEdge(d);
    }

    // Kahn's algorithm with alphabetical tie-break (stable output).
    std::set<std::string> done;
    while (done.size() < byId.size()) {
        std::string next;
        for (const auto& [id, waits] : deps) {
            if (done.count(id)) continue;
            bool ready = std::all_of(waits.begin(), waits.end(),
                                     [&](const std::string& w) { return done.count(w) > 0; });
            if (ready) {
                next = id;
                break;
            }
        }
        if (next.empty()) break;
        done.insert(next);
        result.order.push_back(next);
    }
    if (done.size() == byId.size()) return result;

    // What is left is cycles and plugins waiting on them. Name each cycle by walking waits.
    std::set<std::string> remaining;
    for (const auto& [id, _] : byId)
        if (!done.count(id)) remaining.insert(id);
    std::map<std::string, std::string> cycleOf;
    for (const std::string& start : remaining) {
        if (cycleOf.count(start)) continue;
        std::vector<std::string> path;
        std::string cur = start;
        std::set<std::string> onPath;
        while (!onPath.count(cur)) {
            onPath.insert(cur);
            path.push_back(cur);
            std::string nextId;
            for (const auto& w : deps[cur])
                if (remaining.count(w)) {
                    nextId = w;
                    break;
                }
            cur = nextId;
        }
        auto pos = std::find(path.begin(), path.end(), cur);
        std::string text;
        for (auto it = pos; it != path.end(); ++it) text += *it + " -> ";
        text += cur;
        for (auto it = pos; it != path.end(); ++it)
            if (!cycleOf.count(*it)) cycleOf[*it] = text;
    }
    for (const std::string& id : remaining) {
        if (auto it = cycleOf.find(id); it != cycleOf.end()) {
            // The walk is "waits for" direction; print it as dependency cycle.
            result.refused[id] = "dependency cycle: " + it->second;
        }
    }
    // Plugins not in a cycle but waiting on one: a required provider that was refused refuses
    // them too; an optional one is dropped (they start without it). Then order the rest.
    auto requiredEdge = [&](const std::string& id, const std::string& providerId) {
        for (const auto& d : byId[id]->requires_)
            if (auto it = provider.find(d.key()); it != provider.end() && it->second->id == providerId)
                return true;
        return false;
    };
    bool progress = true;
    while (progress) {
        progress = false;
        for (const std::string& id : remaining) {
            if (done.count(id) || result.refused.count(id)) continue;
            bool ready = true;
            std::string blocker;
            for (const auto& w : deps[id]) {
                if (result.refused.count(w)) {
                    if (requiredEdge(id, w) && blocker.empty()) blocker = w;
                } else if (!done.count(w)) {
                    ready = false;
                }
            }
            if (!blocker.empty()) {
                result.refused[id] = "depends on plugin '" + blocker + "', which was refused";
                progress = true;
            } else if (ready) {
                done.insert(id);
                result.order.push_back(id);
                progress = true;
            }
        }
    }
    return result;
}

}  // namespace valory::host
