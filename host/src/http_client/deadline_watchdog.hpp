// Enforces call deadlines on blocking socket reads that Poco's per-recv timeouts cannot bound: a
// peer dripping one byte at a time keeps every single recv short while the headers never end.
// Sockets are registered with their deadline; when one passes, the watchdog thread shuts the
// socket down (shutdown(2) on the descriptor, never SSL_shutdown, so it is safe beside a read in
// progress) and the blocked read returns. Unregistering takes the same lock, so a descriptor is
// never shut down after its owner has released it (and it might have been reused).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace valory::host {

class DeadlineWatchdog {
  public:
    using Clock = std::chrono::steady_clock;

    class Guard {
      public:
        Guard() = default;
        Guard(Guard&& o) noexcept : owner_(o.owner_), id_(o.id_) { o.owner_ = nullptr; }
        Guard& operator=(Guard&& o) noexcept;
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        ~Guard() { release(); }
        /// Stops watching; returns true if the deadline had already fired (the socket is shut down).
        bool release();

      private:
        friend class DeadlineWatchdog;
        Guard(DeadlineWatchdog* owner, uint64_t id) : owner_(owner), id_(id) {}
        DeadlineWatchdog* owner_ = nullptr;
        uint64_t id_ = 0;
    };

    DeadlineWatchdog();
    ~DeadlineWatchdog();
    DeadlineWatchdog(const DeadlineWatchdog&) = delete;
    DeadlineWatchdog& operator=(const DeadlineWatchdog&) = delete;

    /// Watches a connected socket descriptor until the guard is released.
    Guard watch(int fd, Clock::time_point deadline);

    /// How many sockets were shut down at their deadline (for tests and metrics).
    uint64_t firedCount() const { return fired_.load(); }

  private:
    struct Entry {
        int fd = -1;
        Clock::time_point deadline;
        bool fired = false;
    };
    bool unwatch(uint64_t id);
    void run();

    std::mutex mutex_;
    std::condition_variable cv_;
    std::map<uint64_t, Entry> entries_;
    uint64_t next_ = 1;
    bool stop_ = false;
    std::atomic<uint64_t> fired_{0};
    std::thread thread_;
};

}  // namespace valory::host
