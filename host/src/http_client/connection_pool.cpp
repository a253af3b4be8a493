#include "connection_pool.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Socket.h>
#include <Poco/Timespan.h>

namespace valory::host {

namespace {

// An idle keep-alive connection must have nothing to read: readable means the peer closed it
// (EOF) or sent something unsolicited. Either way it cannot carry the next request.
bool stillUsable(ConnectionPool::Session& s) {
    try {
        if (!s.connected()) return false;
        return !s.socket().poll(Poco::Timespan(0),
                                Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
        return false;
    }
}

void closeAll(std::deque<std::unique_ptr<ConnectionPool::Session>>& sessions) {
    for (auto& s : sessions) {
        try {
            s->reset();
        } catch (const Poco::Exception&) {
            // closing a dead socket can fail; the session is destroyed either way
        }
    }
    sessions.clear();
}

}  // namespace

ConnectionPool::ConnectionPool(Limits limits, Factory factory)
    : limits_(limits), factory_(std::move(factory)) {
    if (limits_.total == 0) limits_.total = 1;
    if (limits_.perHost == 0) limits_.perHost = 1;
}

ConnectionPool::~ConnectionPool() {
    shutdown();
}

void ConnectionPool::collectExpired(HostState& hs, Clock::time_point now, std::deque<Idle>& out) {
    while (!hs.idle.empty() && now - hs.idle.front().since >= limits_.idleTimeout) {
        out.push_back(std::move(hs.idle.front()));
        hs.idle.pop_front();
        --open_;
        ++stats_.closedIdle;
    }
}

bool ConnectionPool::evictOneIdleElsewhere(const std::string& key, std::deque<Idle>& out) {
    HostState* victim = nullptr;
    for (auto& [k, hs] : hosts_) {
        if (k == key || hs.idle.empty()) continue;
        if (!victim || hs.idle.front().since < victim->idle.front().since) victim = &hs;
    }
    if (!victim) return false;
    out.push_back(std::move(victim->idle.front()));
    victim->idle.pop_front();
    --open_;
    ++stats_.closedIdle;
    return true;
}

std::optional<ConnectionPool::Lease> ConnectionPool::acquire(const Endpoint& ep, Clock::time_point deadline) {
    const std::string key = ep.key();
    const auto start = Clock::now();
    bool counted = false;
    std::deque<std::unique_ptr<Session>> toClose;
    std::optional<Lease> lease;
    bool create = false;
    {
        std::unique_lock lock(mutex_);
        for (;;) {
            if (shutdown_) break;
            HostState& hs = hosts_[key];
            std::deque<Idle> dropped;
            collectExpired(hs, Clock::now(), dropped);
            while (!hs.idle.empty()) {
                Idle candidate = std::move(hs.idle.back());
                hs.idle.pop_back();
                if (stillUsable(*candidate.session)) {
                    ++hs.inUse;
                    ++stats_.reused;
                    lease = Lease{std::move(candidate.session), true, {}};
                    break;
                }
                dropped.push_back(std::move(candidate));
                --open_;
                ++stats_.closedIdle;
            }
            for (auto& d : dropped) toClose.push_back(std::move(d.session));
            if (lease) break;

            const std::size_t hostOpen = hs.inUse + hs.idle.size();
            if (hostOpen < limits_.perHost) {
                std::deque<Idle> evicted;
                if (open_ >= limits_.total) evictOneIdleElsewhere(key, evicted);
                for (auto& d : evicted) toClose.push_back(std::move(d.session));
                if (open_ < limits_.total) {
                    ++hs.inUse;
                    ++open_;
                    ++stats_.opened;
                    create = true;
                    break;
                }
            }
            if (!counted) {
                counted = true;
                ++stats_.waits;
            }
            if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && Clock::now() >= deadline) {
                ++stats_.waitTimeouts;
                break;
            }
        }
    }
    closeAll(toClose);
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (lease) {
        lease->waited = waited;
        return lease;
    }
    if (!create) return std::nullopt;
    try {
        return Lease{factory_(ep), false, waited};
    } catch (...) {
        release(ep, nullptr, false);
        throw;
    }
}

void ConnectionPool::release(const Endpoint& ep, std::unique_ptr<Session> session, bool reusable) {
    std::deque<std::unique_ptr<Session>> toClose;
    {
        std::lock_guard lock(mutex_);
        HostState& hs = hosts_[ep.key()];
        if (hs.inUse > 0) --hs.inUse;
        if (reusable && session && !shutdown_) {
            hs.idle.push_back(Idle{std::move(session), Clock::now()});
        } else {
            if (open_ > 0) --open_;
            if (session) toClose.push_back(std::move(session));
        }
    }
    cv_.notify_all();
    closeAll(toClose);
}

void ConnectionPool::shutdown() {
    std::deque<std::unique_ptr<Session>> toClose;
    {
        std::lock_guard lock(mutex_);
        shutdown_ = true;
        for (auto& [k, hs] : hosts_) {
            for (auto& i : hs.idle) toClose.push_back(std::move(i.session));
            open_ -= hs.idle.size();
            hs.idle.clear();
        }
    }
    cv_.notify_all();
    closeAll(toClose);
}

ConnectionPool::Stats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    Stats s = stats_;
    s.open = open_;
    s.idle = 0;
    for (const auto& [k, hs] : hosts_) s.idle += hs.idle.size();
    return s;
}

}  // namespace valory::host
