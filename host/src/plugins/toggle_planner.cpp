#include "plugins/toggle_planner.hpp"

#include <algorithm>
#include <map>

namespace valory::host {

namespace {

bool uses(const PlanNode& n, const std::string& key) {
    return std::find(n.requires_.begin(), n.requires_.end(), key) != n.requires_.end() ||
           std::find(n.optional.begin(), n.optional.end(), key) != n.optional.end();
}

bool usesAnyOf(const PlanNode& consumer, const PlanNode& provider) {
    for (const auto& k : provider.provides)
        if (uses(consumer, k)) return true;
    return false;
}

}  // namespace

Plan planToggle(const PlanInput& in) {
    Plan plan;
    std::map<std::string, const PlanNode*> nodes;
    for (const auto& n : in.nodes) nodes[n.id] = &n;
    for (const auto& id : in.desired)
        if (!nodes.count(id))
            plan.refusals.push_back("plugin '" + id + "' is not known (no readable manifest)");
    if (!plan.ok()) return plan;

    // What runs afterwards: desired plugins that run now or may be started.
    auto willRun = [&](const std::string& id) {
        return in.desired.count(id) && (nodes.at(id)->running || in.startable.count(id));
    };

    // One provider per service among the plugins that will run.
    std::map<std::string, std::string> providerAfter;
    for (const auto& [id, n] : nodes) {
        if (!willRun(id)) continue;
        for (const auto& k : n->provides) {
            auto [it, fresh] = providerAfter.emplace(k, id);
            if (!fresh)
                plan.refusals.push_back("service '" + k + "' would be provided by both '" + it->second +
                                        "' and '" + id + "'; enable only one of them");
        }
    }
    for (const auto& [id, n] : nodes) {
        if (!willRun(id)) continue;
        for (const auto& k : n->requires_) {
            if (in.hostServices.count(k) || providerAfter.count(k)) continue;
            std::string running, other;
            for (const auto& [pid, p] : nodes)
                if (std::find(p->provides.begin(), p->provides.end(), k) != p->provides.end())
                    (p->running ? running : other) = pid;
            if (!running.empty())
                plan.refusals.push_back("cannot disable '" + running + "': '" + id +
                                        "' requires its service '" + k + "' and stays enabled; disable '" +
                                        id + "' as well, or keep '" + running + "' enabled");
            else if (!other.empty())
                plan.refusals.push_back("'" + id + "' requires '" + k + "' from '" + other +
                                        "', which is not enabled; enable '" + other + "' as well");
            else
                plan.refusals.push_back("'" + id + "' requires '" + k + "', which no plugin provides");
        }
    }
    if (!plan.ok()) return plan;

    // Dependency order over everything running now or afterwards (Kahn, ties alphabetical).
    std::set<std::string> universe;
    for (const auto& [id, n] : nodes)
        if (n->running || willRun(id)) universe.insert(id);
    std::map<std::string, std::set<std::string>> providersOf;  // consumer -> providers inside universe
    for (const auto& c : universe)
        for (const auto& p : universe)
            if (c != p && usesAnyOf(*nodes.at(c), *nodes.at(p))) providersOf[c].insert(p);
    std::vector<std::string> order;
    std::set<std::string> placed;
    while (placed.size() < universe.size()) {
        std::string next;
        for (const auto& id : universe) {
            if (placed.count(id)) continue;
            bool ready = true;
            for (const auto& p : providersOf[id]) ready = ready && placed.count(p);
            if (ready) {
                next = id;
                break;
            }
        }
        if (next.empty()) {
            std::string cycle;
            for (const auto& id : universe)
                if (!placed.count(id)) cycle += (cycle.empty() ? "" : ", ") + id;
            plan.refusals.push_back("dependency cycle among: " + cycle);
            return plan;
        }
        placed.insert(next);
        order.push_back(next);
    }

    // What stops: disabled or restarted running plugins, then (transitively) their running consumers,
    // and running optional consumers of providers that start now.
    std::set<std::string> stopping, starting;
    for (const auto& id : universe) {
        const bool running = nodes.at(id)->running;
        if (running && (!in.desired.count(id) || in.restart.count(id))) stopping.insert(id);
        if (!running && willRun(id)) starting.insert(id);
    }
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& c : universe) {
            const PlanNode& cn = *nodes.at(c);
            if (!cn.running || stopping.count(c)) continue;
            for (const auto& p : universe) {
                if (p == c || !usesAnyOf(cn, *nodes.at(p))) continue;
                if (stopping.count(p) || starting.count(p)) {
                    stopping.insert(c);
                    grew = true;
                    break;
                }
            }
        }
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        if (stopping.count(*it)) {
            plan.stop.push_back(*it);
            if (!in.desired.count(*it)) plan.disable.push_back(*it);
        }
    for (const auto& id : order)
        if (starting.count(id) || (stopping.count(id) && in.desired.count(id))) plan.start.push_back(id);
    return plan;
}

}  // namespace valory::host
