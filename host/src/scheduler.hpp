// The scheduler: one timer thread fires jobs, bodies run on a small worker pool. Two runs of one
// job never overlap (a late tick is skipped and counted); each tick gets a random jitter.
#pragma once

#include <valory/scheduler.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace valory::host {
class Scheduler;
}

/// A registered job (the opaque valory_job of the C ABI).
struct valory_job {
    std::string owner;
    std::string name;
    std::chrono::milliseconds interval{0};
    std::chrono::milliseconds jitter{0};
    std::uint32_t flags = 0;
    valory_job_fn fn = nullptr;
    void* user = nullptr;
    // Guarded by the scheduler's mutex:
    bool running = false;
    bool queued = false;
    bool cancelled = false;
    std::uint64_t runs = 0;
    std::uint64_t skipped = 0;
    std::uint64_t failures = 0;
    std::chrono::steady_clock::time_point base;  ///< un-jittered time of the next tick
    std::chrono::steady_clock::time_point next;  ///< jittered time of the next tick
};

namespace valory::host {

class Scheduler {
  public:
    using FinishedHook =
        std::function<void(const valory_job&, valory_status, std::chrono::microseconds, const std::string&)>;

    explicit Scheduler(unsigned workers = 2);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Starts the timer and worker threads (jobs added before only run once started).
    void start();
    /// Stops the threads after the running bodies finish (jobs should be cancelled first).
    void shutdown();

    void setFinishedHook(FinishedHook hook) { hook_ = std::move(hook); }

    valory_job* add(const std::string& owner, const valory_job_def& def, std::string& message);
    /// Cancels and waits up to `deadline` for a running body; false when it is still running.
    bool cancel(valory_job* job, std::chrono::milliseconds deadline);
    /// Runs the job as soon as a worker is free (no-op while it is running or queued).
    valory_status trigger(valory_job* job);
    /// Cancels every job of `owner`; returns the names still running after the deadline.
    std::vector<std::string> cancelAllOwnedBy(const std::string& owner, std::chrono::milliseconds deadline);

    std::uint64_t skippedCount(const valory_job* job) const;
    std::uint64_t runCount(const valory_job* job) const;

  private:
    void timerLoop();
    void workerLoop();
    void scheduleNext(valory_job& job, std::chrono::steady_clock::time_point from);
    void enqueueLocked(valory_job* job);

    unsigned workerCount_;
    mutable std::mutex mutex_;
    std::condition_variable timerCv_;
    std::condition_variable workCv_;
    std::condition_variable doneCv_;
    bool started_ = false;
    bool stopping_ = false;
    std::vector<std::unique_ptr<valory_job>> jobs_;
    std::vector<std::unique_ptr<valory_job>> retired_;  // cancelled while running: freed at shutdown
    std::deque<valory_job*> queue_;
    std::thread timer_;
    std::vector<std::thread> workers_;
    std::mt19937_64 rng_{std::random_device{}()};
    FinishedHook hook_;
};

}  // namespace valory::host
