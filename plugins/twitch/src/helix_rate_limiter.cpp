#include "helix_rate_limiter.hpp"

#include "valory/cpp/error.hpp"

namespace valory::plugins::twitch {

namespace {
int64_t systemNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

HelixRateLimiter::HelixRateLimiter(Clock clock) : clock_(clock ? std::move(clock) : Clock(systemNowMs)) {}

void HelixRateLimiter::acquire(int64_t deadlineMs) {
    std::unique_lock lock(mutex_);
    for (;;) {
        const int64_t now = clock_();
        if (!s_.remaining || *s_.remaining > 0) {
            if (s_.remaining) --*s_.remaining;  // in flight: the next answer's header corrects it
            return;
        }
        // Empty bucket: it is full again at the reset (epoch seconds).
        const int64_t resetMs = s_.resetEpochS ? *s_.resetEpochS * 1000 : now;
        if (resetMs <= now) {
            s_.remaining.reset();  // past the reset: unknown until the next answer
            continue;
        }
        const int64_t wait = resetMs - now;
        if (resetMs > deadlineMs) {
            ++s_.refusals;
            throw sdk::Error(VALORY_ERR_RATE_LIMITED,
                             "Helix rate limit: bucket empty for " + std::to_string(wait) + " ms more", wait);
        }
        ++s_.waits;
        cv_.wait_for(lock, std::chrono::milliseconds(wait));
    }
}

void HelixRateLimiter::update(std::optional<int64_t> limit, std::optional<int64_t> remaining,
                              std::optional<int64_t> resetEpochS) {
    {
        std::lock_guard lock(mutex_);
        if (limit) s_.limit = limit;
        if (remaining) s_.remaining = remaining;
        if (resetEpochS) s_.resetEpochS = resetEpochS;
    }
    cv_.notify_all();
}

HelixRateLimiter::State HelixRateLimiter::state() const {
    std::lock_guard lock(mutex_);
    return s_;
}

}  // namespace valory::plugins::twitch
