#include "events.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <exception>
#include <mutex>

namespace valory::host {

namespace {

/// The subscriptions whose callbacks run on this thread right now (innermost last).
thread_local std::vector<const valory_subscription*> tlsDelivering;

}  // namespace

valory_subscription* Events::subscribe(const std::string& owner, valory_event_type type, valory_event_fn fn,
                                       void* user) {
    if (type <= 0 || type >= kTypeCount || !fn) return nullptr;
    auto sub = std::make_shared<valory_subscription>();
    sub->type = type;
    sub->fn = fn;
    sub->user = user;
    sub->owner = owner;
    std::unique_lock lock(mutex_);
    subs_.push_back(sub);
    counts_[type].fetch_add(1, std::memory_order_acq_rel);
    return sub.get();
}

void Events::waitIdle(valory_subscription& sub) {
    const auto own = static_cast<int>(std::count(tlsDelivering.begin(), tlsDelivering.end(), &sub));
    for (int v = sub.inflight.load(std::memory_order_acquire); v > own;
         v = sub.inflight.load(std::memory_order_acquire))
        sub.inflight.wait(v);
}

void Events::unsubscribe(valory_subscription* sub) {
    if (!sub) return;
    std::shared_ptr<valory_subscription> removed;
    {
        std::unique_lock lock(mutex_);
        auto it = std::find_if(subs_.begin(), subs_.end(), [&](const auto& p) { return p.get() == sub; });
        if (it == subs_.end()) return;
        removed = *it;
        removed->removed.store(true, std::memory_order_release);
        counts_[sub->type].fetch_sub(1, std::memory_order_acq_rel);
        subs_.erase(it);
    }
    waitIdle(*removed);
}

std::size_t Events::removeAllOwnedBy(const std::string& owner) {
    std::vector<std::shared_ptr<valory_subscription>> removed;
    {
        std::unique_lock lock(mutex_);
        for (auto it = subs_.begin(); it != subs_.end();) {
            if ((*it)->owner == owner) {
                (*it)->removed.store(true, std::memory_order_release);
                counts_[(*it)->type].fetch_sub(1, std::memory_order_acq_rel);
                removed.push_back(std::move(*it));
                it = subs_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& sub : removed) waitIdle(*sub);  // the plugin is destroyed next: nothing may still run
    return removed.size();
}

void Events::publish(valory_event_type type, const void* event) {
    if (!hasSubscribers(type)) return;
    std::vector<std::shared_ptr<valory_subscription>> targets;
    {
        std::shared_lock lock(mutex_);
        for (const auto& s : subs_)
            if (s->type == type) {
                s->inflight.fetch_add(1, std::memory_order_acq_rel);
                targets.push_back(s);
            }
    }
    for (const auto& s : targets) {
        if (!s->removed.load(std::memory_order_acquire)) {
            tlsDelivering.push_back(s.get());
            try {
                s->fn(s->user, type, event);
            } catch (const std::exception& e) {
                Poco::Logger::get("host").error("event subscriber of plugin '" + s->owner +
                                                "' threw: " + e.what());
            } catch (...) {
                Poco::Logger::get("host").error("event subscriber of plugin '" + s->owner +
                                                "' threw a non-standard exception");
            }
            tlsDelivering.pop_back();
        }
        if (s->inflight.fetch_sub(1, std::memory_order_acq_rel) == 1) s->inflight.notify_all();
    }
}

}  // namespace valory::host
