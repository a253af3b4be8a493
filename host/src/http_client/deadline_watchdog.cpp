#include "deadline_watchdog.hpp"

#include <sys/socket.h>

#include <optional>

namespace valory::host {

DeadlineWatchdog::Guard& DeadlineWatchdog::Guard::operator=(Guard&& o) noexcept {
    if (this != &o) {
        release();
        owner_ = o.owner_;
        id_ = o.id_;
        o.owner_ = nullptr;
    }
    return *this;
}

bool DeadlineWatchdog::Guard::release() {
    if (!owner_) return false;
    bool fired = owner_->unwatch(id_);
    owner_ = nullptr;
    return fired;
}

DeadlineWatchdog::DeadlineWatchdog() : thread_([this] { run(); }) {}

DeadlineWatchdog::~DeadlineWatchdog() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

DeadlineWatchdog::Guard DeadlineWatchdog::watch(int fd, Clock::time_point deadline) {
    uint64_t id;
    {
        std::lock_guard lock(mutex_);
        id = next_++;
        entries_[id] = Entry{fd, deadline, false};
    }
    cv_.notify_all();
    return Guard(this, id);
}

bool DeadlineWatchdog::unwatch(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return false;
    bool fired = it->second.fired;
    entries_.erase(it);
    return fired;
}

void DeadlineWatchdog::run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        std::optional<Clock::time_point> next;
        const auto now = Clock::now();
        for (auto& [id, e] : entries_) {
            if (e.fired) continue;
            if (e.deadline <= now) {
                ::shutdown(e.fd, SHUT_RDWR);  // wakes the blocked reader; the owner closes the socket
                e.fired = true;
                ++fired_;
            } else if (!next || e.deadline < *next) {
                next = e.deadline;
            }
        }
        if (next)
            cv_.wait_until(lock, *next);
        else
            cv_.wait(lock);
    }
}

}  // namespace valory::host
