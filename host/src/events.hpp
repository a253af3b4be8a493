// Host events: synchronous delivery on the publishing thread. Publishing checks an atomic
// subscriber count first, so with nobody subscribed it takes no lock and allocates nothing.
// Subscribers are called without the lock held, so a callback may subscribe, unsubscribe (itself
// too) or publish; unsubscribe returns once no other delivery to the subscription is running.
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
    std::atomic<int> inflight{0};  ///< deliveries running now (on any thread)
    std::atomic<bool> removed{false};
};

namespace valory::host {

class Events {
  public:
    static constexpr int kTypeCount = 5;  // index by valory_event_type (1..4)

    valory_subscription* subscribe(const std::string& owner, valory_event_type type, valory_event_fn fn,
                                   void* user);
    /// Removes a subscription; returns once no delivery to it is in flight.
    void unsubscribe(valory_subscription* sub);
    /// Removes every subscription of `owner` once their deliveries are done; returns how many.
    std::size_t removeAllOwnedBy(const std::string& owner);

    bool hasSubscribers(valory_event_type type) const {
        return type > 0 && type < kTypeCount && counts_[type].load(std::memory_order_acquire) > 0;
    }
    /// Delivers `event` to every subscriber of `type`; a throwing subscriber is caught and logged.
    void publish(valory_event_type type, const void* event);

  private:
    std::array<std::atomic<int>, kTypeCount> counts_{};
    /// Waits until the only deliveries to `sub` still running are this thread's own (a callback
    /// that unsubscribes itself).
    static void waitIdle(valory_subscription& sub);

    mutable std::shared_mutex mutex_;  // guards subs_; never held while a subscriber runs
    std::vector<std::shared_ptr<valory_subscription>> subs_;
};

}  // namespace valory::host
