#include "scheduler.hpp"

#include "errors.hpp"

#include <Poco/Logger.h>

#include <algorithm>

namespace valory::host {

using Clock = std::chrono::steady_clock;

Scheduler::Scheduler(unsigned workers) : workerCount_(std::max(1u, workers)) {}

Scheduler::~Scheduler() {
    shutdown();
}

void Scheduler::start() {
    std::lock_guard lock(mutex_);
    if (started_) return;
    started_ = true;
    const auto now = Clock::now();
    for (auto& j : jobs_) {
        if (j->flags & VALORY_JOB_RUN_AT_START) {
            j->base = now;
            j->next = now;
        } else {
            scheduleNext(*j, now);
        }
    }
    timer_ = std::thread([this] { timerLoop(); });
    for (unsigned i = 0; i < workerCount_; ++i) workers_.emplace_back([this] { workerLoop(); });
}

void Scheduler::shutdown() {
    {
        std::lock_guard lock(mutex_);
        if (!started_ || stopping_) {
            stopping_ = true;
            if (!started_) return;
        }
        stopping_ = true;
    }
    timerCv_.notify_all();
    workCv_.notify_all();
    if (timer_.joinable()) timer_.join();
    for (auto& w : workers_)
        if (w.joinable()) w.join();
    workers_.clear();
}

void Scheduler::scheduleNext(valory_job& job, Clock::time_point from) {
    job.base = from + job.interval;
    std::chrono::milliseconds j{0};
    if (job.jitter.count() > 0) {
        std::uniform_int_distribution<long long> dist(0, job.jitter.count());
        j = std::chrono::milliseconds(dist(rng_));
    }
    job.next = job.base + j;
}

valory_job* Scheduler::add(const std::string& owner, const valory_job_def& def, std::string& message) {
    if (!def.fn || !def.name || !*def.name || def.interval_ms == 0) {
        message = "add_job: name, fn and a non-zero interval_ms are required";
        return nullptr;
    }
    std::lock_guard lock(mutex_);
    for (const auto& j : jobs_)
        if (j->owner == owner && j->name == def.name) {
            message = std::string("add_job: job '") + def.name + "' already exists";
            return nullptr;
        }
    auto job = std::make_unique<valory_job>();
    job->owner = owner;
    job->name = def.name;
    job->interval = std::chrono::milliseconds(def.interval_ms);
    job->jitter = std::chrono::milliseconds(def.jitter_ms);
    job->flags = def.flags;
    job->fn = def.fn;
    job->user = def.user;
    const auto now = Clock::now();
    if (def.flags & VALORY_JOB_RUN_AT_START) {
        job->base = now;
        job->next = now;
    } else {
        scheduleNext(*job, now);
    }
    jobs_.push_back(std::move(job));
    timerCv_.notify_all();
    return jobs_.back().get();
}

void Scheduler::enqueueLocked(valory_job* job) {
    job->queued = true;
    queue_.push_back(job);
    workCv_.notify_one();
}

void Scheduler::timerLoop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto now = Clock::now();
        auto wake = now + std::chrono::hours(1);
        for (auto& j : jobs_) {
            if (j->cancelled) continue;
            if (j->next <= now) {
                if (j->running || j->queued) {
                    ++j->skipped;  // the previous run is still going: skip this tick
                } else {
                    enqueueLocked(j.get());
                }
                // Next tick from the un-jittered base; if far behind, continue from now.
                scheduleNext(*j, j->base + j->interval < now ? now : j->base);
            }
            wake = std::min(wake, j->next);
        }
        timerCv_.wait_until(lock, wake);
    }
}

void Scheduler::workerLoop() {
    std::unique_lock lock(mutex_);
    while (true) {
        workCv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        valory_job* job = queue_.front();
        queue_.pop_front();
        job->queued = false;
        if (job->cancelled) {
            doneCv_.notify_all();
            continue;
        }
        job->running = true;
        lock.unlock();
        valory_error err;
        valory_error_init(&err);
        valory_status status = VALORY_ERR_INTERNAL;
        std::string message;
        const auto t0 = Clock::now();
        try {
            status = job->fn(job->user, &err);
            if (status != VALORY_OK) message = errorMessage(err);
        } catch (const std::exception& e) {
            message = std::string("job threw: ") + e.what();
        } catch (...) {
            message = "job threw a non-standard exception";
        }
        const auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
        if (hook_) {
            try {
                hook_(*job, status, took, message);
            } catch (const std::exception& e) {
                Poco::Logger::get("host").error(std::string("job finished hook threw: ") + e.what());
            }
        }
        lock.lock();
        job->running = false;
        ++job->runs;
        if (status != VALORY_OK) ++job->failures;
        doneCv_.notify_all();
    }
}

bool Scheduler::cancel(valory_job* job, std::chrono::milliseconds deadline) {
    if (!job) return true;
    std::unique_lock lock(mutex_);
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto& p) { return p.get() == job; });
    if (it == jobs_.end()) return true;
    job->cancelled = true;
    auto pred = [&] { return !job->running && !job->queued; };
    // Without worker threads nothing can run it any more.
    const bool finished = !started_ || stopping_ ? !job->running : doneCv_.wait_for(lock, deadline, pred);
    // The wait unlocked: other adds and cancels may have moved or removed it. Find it again.
    it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto& p) { return p.get() == job; });
    if (it == jobs_.end()) return finished;                            // a concurrent cancel took it
    if (!finished || job->queued) retired_.push_back(std::move(*it));  // still running: freed at shutdown
    jobs_.erase(it);
    return finished;
}

valory_status Scheduler::trigger(valory_job* job) {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto& p) { return p.get() == job; });
    if (it == jobs_.end() || job->cancelled) return VALORY_ERR_NOT_FOUND;
    if (!started_) return VALORY_ERR_STATE;
    if (!job->running && !job->queued) enqueueLocked(job);
    return VALORY_OK;
}

std::vector<std::string> Scheduler::cancelAllOwnedBy(const std::string& owner,
                                                     std::chrono::milliseconds deadline) {
    std::vector<valory_job*> mine;
    {
        std::lock_guard lock(mutex_);
        for (auto& j : jobs_)
            if (j->owner == owner) {
                j->cancelled = true;
                mine.push_back(j.get());
            }
    }
    std::vector<std::string> stillRunning;
    const auto until = Clock::now() + deadline;
    for (auto* j : mine) {
        const std::string name = j->name;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (!cancel(j, std::max(left, std::chrono::milliseconds(0)))) stillRunning.push_back(name);
    }
    return stillRunning;
}

std::uint64_t Scheduler::skippedCount(const valory_job* job) const {
    std::lock_guard lock(mutex_);
    return job->skipped;
}

std::uint64_t Scheduler::runCount(const valory_job* job) const {
    std::lock_guard lock(mutex_);
    return job->runs;
}

}  // namespace valory::host
