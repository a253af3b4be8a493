// Host events: synchronous delivery on the publishing thread. Publishing checks an atomic
// subscriber count first, so with nobody subscribed it takes no lock and allocates nothing.
#pragma once

#include <valory/events.h>

#include <array>
#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

struct valory_subscription {
    valory_event_type type;
    valory_event_fn fn;
    void* user;
    std::string owner;
};

namespace valory::host {

class Events {
  public:
    static constexpr int kTypeCount = 5;  // index by valory_event_type (1..4)

    valory_subscription* subscribe(const std::string& owner, valory_event_type type, valory_event_fn fn,
                                   void* user);
    /// Removes a subscription; returns once no delivery to it is in flight.
    void unsubscribe(valory_subscription* sub);
    /// Removes every subscription of `owner`; returns how many.
    std::size_t removeAllOwnedBy(const std::string& owner);

    bool hasSubscribers(valory_event_type type) const {
        return type > 0 && type < kTypeCount && counts_[type].load(std::memory_order_acquire) > 0;
    }
    /// Delivers `event` to every subscriber of `type`; a throwing subscriber is caught and logged.
    void publish(valory_event_type type, const void* event);

  private:
    std::array<std::atomic<int>, kTypeCount> counts_{};
    // Deliveries hold the lock shared; unsubscribe takes it exclusively, so it returns only once no
    // delivery to the removed subscription is running.
    mutable std::shared_mutex mutex_;
    std::vector<std::unique_ptr<valory_subscription>> subs_;
};

}  // namespace valory::host
