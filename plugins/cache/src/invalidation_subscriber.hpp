// The pub/sub subscriber: a dedicated connection (never from the pool) on its own thread.
//
// Every successful (re)subscription calls onSubscribed() before any message is delivered: the cache
// clears its L1 there, because invalidations published while we were not subscribed were lost.
// stop() is prompt: it sets the flag, shuts the socket down (which ends a blocking read) and joins.
// We do not use Poco's AsyncReader, whose stop() only sets a flag while its thread stays blocked.
// Liveness: ping() (called by the cache's maintenance thread) writes a PING whose reply the reader
// consumes; a connection silent for longer than the receive timeout is dropped and re-established.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "redis_connection.hpp"

namespace valory::plugins::cache {

class InvalidationSubscriber {
  public:
    struct Options {
        RedisConnectionOptions connection;  // receiveTimeout = silence bound (pinged more often)
        std::string channel;
        Millis reconnectMin{100};
        Millis reconnectMax{5000};
    };
    struct Callbacks {
        std::function<void()> onSubscribed;
        std::function<void(const std::string& payload)> onMessage;
        std::function<void(const std::string& why)> onDisconnected;
    };

    InvalidationSubscriber(Options options, Callbacks callbacks);
    ~InvalidationSubscriber();

    void start();
    void stop();
    bool subscribed() const noexcept { return subscribed_.load(); }
    uint64_t subscriptions() const noexcept { return subscriptions_.load(); }
    /// Sends PING on the subscriber connection; on failure shuts it down so the reader reconnects.
    void ping();

  private:
    void run();
    void readLoop(RedisConnection& conn);

    Options options_;
    Callbacks callbacks_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> subscribed_{false};
    std::atomic<uint64_t> subscriptions_{0};
    std::mutex mutex_;  // guards conn_ (the pointer, and writes through it) and the backoff wait
    std::condition_variable cv_;
    RedisConnection* conn_ = nullptr;
};

}  // namespace valory::plugins::cache
