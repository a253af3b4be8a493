// Our own Redis connection factory and pool over Poco::Redis::Client.
//
// Why not Poco's PoolableConnectionFactory/ObjectPool (see PITFALLS): they connect without a
// timeout, validate nothing (dead connections go back into the pool), and a connection that timed
// out still holds the late reply, so its next borrower reads someone else's answer. Here:
//  - connect with a timeout; receive timeout (default 5 s); send timeout (see below);
//  - any exception during a command marks the connection broken: it is disconnected at once and
//    dropped when returned, never handed out again (this is what keeps replies in sync);
//  - commands that reply are always read (`execute<void>` is never used);
//  - idle connections are health-checked with PING (every 30 s by default) and dropped on failure;
//  - connecting happens outside the pool lock; a failed connect frees its slot.
//
// Send timeout: Poco::Redis::Client 1.11 has no send timeout and keeps its socket private. We
// reach the socket through the standard explicit-instantiation access rule (redis_connection.cpp),
// which the compiler checks against Poco's declaration — if a Poco upgrade renames or retypes the
// member, the build fails instead of the timeout silently disappearing — and set SO_SNDTIMEO,
// TCP_NODELAY and SO_KEEPALIVE on it. The same access lets the pub/sub subscriber be stopped by
// shutting its socket down (Poco's AsyncReader::stop() only sets a flag).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Net/StreamSocket.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>

namespace valory::plugins::cache {

using Millis = std::chrono::milliseconds;

/// redis://[[user]:password@]host[:port][/db]
struct RedisEndpoint {
    std::string host = "127.0.0.1";
    uint16_t port = 6379;
    int db = 0;
    std::string user;
    std::string password;

    static RedisEndpoint parse(const std::string& url);  // throws std::invalid_argument
    std::string display() const;                         // host:port/db, no credentials
};

struct RedisConnectionOptions {
    RedisEndpoint endpoint;
    Millis connectTimeout{5000};
    Millis receiveTimeout{5000};
    Millis sendTimeout{5000};
};

/// Raised for any failure talking to Redis (connect, I/O, timeout, unexpected reply).
class RedisError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Element count of a Poco Redis array; Poco's Array::size() throws NullValueException for an
/// empty (or null) array, e.g. an empty SCAN page.
inline std::size_t arraySize(const Poco::Redis::Array& a) {
    return a.isNull() ? 0 : a.size();
}

/// Gives access to the private socket of a Poco Redis client (see the file comment).
Poco::Net::StreamSocket& redisClientSocket(Poco::Redis::Client& client);

/// One connection. Not thread-safe: used by one borrower at a time.
class RedisConnection {
  public:
    explicit RedisConnection(const RedisConnectionOptions& options);  // connects; throws RedisError
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    /// Sends `command` and reads its reply as T (Int64, std::string, BulkString, Array). On any
    /// exception the connection is marked broken and disconnected, and RedisError is thrown.
    template <class T>
    T execute(const Poco::Redis::Array& command) {
        if (broken_) throw RedisError("redis connection is broken");
        try {
            T r = client_.execute<T>(command);
            lastUsed_ = std::chrono::steady_clock::now();
            return r;
        } catch (const std::exception& e) {
            markBroken();
            throw RedisError(std::string("redis ") + commandName(command) + ": " + e.what());
        }
    }

    /// Sends every command, then reads every reply (one round trip). An error reply or any
    /// exception marks the connection broken and throws RedisError.
    Poco::Redis::Array pipeline(const std::vector<Poco::Redis::Array>& commands);
    /// Writes `command` without reading its reply. Only for the subscriber connection, whose reader
    /// thread consumes every reply (PING in subscribed mode); never on a pooled connection. On
    /// failure it throws without disconnecting (see the .cpp); the caller shuts the socket down.
    void sendNoReply(const Poco::Redis::Array& command);

    bool broken() const noexcept { return broken_; }
    void markBroken() noexcept;
    std::chrono::steady_clock::time_point lastUsed() const noexcept { return lastUsed_; }
    /// Shuts the socket down (wakes a thread blocked reading it). Safe from another thread.
    void shutdown() noexcept;
    Poco::Redis::Client& client() noexcept { return client_; }

  private:
    static std::string commandName(const Poco::Redis::Array& command);

    Poco::Redis::Client client_;
    bool broken_ = false;
    std::chrono::steady_clock::time_point lastUsed_;
};

class RedisPool {
  public:
    struct Options {
        RedisConnectionOptions connection;
        std::size_t size = 20;
        Millis acquireTimeout{5000};
        Millis healthCheckInterval{30000};
    };

    class Lease {
      public:
        Lease() = default;
        Lease(RedisPool* pool, std::unique_ptr<RedisConnection> c) : pool_(pool), conn_(std::move(c)) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&& o) noexcept {
            if (this != &o) {
                release();
                pool_ = o.pool_;
                conn_ = std::move(o.conn_);
            }
            return *this;
        }
        ~Lease() { release(); }
        RedisConnection* operator->() const noexcept { return conn_.get(); }
        RedisConnection& operator*() const noexcept { return *conn_; }

      private:
        void release() noexcept {
            if (pool_ && conn_) pool_->giveBack(std::move(conn_));
            pool_ = nullptr;
        }
        RedisPool* pool_ = nullptr;
        std::unique_ptr<RedisConnection> conn_;
    };

    struct Counters {
        uint64_t connects = 0, connectFailures = 0, discarded = 0, healthChecks = 0, healthFailures = 0,
                 acquireTimeouts = 0;
        std::size_t idle = 0, total = 0;
    };

    explicit RedisPool(const Options& options);
    ~RedisPool();

    /// A healthy connection (an idle one, or a new one when below `size`); waits up to
    /// acquireTimeout for a free slot. Throws RedisError.
    Lease acquire();
    /// PINGs idle connections unused for healthCheckInterval; drops the ones that fail.
    void checkIdle();
    /// Drops every idle connection (after an outage, so that none of them is stale).
    void dropIdle();
    Counters counters() const;
    const Options& options() const noexcept { return options_; }

  private:
    void giveBack(std::unique_ptr<RedisConnection> c) noexcept;

    Options options_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<RedisConnection>> idle_;
    std::size_t total_ = 0;  // idle + leased + connecting
    Counters counters_;
};

}  // namespace valory::plugins::cache
