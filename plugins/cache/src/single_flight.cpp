#include "single_flight.hpp"

#include <condition_variable>
#include <utility>

namespace valory::plugins::cache {

/// One computation in progress; the leader's and the followers' tickets share it.
struct SingleFlight::Flight {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    Outcome outcome;
};

SingleFlight::SingleFlight() = default;
SingleFlight::~SingleFlight() = default;

SingleFlight::Ticket SingleFlight::join(std::string_view key) {
    std::string k(key);
    std::lock_guard lock(mutex_);
    if (auto it = flights_.find(k); it != flights_.end())
        return Ticket(this, std::move(k), it->second, false);
    auto flight = std::make_shared<Flight>();
    flights_.emplace(k, flight);
    return Ticket(this, std::move(k), std::move(flight), true);
}

std::size_t SingleFlight::inFlight() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
}

void SingleFlight::remove(const std::string& key) {
    std::lock_guard lock(mutex_);
    flights_.erase(key);
}

SingleFlight::Ticket::Ticket(SingleFlight* owner, std::string key, std::shared_ptr<Flight> flight,
                             bool leader)
    : owner_(owner), key_(std::move(key)), flight_(std::move(flight)), leader_(leader) {}

SingleFlight::Ticket::Ticket(Ticket&& other) noexcept
    : owner_(other.owner_),
      key_(std::move(other.key_)),
      flight_(std::move(other.flight_)),
      leader_(other.leader_),
      completed_(other.completed_) {
    other.leader_ = false;  // the moved-from ticket no longer owes a completion
}

SingleFlight::Ticket::~Ticket() {
    if (leader_ && !completed_)
        complete({VALORY_ERR_INTERNAL, "the computing caller failed unexpectedly", {}, 0});
}

void SingleFlight::Ticket::complete(Outcome outcome) {
    if (!leader_ || completed_) return;
    completed_ = true;
    owner_->remove(key_);
    {
        std::lock_guard lock(flight_->mutex);
        flight_->outcome = std::move(outcome);
        flight_->done = true;
    }
    flight_->cv.notify_all();
}

const SingleFlight::Outcome* SingleFlight::Ticket::wait(std::chrono::milliseconds timeout) const {
    if (leader_ || !flight_) return nullptr;
    std::unique_lock lock(flight_->mutex);
    if (!flight_->cv.wait_for(lock, timeout, [&] { return flight_->done; })) return nullptr;
    return &flight_->outcome;  // never written again once done
}

}  // namespace valory::plugins::cache
