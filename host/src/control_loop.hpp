// The control thread of a serving host: plugin lifecycle calls (start-up, reload, admin toggles,
// shutdown) all run here, one at a time (ARCHITECTURE §2.4). Other threads post work: the signal
// thread (SIGHUP -> reload, SIGTERM/SIGINT/SIGQUIT -> stop), the config file watcher, and admin API
// handlers (which wait for their result).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace valory::host {

class ControlLoop {
  public:
    using Task = std::function<void()>;

    /// Queues a task; false once stop was requested (the task is dropped).
    bool post(Task task);
    /// Runs `fn` on the control thread and waits for its result; nullopt when the loop stops
    /// before running it. Must not be called from the control thread itself.
    template <class R>
    std::optional<R> call(std::function<R()> fn) {
        auto promise = std::make_shared<std::promise<R>>();
        auto future = promise->get_future();
        // Only the task owns the promise: a task dropped at shutdown breaks it, releasing get().
        if (!post([promise = std::move(promise), fn = std::move(fn)] { promise->set_value(fn()); }))
            return std::nullopt;
        try {
            return future.get();
        } catch (const std::future_error&) {
            return std::nullopt;  // dropped at shutdown (broken promise)
        }
    }
    /// Runs queued tasks on the calling thread until requestStop(); pending tasks are then dropped.
    void run();
    void requestStop(std::string why);
    std::string stopReason() const;
    bool stopping() const;
    /// Waits up to `ms` or until stop is requested; true when stopping (for polling threads).
    bool waitStop(int ms) const;

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    std::deque<Task> tasks_;
    bool stop_ = false;
    std::string why_;
};

}  // namespace valory::host
