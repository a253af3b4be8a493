// A small PostgreSQL connection pool (not Poco::ObjectPool, see PITFALLS): base size + overflow,
// recycle by age, bounded acquire wait, broken connections discarded, connecting outside the lock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include <pqxx/connection>

namespace valory::plugins::persistence {

struct PoolOptions {
    std::string conninfo;  // complete conninfo (see buildConninfo)
    std::string name = "primary";
    size_t baseSize = 20;  // connections kept open when idle
    size_t overflow = 30;  // extra connections opened under load, closed when returned
    std::chrono::seconds recycleAfter{3600};
    std::chrono::milliseconds acquireTimeout{30000};
    // An idle connection is checked (poll() on its socket: did the server close it?) before
    // reuse only when it sat idle at least this long. Under load connections come back within
    // microseconds and the extra system call per statement would cost ~10% of throughput; a
    // server restart inside this window surfaces as one failed call (unavailable for reads,
    // unknown_outcome for autocommit writes), after which the pool purges the dead connections.
    std::chrono::milliseconds idleCheckAfter{50};
};

struct PoolStats {
    size_t inUse = 0;
    size_t idle = 0;
    size_t opening = 0;  // connects in progress (slots reserved)
    size_t max = 0;
    uint64_t waits = 0;            // acquires that had to wait for a free slot
    uint64_t timeouts = 0;         // acquires that gave up after acquireTimeout
    uint64_t connects = 0;         // successful connects
    uint64_t connectFailures = 0;  // failed connects
    uint64_t discarded = 0;        // connections dropped as broken or stale
    uint64_t recycled = 0;         // connections closed for age
};

/// One pooled connection and what we know about it.
struct PooledConnection {
    std::unique_ptr<pqxx::connection> conn;
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point returned;  // last time it went back to the idle list
    std::unordered_set<std::string> prepared;        // statement names prepared on this connection
    bool broken = false;
};

/// Adds the session settings to a user DSN (key=value form or a postgres:// URI):
/// options='-c jit=off -c TimeZone=UTC -c statement_timeout=<ms>' connect_timeout application_name.
std::string buildConninfo(const std::string& dsn, const std::string& password, int64_t statementTimeoutMs,
                          int connectTimeoutSec);

class ConnectionPool {
  public:
    explicit ConnectionPool(PoolOptions options);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    /// RAII borrow of a connection. Mark it broken when the connection failed; it is then closed
    /// and its slot freed instead of returning to the pool.
    class Lease {
      public:
        Lease() = default;
        Lease(ConnectionPool* pool, std::unique_ptr<PooledConnection> c) noexcept
            : pool_(pool), c_(std::move(c)) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&& o) noexcept;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() { release(); }

        pqxx::connection& conn() const noexcept { return *c_->conn; }
        PooledConnection& pooled() const noexcept { return *c_; }
        void markBroken() noexcept {
            if (c_) c_->broken = true;
        }
        explicit operator bool() const noexcept { return c_ != nullptr; }
        void release() noexcept;

      private:
        ConnectionPool* pool_ = nullptr;
        std::unique_ptr<PooledConnection> c_;
    };

    /// Borrows a connection: an idle one (checked: not stale, socket quiet), else a new one if
    /// below base+overflow, else waits up to `timeout` (default: options' acquireTimeout).
    /// Throws sdk::Error: VALORY_ERR_UNAVAILABLE when connecting fails or the wait times out.
    Lease acquire();
    Lease acquire(std::chrono::milliseconds timeout);

    PoolStats stats() const;
    const PoolOptions& options() const noexcept { return options_; }

    /// Closes every idle connection (after a connection was found broken: the server probably
    /// restarted, so the others are dead too).
    void purgeIdle();

  private:
    void giveBack(std::unique_ptr<PooledConnection> c) noexcept;
    bool usable(PooledConnection& c, bool alwaysCheckSocket = false) const noexcept;
    std::unique_ptr<PooledConnection> connect();

    PoolOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<PooledConnection>> idle_;  // LIFO: hot connections first
    size_t total_ = 0;                                     // open + opening (slots taken)
    size_t opening_ = 0;
    PoolStats counters_;
};

}  // namespace valory::plugins::persistence
