// When to retry an outbound request and how long to wait first. Pure logic: no clock reads except
// through the arguments, randomness through an injectable source, so it is unit tested directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace valory::host {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RetryConfig {
    uint32_t maxAttempts = 3;              // including the first
    std::chrono::milliseconds base{500};   // first backoff step
    std::chrono::milliseconds cap{30000};  // largest backoff step
};

class RetryPolicy {
  public:
    /// `random01` returns a uniform double in [0, 1); defaults to a thread-local generator.
    explicit RetryPolicy(RetryConfig config, std::function<double()> random01 = {});

    /// GET, HEAD, OPTIONS, PUT, DELETE, TRACE; anything with the IDEMPOTENT flag; never with NO_RETRY.
    static bool mayRetry(std::string_view method, uint32_t flags);

    /// 429, 500, 502, 503, 504.
    static bool isRetryableStatus(int status);

    /// The minimum wait an answer demands: Retry-After (seconds or HTTP date); Ratelimit-Reset and
    /// x-ratelimit-reset (epoch seconds when > 10^9, else seconds from now) when the matching
    /// *-Remaining header is absent or 0. The largest of them; nullopt when none applies.
    static std::optional<std::chrono::milliseconds> serverWait(const HeaderList& headers,
                                                               std::chrono::system_clock::time_point now);

    /// Capped exponential backoff with jitter after `attemptsDone` attempts (>= 1):
    /// step = min(cap, base * 2^(attemptsDone-1)); wait in [step/2, step).
    std::chrono::milliseconds backoff(uint32_t attemptsDone) const;

    struct Decision {
        bool retry = false;
        std::chrono::milliseconds wait{0};  // retry: sleep this long first; stop: what the caller should wait
        bool beyondDeadline = false;        // stopped because `wait` does not fit in the remaining time
    };

    /// After a retryable failure (429, 5xx, timeout, connection error): retry or stop.
    /// wait = max(serverWait, backoff); stop if retrying is not allowed, attempts are used up, or
    /// the wait does not fit in `remaining` (leaving no time for the attempt itself).
    Decision decide(bool retryAllowed, uint32_t attemptsDone, uint32_t maxAttempts,
                    std::optional<std::chrono::milliseconds> serverWait,
                    std::chrono::milliseconds remaining) const;

    const RetryConfig& config() const { return config_; }

  private:
    RetryConfig config_;
    std::function<double()> random01_;
};

/// Case-insensitive lookup of the first value of a header.
const std::string* findHeader(const HeaderList& headers, std::string_view name);

}  // namespace valory::host
