#include "invalidation_subscriber.hpp"

#include <algorithm>

#include <Poco/Redis/Type.h>

namespace valory::plugins::cache {

using Poco::Redis::Array;
using Poco::Redis::BulkString;

InvalidationSubscriber::InvalidationSubscriber(Options options, Callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {}

InvalidationSubscriber::~InvalidationSubscriber() {
    stop();
}

void InvalidationSubscriber::start() {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void InvalidationSubscriber::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (conn_) conn_->shutdown();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void InvalidationSubscriber::ping() {
    std::lock_guard lock(mutex_);
    if (!conn_ || !subscribed_) return;
    Array p;
    p.add("PING");
    try {
        conn_->sendNoReply(p);
    } catch (const RedisError&) {
        conn_->shutdown();  // the reader sees the failure and reconnects
    }
}

void InvalidationSubscriber::run() {
    Millis backoff = options_.reconnectMin;
    while (!stopping_) {
        std::string why;
        try {
            RedisConnection conn(options_.connection);
            {
                std::lock_guard lock(mutex_);
                if (stopping_) break;
                conn_ = &conn;
            }
            try {
                Array sub;
                sub.add("SUBSCRIBE").add(options_.channel);
                {
                    std::lock_guard lock(mutex_);
                    conn.sendNoReply(sub);  // the confirmation is read by readLoop
                }
                backoff = options_.reconnectMin;
                readLoop(conn);
            } catch (const std::exception& e) {
                why = e.what();
            }
            std::lock_guard lock(mutex_);
            conn_ = nullptr;
        } catch (const std::exception& e) {
            why = e.what();
        }
        if (subscribed_.exchange(false) && callbacks_.onDisconnected) callbacks_.onDisconnected(why);
        if (stopping_) break;
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, backoff, [this] { return stopping_.load(); });
        backoff = std::min(options_.reconnectMax, backoff * 2);
    }
}

void InvalidationSubscriber::readLoop(RedisConnection& conn) {
    while (!stopping_) {
        Poco::Redis::RedisType::Ptr reply;
        try {
            reply = conn.client().readReply();
        } catch (const std::exception& e) {
            throw RedisError(std::string("subscriber read: ") + e.what());
        }
        if (!reply || reply->type() != Poco::Redis::RedisTypeTraits<Array>::TypeId)
            throw RedisError("subscriber: unexpected reply type");
        const Array& a = static_cast<Poco::Redis::Type<Array>*>(reply.get())->value();
        if (arraySize(a) < 1) continue;
        const std::string kind = a.get<BulkString>(0).value();
        if (kind == "message" && arraySize(a) == 3) {
            if (callbacks_.onMessage) callbacks_.onMessage(a.get<BulkString>(2).value());
        } else if (kind == "subscribe") {
            if (callbacks_.onSubscribed) callbacks_.onSubscribed();
            subscriptions_.fetch_add(1);
            subscribed_ = true;
        }
        // "pong" (liveness) needs nothing.
    }
}

}  // namespace valory::plugins::cache
