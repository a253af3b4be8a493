// Keep-alive connection pool shared by every caller of http.client/1.
//
// Limits count open connections (in use + idle): at most `total` overall and `perHost` per
// endpoint (scheme, host, port). An acquire first takes the most recently used idle connection of
// its endpoint (dropping it if it expired or the peer closed it), else opens a new one if both
// limits allow, else closes the oldest idle connection of another endpoint when only the total
// limit is in the way, else waits — never past the caller's deadline. Sessions are created outside
// the lock (connecting happens lazily in the first send, also outside the lock).
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "url.hpp"

namespace valory::host {

class ConnectionPool {
  public:
    using Clock = std::chrono::steady_clock;
    using Session = Poco::Net::HTTPClientSession;
    using Factory = std::function<std::unique_ptr<Session>(const Endpoint&)>;

    struct Limits {
        std::size_t total = 30;
        std::size_t perHost = 10;
        std::chrono::milliseconds idleTimeout{5000};
    };

    struct Lease {
        std::unique_ptr<Session> session;
        bool reused = false;                  // a kept-alive connection, already connected
        std::chrono::milliseconds waited{0};  // time blocked on the limits
    };

    struct Stats {
        uint64_t opened = 0;        // sessions created
        uint64_t reused = 0;        // leases served from the idle list
        uint64_t closedIdle = 0;    // idle ones dropped (expired, closed by peer, evicted)
        uint64_t waits = 0;         // acquires that had to wait
        uint64_t waitTimeouts = 0;  // acquires that gave up at the deadline
        std::size_t open = 0;       // current: in use + idle
        std::size_t idle = 0;       // current
    };

    ConnectionPool(Limits limits, Factory factory);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    /// Returns a session for `ep`, or nullopt when none became free before `deadline` (or on shutdown).
    std::optional<Lease> acquire(const Endpoint& ep, Clock::time_point deadline);

    /// Gives a leased session back. `reusable` = the exchange completed and both sides keep the
    /// connection alive; otherwise the session is closed and its slot freed.
    void release(const Endpoint& ep, std::unique_ptr<Session> session, bool reusable);

    /// Wakes every waiter and refuses further acquires; idle connections are closed.
    void shutdown();

    Stats stats() const;
    const Limits& limits() const { return limits_; }

  private:
    struct Idle {
        std::unique_ptr<Session> session;
        Clock::time_point since;
    };
    struct HostState {
        std::size_t inUse = 0;
        std::deque<Idle> idle;  // back = most recently released
    };

    // Takes expired idle sessions of `hs` out (caller closes them outside the lock).
    void collectExpired(HostState& hs, Clock::time_point now, std::deque<Idle>& out);
    bool evictOneIdleElsewhere(const std::string& key, std::deque<Idle>& out);

    Limits limits_;
    Factory factory_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::map<std::string, HostState> hosts_;
    std::size_t open_ = 0;
    bool shutdown_ = false;
    Stats stats_;
};

}  // namespace valory::host
