// Per-key single-flight: the first caller to join a key leads (computes), later callers of the
// same key follow and may wait for the leader's outcome. Knows nothing of caching or Redis.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "valory/abi.h"

namespace valory::plugins::cache {

class SingleFlight {
    struct Flight;

  public:
    /// What the leader hands to its followers.
    struct Outcome {
        valory_status status = VALORY_OK;
        std::string message;  // when status != VALORY_OK
        std::string value;    // when status == VALORY_OK
        uint32_t flags = 0;
    };

    /// A caller's membership in one key's flight: the leader's or a follower's.
    class Ticket {
      public:
        Ticket(Ticket&& other) noexcept;
        Ticket& operator=(Ticket&&) = delete;
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        /// A leader that did not complete() completes with VALORY_ERR_INTERNAL, so no follower hangs.
        ~Ticket();

        bool leader() const noexcept { return leader_; }
        /// Leader only, once: removes the flight from the table (a later join() leads a new one),
        /// then wakes the followers with `outcome`.
        void complete(Outcome outcome);
        /// Follower only: waits up to `timeout` for the leader. Null on timeout; otherwise the
        /// outcome, valid as long as this ticket.
        const Outcome* wait(std::chrono::milliseconds timeout) const;

      private:
        friend class SingleFlight;
        Ticket(SingleFlight* owner, std::string key, std::shared_ptr<Flight> flight, bool leader);

        SingleFlight* owner_;
        std::string key_;
        std::shared_ptr<Flight> flight_;
        bool leader_;
        bool completed_ = false;
    };

    SingleFlight();
    ~SingleFlight();
    SingleFlight(const SingleFlight&) = delete;
    SingleFlight& operator=(const SingleFlight&) = delete;

    /// Leads a new flight for `key` when none is in progress, else follows the current one.
    Ticket join(std::string_view key);
    /// Keys with a flight in progress.
    std::size_t inFlight() const;

  private:
    void remove(const std::string& key);

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace valory::plugins::cache
