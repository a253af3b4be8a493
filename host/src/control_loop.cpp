#include "control_loop.hpp"

namespace valory::host {

bool ControlLoop::post(Task task) {
    {
        std::lock_guard lock(mutex_);
        if (stop_) return false;
        tasks_.push_back(std::move(task));
    }
    cv_.notify_all();
    return true;
}

void ControlLoop::run() {
    while (true) {
        Task task;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
            if (stop_) break;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        task();  // outside the lock: a task may post further tasks
    }
    std::deque<Task> dropped;
    {
        std::lock_guard lock(mutex_);
        dropped.swap(tasks_);
    }
    // Destroying the dropped tasks breaks their promises: waiting callers get nullopt.
}

void ControlLoop::requestStop(std::string why) {
    {
        std::lock_guard lock(mutex_);
        if (stop_) return;
        stop_ = true;
        why_ = std::move(why);
    }
    cv_.notify_all();
}

std::string ControlLoop::stopReason() const {
    std::lock_guard lock(mutex_);
    return why_;
}

bool ControlLoop::stopping() const {
    std::lock_guard lock(mutex_);
    return stop_;
}

bool ControlLoop::waitStop(int ms) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_; });
}

}  // namespace valory::host
