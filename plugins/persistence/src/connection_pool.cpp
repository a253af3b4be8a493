#include "connection_pool.hpp"

#include <poll.h>

#include <utility>

#include "error_mapper.hpp"
#include "valory/cpp/error.hpp"

namespace valory::plugins::persistence {
namespace {

// Quotes a conninfo value: 'it''s' style is not libpq's; libpq uses backslash escapes.
std::string quoteValue(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

bool isUri(const std::string& dsn) {
    return dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
}

std::string uriEncode(const std::string& v) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : v) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// The connection each thread used last (compared, never dereferenced).
struct LastUsed {
    const ConnectionPool* pool = nullptr;
    const PooledConnection* conn = nullptr;
};
thread_local LastUsed tlsLast;

}  // namespace

std::string buildConninfo(const std::string& dsn, const std::string& password, int64_t statementTimeoutMs,
                          int connectTimeoutSec) {
    const std::string options =
        "-c jit=off -c TimeZone=UTC -c statement_timeout=" + std::to_string(statementTimeoutMs);
    if (isUri(dsn)) {
        std::string out = dsn;
        out += (dsn.find('?') == std::string::npos) ? '?' : '&';
        out += "options=" + uriEncode(options) + "&connect_timeout=" + std::to_string(connectTimeoutSec) +
               "&application_name=valory";
        if (!password.empty()) out += "&password=" + uriEncode(password);
        return out;
    }
    // Later keywords win in libpq, so ours (appended) override any the admin wrote.
    std::string out = dsn;
    if (!out.empty()) out += ' ';
    out += "options=" + quoteValue(options) + " connect_timeout=" + std::to_string(connectTimeoutSec) +
           " application_name=valory";
    if (!password.empty()) out += " password=" + quoteValue(password);
    return out;
}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& o) noexcept {
    if (this != &o) {
        release();
        pool_ = std::exchange(o.pool_, nullptr);
        c_ = std::move(o.c_);
    }
    return *this;
}

void ConnectionPool::Lease::release() noexcept {
    if (c_ && pool_) pool_->giveBack(std::move(c_));
    c_.reset();
}

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
    counters_.max = options_.baseSize + options_.overflow;
}

ConnectionPool::~ConnectionPool() {
    std::vector<std::unique_ptr<PooledConnection>> idle;
    {
        std::lock_guard lock(mutex_);
        idle.swap(idle_);
    }
    // Leases outstanding at destruction are a caller bug; the plugin stops only after its
    // consumers, so there are none.
}

bool ConnectionPool::usable(PooledConnection& c, bool alwaysCheckSocket) const noexcept {
    if (c.broken || !c.conn || !c.conn->is_open()) return false;
    const auto now = std::chrono::steady_clock::now();
    if (now - c.created >= options_.recycleAfter) return false;
    if (!alwaysCheckSocket && now - c.returned < options_.idleCheckAfter) return true;
    // An idle connection has nothing to read. If the socket is readable, the server closed it or
    // sent a FATAL (shutdown, idle-session kill): drop it rather than send a statement into it.
    struct pollfd pfd {};
    pfd.fd = c.conn->sock();
    if (pfd.fd < 0) return false;
    pfd.events = POLLIN;
    int rc = ::poll(&pfd, 1, 0);
    return rc == 0;
}

std::unique_ptr<PooledConnection> ConnectionPool::connect() {
    auto c = std::make_unique<PooledConnection>();
    c->conn = std::make_unique<pqxx::connection>(options_.conninfo);
    c->created = std::chrono::steady_clock::now();
    return c;
}

ConnectionPool::Lease ConnectionPool::acquire() {
    return acquire(options_.acquireTimeout);
}

ConnectionPool::Lease ConnectionPool::acquire(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const size_t max = options_.baseSize + options_.overflow;
    bool waited = false;
    std::unique_lock lock(mutex_);
    for (;;) {
        if (!idle_.empty()) {
            // Affinity: prefer the connection this thread used last (its backend process tends
            // to be scheduled next to this thread), else the most recently returned one.
            size_t pick = idle_.size() - 1;
            if (tlsLast.pool == this) {
                for (size_t i = 0; i < idle_.size(); ++i) {
                    if (idle_[i].get() == tlsLast.conn) {
                        pick = i;
                        break;
                    }
                }
            }
            std::swap(idle_[pick], idle_.back());
            std::unique_ptr<PooledConnection> c = std::move(idle_.back());
            idle_.pop_back();
            tlsLast = {this, c.get()};
            // Check it outside the lock (poll() is a system call; other callers must not queue
            // behind it).
            lock.unlock();
            if (usable(*c)) return Lease(this, std::move(c));
            const bool aged = !c->broken && c->conn && c->conn->is_open() &&
                              std::chrono::steady_clock::now() - c->created >= options_.recycleAfter;
            c.reset();  // disconnect outside the lock
            lock.lock();
            --total_;
            if (aged) {
                ++counters_.recycled;
            } else {
                ++counters_.discarded;
            }
            freed_.notify_one();
            continue;
        }
        if (total_ < max) {
            ++total_;
            ++opening_;
            lock.unlock();
            try {
                auto c = connect();
                lock.lock();
                --opening_;
                ++counters_.connects;
                lock.unlock();
                tlsLast = {this, c.get()};
                return Lease(this, std::move(c));
            } catch (const std::exception& e) {
                lock.lock();
                --opening_;
                --total_;
                ++counters_.connectFailures;
                lock.unlock();
                freed_.notify_one();
                sdk::Error mapped = ErrorMapper::map(e, Phase::Connect);
                throw sdk::Error(VALORY_ERR_UNAVAILABLE, "sql: cannot connect to the " + options_.name +
                                                             " database: " + mapped.what());
            }
        }
        if (!waited) {
            waited = true;
            ++counters_.waits;
        }
        if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && total_ >= max) {
            ++counters_.timeouts;
            const size_t inUse = total_ - idle_.size();
            lock.unlock();
            throw sdk::Error(VALORY_ERR_UNAVAILABLE,
                             "sql: no free " + options_.name + " database connection within " +
                                 std::to_string(timeout.count()) + " ms (timed out; all " +
                                 std::to_string(inUse) + " of " + std::to_string(max) +
                                 " connections in use); nothing was sent");
        }
    }
}

void ConnectionPool::giveBack(std::unique_ptr<PooledConnection> c) noexcept {
    std::unique_ptr<PooledConnection> toClose;
    bool purge = false;
    {
        std::lock_guard lock(mutex_);
        const bool aged = std::chrono::steady_clock::now() - c->created >= options_.recycleAfter;
        if (c->broken || !c->conn || !c->conn->is_open()) {
            --total_;
            ++counters_.discarded;
            toClose = std::move(c);
            purge = true;
        } else if (aged) {
            --total_;
            ++counters_.recycled;
            toClose = std::move(c);
        } else if (idle_.size() >= options_.baseSize) {
            --total_;  // overflow connection: close it
            toClose = std::move(c);
        } else {
            c->returned = std::chrono::steady_clock::now();
            idle_.push_back(std::move(c));
        }
    }
    freed_.notify_one();
    toClose.reset();  // disconnect outside the lock
    if (purge) purgeIdle();
}

void ConnectionPool::purgeIdle() {
    // Take the idle ones out, check them without the lock, put the good ones back.
    std::vector<std::unique_ptr<PooledConnection>> candidates;
    {
        std::lock_guard lock(mutex_);
        candidates.swap(idle_);
    }
    std::vector<std::unique_ptr<PooledConnection>> keep, dropped;
    for (auto& c : candidates) {
        // After a single backend's death the others are fine; after a restart they are all
        // readable (FATAL or EOF) and go.
        (usable(*c, true) ? keep : dropped).push_back(std::move(c));
    }
    {
        std::lock_guard lock(mutex_);
        for (auto& c : keep) idle_.push_back(std::move(c));
        total_ -= dropped.size();
        counters_.discarded += dropped.size();
    }
    dropped.clear();
    freed_.notify_all();
}

PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    PoolStats s = counters_;
    s.idle = idle_.size();
    s.opening = opening_;
    s.inUse = total_ - idle_.size() - opening_;
    s.max = options_.baseSize + options_.overflow;
    return s;
}

}  // namespace valory::plugins::persistence
