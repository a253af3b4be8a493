#include "events.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <array>
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
    // Targets go into an inline buffer (a vector only beyond kInline subscribers), so a publish on
    // the request path allocates nothing. Each target is held by a shared_ptr until its in-flight
    // count has been dropped and notified (unsubscribe() may free it as soon as that count is 0).
    constexpr std::size_t kInline = 8;
    std::array<std::shared_ptr<valory_subscription>, kInline> inlineTargets{};
    std::vector<std::shared_ptr<valory_subscription>> overflow;
    std::size_t count = 0;
    {
        std::shared_lock lock(mutex_);
        for (const auto& s : subs_)
            if (s->type == type) {
                s->inflight.fetch_add(1, std::memory_order_acq_rel);
                if (count < kInline)
                    inlineTargets[count] = s;
                else
                    overflow.push_back(s);
                ++count;
            }
    }
    for (std::size_t i = 0; i < count; ++i) {
        valory_subscription* s = i < kInline ? inlineTargets[i].get() : overflow[i - kInline].get();
        if (!s->removed.load(std::memory_order_acquire)) {
            tlsDelivering.push_back(s);
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
