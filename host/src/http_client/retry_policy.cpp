#include "retry_policy.hpp"

#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "strings.hpp"
#include "valory/http_client.h"

namespace valory::host {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::optional<double> parseNumber(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    std::string copy(s);
    char* end = nullptr;
    double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
}

using Ms = std::chrono::milliseconds;

Ms clampMs(double ms) {
    if (ms <= 0) return Ms(0);
    if (ms > 24.0 * 3600 * 1000) ms = 24.0 * 3600 * 1000;  // nonsense beyond a day: cap
    return Ms(static_cast<int64_t>(std::ceil(ms)));
}

// Epoch seconds when large, delta seconds otherwise (HenrikDev's semantics are unconfirmed).
Ms resetWait(double value, std::chrono::system_clock::time_point now) {
    if (value > 1e9) {
        double nowMs = static_cast<double>(std::chrono::duration_cast<Ms>(now.time_since_epoch()).count());
        return clampMs(value * 1000.0 - nowMs);
    }
    return clampMs(value * 1000.0);
}

bool remainingIsZeroOrAbsent(const HeaderList& headers, std::string_view name) {
    const std::string* v = findHeader(headers, name);
    if (!v) return true;
    auto n = parseNumber(*v);
    return !n || *n <= 0;
}

}  // namespace

const std::string* findHeader(const HeaderList& headers, std::string_view name) {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return &v;
    return nullptr;
}

RetryPolicy::RetryPolicy(RetryConfig config, std::function<double()> random01)
    : config_(config), random01_(std::move(random01)) {
    if (!random01_) {
        random01_ = [] {
            thread_local std::mt19937_64 gen{std::random_device{}()};
            return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
        };
    }
}

bool RetryPolicy::mayRetry(std::string_view method, uint32_t flags) {
    if (flags & VALORY_HTTP_CLIENT_NO_RETRY) return false;
    if (flags & VALORY_HTTP_CLIENT_IDEMPOTENT) return true;
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
           method == "DELETE" || method == "TRACE";
}

bool RetryPolicy::isRetryableStatus(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<Ms> RetryPolicy::serverWait(const HeaderList& headers,
                                          std::chrono::system_clock::time_point now) {
    std::optional<Ms> wait;
    auto take = [&](Ms w) { wait = wait ? std::max(*wait, w) : w; };

    if (const std::string* ra = findHeader(headers, "Retry-After")) {
        if (auto secs = parseNumber(*ra)) {
            take(clampMs(*secs * 1000.0));
        } else {
            try {
                int tz = 0;
                Poco::DateTime dt = Poco::DateTimeParser::parse(std::string(trim(*ra)), tz);
                double at = static_cast<double>(dt.timestamp().epochMicroseconds()) / 1000.0 - tz * 1000.0;
                double nowMs =
                    static_cast<double>(std::chrono::duration_cast<Ms>(now.time_since_epoch()).count());
                take(clampMs(at - nowMs));
            } catch (const Poco::Exception&) {
                // Unparseable Retry-After: ignored, normal backoff applies.
            }
        }
    }
    if (const std::string* r = findHeader(headers, "Ratelimit-Reset");
        r && remainingIsZeroOrAbsent(headers, "Ratelimit-Remaining")) {
        if (auto v = parseNumber(*r)) take(resetWait(*v, now));
    }
    if (const std::string* r = findHeader(headers, "x-ratelimit-reset");
        r && remainingIsZeroOrAbsent(headers, "x-ratelimit-remaining")) {
        if (auto v = parseNumber(*r)) take(resetWait(*v, now));
    }
    return wait;
}

Ms RetryPolicy::backoff(uint32_t attemptsDone) const {
    uint32_t shift = attemptsDone == 0 ? 0 : std::min<uint32_t>(attemptsDone - 1, 30);
    double step = static_cast<double>(config_.base.count()) * std::pow(2.0, shift);
    step = std::min(step, static_cast<double>(config_.cap.count()));
    double r = std::clamp(random01_(), 0.0, 1.0);
    return Ms(static_cast<int64_t>(step / 2.0 + r * step / 2.0));
}

RetryPolicy::Decision RetryPolicy::decide(bool retryAllowed, uint32_t attemptsDone, uint32_t maxAttempts,
                                          std::optional<Ms> serverWait, Ms remaining) const {
    Decision d;
    Ms step = backoff(attemptsDone);
    d.wait = serverWait ? std::max(*serverWait, step) : step;
    if (!retryAllowed || attemptsDone >= maxAttempts) {
        // Report the server's own figure when it gave one: that is when it accepts requests again.
        if (serverWait) d.wait = *serverWait;
        return d;
    }
    if (d.wait >= remaining) {
        if (serverWait) d.wait = *serverWait;
        d.beyondDeadline = true;
        return d;
    }
    d.retry = true;
    return d;
}

}  // namespace valory::host
