#include "events.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <exception>
#include <mutex>

namespace valory::host {

valory_subscription* Events::subscribe(const std::string& owner, valory_event_type type, valory_event_fn fn,
                                       void* user) {
    if (type <= 0 || type >= kTypeCount || !fn) return nullptr;
    std::unique_lock lock(mutex_);
    subs_.push_back(std::make_unique<valory_subscription>(valory_subscription{type, fn, user, owner}));
    counts_[type].fetch_add(1, std::memory_order_acq_rel);
    return subs_.back().get();
}

void Events::unsubscribe(valory_subscription* sub) {
    if (!sub) return;
    std::unique_lock lock(mutex_);
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](const auto& p) { return p.get() == sub; });
    if (it == subs_.end()) return;
    counts_[sub->type].fetch_sub(1, std::memory_order_acq_rel);
    subs_.erase(it);
}

std::size_t Events::removeAllOwnedBy(const std::string& owner) {
    std::unique_lock lock(mutex_);
    std::size_t n = 0;
    for (auto it = subs_.begin(); it != subs_.end();) {
        if ((*it)->owner == owner) {
            counts_[(*it)->type].fetch_sub(1, std::memory_order_acq_rel);
            it = subs_.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

void Events::publish(valory_event_type type, const void* event) {
    if (!hasSubscribers(type)) return;
    std::shared_lock lock(mutex_);
    for (const auto& s : subs_) {
        if (s->type != type) continue;
        try {
            s->fn(s->user, type, event);
        } catch (const std::exception& e) {
            Poco::Logger::get("host").error("event subscriber of plugin '" + s->owner +
                                            "' threw: " + e.what());
        } catch (...) {
            Poco::Logger::get("host").error("event subscriber of plugin '" + s->owner +
                                            "' threw a non-standard exception");
        }
    }
}

}  // namespace valory::host
