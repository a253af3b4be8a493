// Client side of Helix's token bucket: follows Ratelimit-Limit/Remaining/Reset from every answer,
// and before a request either takes a point, waits for the reset (when it fits in the caller's
// deadline) or fails at once with VALORY_ERR_RATE_LIMITED and the wait.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace valory::plugins::twitch {

class HelixRateLimiter {
  public:
    using Clock = std::function<int64_t()>;  // epoch milliseconds
    explicit HelixRateLimiter(Clock clock = {});

    /// Takes one point. Blocks until the bucket's reset when it is empty and the reset comes before
    /// `deadline` (epoch ms); otherwise throws sdk::Error(VALORY_ERR_RATE_LIMITED, detail = wait ms).
    void acquire(int64_t deadlineMs);

    /// Feeds the headers of an answer (any status). Missing values leave the state unchanged.
    void update(std::optional<int64_t> limit, std::optional<int64_t> remaining,
                std::optional<int64_t> resetEpochS);

    struct State {
        std::optional<int64_t> limit, remaining, resetEpochS;
        uint64_t waits = 0, refusals = 0;
    };
    State state() const;

  private:
    Clock clock_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    State s_;
};

}  // namespace valory::plugins::twitch
