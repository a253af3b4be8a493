#include "redis_connection.hpp"

#include <algorithm>

#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/Redis/Type.h>
#include <Poco/URI.h>

namespace valory::plugins::cache {

// --- access to Poco::Redis::Client::_socket ------------------------------------------------------
// [temp.explicit]: access checking does not apply to the names in an explicit instantiation, so a
// pointer to the private member can be captured. The friend defined here is the only user.
namespace {
template <Poco::Net::StreamSocket Poco::Redis::Client::*Member>
struct ClientSocketAccess {
    friend Poco::Net::StreamSocket& clientSocketOf(Poco::Redis::Client& c) { return c.*Member; }
};
template struct ClientSocketAccess<&Poco::Redis::Client::_socket>;
Poco::Net::StreamSocket& clientSocketOf(Poco::Redis::Client& c);
}  // namespace

Poco::Net::StreamSocket& redisClientSocket(Poco::Redis::Client& client) {
    return clientSocketOf(client);
}

// --- endpoint --------------------------------------------------------------------------------------
RedisEndpoint RedisEndpoint::parse(const std::string& url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const std::exception& e) {
        throw std::invalid_argument("invalid Redis URL: " + std::string(e.what()));
    }
    if (uri.getScheme() != "redis") throw std::invalid_argument("Redis URL must start with redis://");
    RedisEndpoint ep;
    if (uri.getHost().empty()) throw std::invalid_argument("Redis URL has no host");
    ep.host = uri.getHost();
    ep.port = uri.getPort() ? uri.getPort() : 6379;
    const std::string& info = uri.getUserInfo();
    if (!info.empty()) {
        auto colon = info.find(':');
        if (colon == std::string::npos) {
            ep.password = info;
        } else {
            ep.user = info.substr(0, colon);
            ep.password = info.substr(colon + 1);
        }
    }
    std::string path = uri.getPath();
    if (!path.empty() && path != "/") {
        int db = 0;
        if (!Poco::NumberParser::tryParse(path.substr(1), db) || db < 0 || db > 15)
            throw std::invalid_argument("Redis URL database must be /0../15");
        ep.db = db;
    }
    return ep;
}

std::string RedisEndpoint::display() const {
    return host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

// --- connection ----------------------------------------------------------------------------------
RedisConnection::RedisConnection(const RedisConnectionOptions& o) {
    try {
        Poco::Net::SocketAddress addr(o.endpoint.host, o.endpoint.port);
        client_.connect(
            addr,
            Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(o.connectTimeout).count()));
        auto& sock = redisClientSocket(client_);
        sock.setReceiveTimeout(
            Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(o.receiveTimeout).count()));
        sock.setSendTimeout(
            Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(o.sendTimeout).count()));
        sock.setNoDelay(true);
        sock.setKeepAlive(true);
    } catch (const std::exception& e) {
        throw RedisError("cannot connect to Redis at " + o.endpoint.display() + ": " + e.what());
    }
    lastUsed_ = std::chrono::steady_clock::now();
    if (!o.endpoint.password.empty()) {
        Poco::Redis::Array auth;
        auth.add("AUTH");
        if (!o.endpoint.user.empty()) auth.add(o.endpoint.user);
        auth.add(o.endpoint.password);
        try {
            execute<std::string>(auth);
        } catch (const RedisError&) {
            throw RedisError("Redis at " + o.endpoint.display() + " refused the credentials (AUTH failed)");
        }
    }
    if (o.endpoint.db != 0) {
        Poco::Redis::Array select;
        select.add("SELECT").add(std::to_string(o.endpoint.db));
        execute<std::string>(select);
    }
}

RedisConnection::~RedisConnection() {
    try {
        client_.disconnect();
    } catch (const std::exception&) {
        // Closing a socket that already failed: nothing left to release or report.
    }
}

void RedisConnection::markBroken() noexcept {
    broken_ = true;
    try {
        client_.disconnect();
    } catch (const std::exception&) {
        // The connection is being discarded; a failing close changes nothing.
    }
}

void RedisConnection::shutdown() noexcept {
    try {
        redisClientSocket(client_).shutdown();
    } catch (const std::exception&) {
        // Not connected (any more): a reader is then not blocked on it either.
    }
}

Poco::Redis::Array RedisConnection::pipeline(const std::vector<Poco::Redis::Array>& commands) {
    if (broken_) throw RedisError("redis connection is broken");
    Poco::Redis::Array replies;
    try {
        replies = client_.sendCommands(commands);
    } catch (const std::exception& e) {
        markBroken();
        throw RedisError(std::string("redis pipeline: ") + e.what());
    }
    if (arraySize(replies) != commands.size()) {
        markBroken();
        throw RedisError("redis pipeline: reply count mismatch");
    }
    for (std::size_t i = 0; i < arraySize(replies); ++i) {
        if (replies.getType(i) == Poco::Redis::RedisTypeTraits<Poco::Redis::Error>::TypeId) {
            std::string msg = replies.get<Poco::Redis::Error>(i).getMessage();
            markBroken();
            throw RedisError("redis " + commandName(commands[i]) + ": " + msg);
        }
    }
    lastUsed_ = std::chrono::steady_clock::now();
    return replies;
}

void RedisConnection::sendNoReply(const Poco::Redis::Array& command) {
    if (broken_) throw RedisError("redis connection is broken");
    try {
        client_.execute<void>(command);
        client_.flush();
    } catch (const std::exception& e) {
        // Not markBroken(): the reader thread may be inside the input stream; the caller shuts the
        // socket down instead, which ends that reader, and the reader discards the connection.
        throw RedisError(std::string("redis ") + commandName(command) + ": " + e.what());
    }
}

std::string RedisConnection::commandName(const Poco::Redis::Array& command) {
    if (arraySize(command) == 0) return "(empty)";
    try {
        return command.get<Poco::Redis::BulkString>(0).value();
    } catch (const std::exception&) {
        return "(command)";
    }
}

// --- pool ----------------------------------------------------------------------------------------
RedisPool::RedisPool(const Options& options) : options_(options) {
    if (options_.size == 0) options_.size = 1;
}

RedisPool::~RedisPool() {
    std::lock_guard lock(mutex_);
    idle_.clear();
}

RedisPool::Lease RedisPool::acquire() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + options_.acquireTimeout;
    while (idle_.empty() && total_ >= options_.size) {
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            total_ >= options_.size) {
            ++counters_.acquireTimeouts;
            throw RedisError("no Redis connection free within " +
                             std::to_string(options_.acquireTimeout.count()) + " ms (pool size " +
                             std::to_string(options_.size) + ")");
        }
    }
    if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
    }
    ++total_;  // reserve the slot, connect outside the lock
    lock.unlock();
    try {
        auto c = std::make_unique<RedisConnection>(options_.connection);
        lock.lock();
        ++counters_.connects;
        lock.unlock();
        return Lease(this, std::move(c));
    } catch (...) {
        lock.lock();
        --total_;
        ++counters_.connectFailures;
        lock.unlock();
        cv_.notify_one();
        throw;
    }
}

void RedisPool::giveBack(std::unique_ptr<RedisConnection> c) noexcept {
    {
        std::lock_guard lock(mutex_);
        if (c->broken()) {
            --total_;
            ++counters_.discarded;
        } else {
            idle_.push_back(std::move(c));
        }
    }
    cv_.notify_one();
    // A broken connection is destroyed here, outside the lock (it is already disconnected).
}

void RedisPool::checkIdle() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<RedisConnection>> due;
    {
        std::lock_guard lock(mutex_);
        for (auto it = idle_.begin(); it != idle_.end();) {
            if (now - (*it)->lastUsed() >= options_.healthCheckInterval) {
                due.push_back(std::move(*it));
                it = idle_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& c : due) {
        Poco::Redis::Array ping;
        ping.add("PING");
        bool ok = false;
        try {
            ok = c->execute<std::string>(ping) == "PONG";
        } catch (const RedisError&) {
            ok = false;  // execute() already marked it broken
        }
        if (!ok) c->markBroken();
        std::lock_guard lock(mutex_);
        ++counters_.healthChecks;
        if (!ok) ++counters_.healthFailures;
    }
    for (auto& c : due) giveBack(std::move(c));
}

void RedisPool::dropIdle() {
    std::vector<std::unique_ptr<RedisConnection>> drop;
    {
        std::lock_guard lock(mutex_);
        drop.swap(idle_);
        total_ -= drop.size();
        counters_.discarded += drop.size();
    }
    cv_.notify_all();
}

RedisPool::Counters RedisPool::counters() const {
    std::lock_guard lock(mutex_);
    Counters c = counters_;
    c.idle = idle_.size();
    c.total = total_;
    return c;
}

}  // namespace valory::plugins::cache
