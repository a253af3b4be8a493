#include "two_level_cache.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "value_format.hpp"

namespace valory::plugins::cache {

namespace {
constexpr uint64_t kDefaultWaitMs = 30000;

int64_t wallNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

valory_status failWith(valory_error* err, valory_status s, const std::string& msg) {
    return valory_fail(err, s, msg.c_str());
}

std::string_view namespaceOf(std::string_view key) {
    return key.substr(0, key.find(':'));
}

void appendWriter(void* ctx, const char* data, size_t size) {
    static_cast<std::string*>(ctx)->append(data, size);
}
}  // namespace

// --- construction, lifecycle ---------------------------------------------------------------------

TwoLevelCache::TwoLevelCache(CacheConfig config, LogFn log)
    : config_(std::move(config)), log_(std::move(log)), l1_(config_.l1) {
    std::random_device rd;
    std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
    static const char* hex = "0123456789abcdef";
    uint64_t id = gen();
    origin_.resize(16);
    for (int i = 15; i >= 0; --i, id >>= 4) origin_[static_cast<size_t>(i)] = hex[id & 15];

    if (!config_.url.empty()) {
        RedisConnectionOptions co;
        co.endpoint = RedisEndpoint::parse(config_.url);
        if (!config_.password.empty()) co.endpoint.password = config_.password;
        co.connectTimeout = config_.connectTimeout;
        co.receiveTimeout = config_.receiveTimeout;
        co.sendTimeout = config_.sendTimeout;
        RedisPool::Options po;
        po.connection = co;
        po.size = config_.poolSize;
        po.acquireTimeout = config_.acquireTimeout;
        po.healthCheckInterval = config_.healthCheckInterval;
        pool_ = std::make_unique<RedisPool>(po);
        store_ = std::make_unique<RedisStore>(*pool_);

        InvalidationSubscriber::Options so;
        so.connection = co;
        // The subscriber is pinged every health interval; silence for two intervals means dead.
        so.connection.receiveTimeout = config_.healthCheckInterval * 2 + config_.receiveTimeout;
        so.channel = config_.channel;
        so.reconnectMin = config_.reconnectMin;
        so.reconnectMax = config_.reconnectMax;
        InvalidationSubscriber::Callbacks cb;
        cb.onSubscribed = [this] {
            // Invalidations published while we were not subscribed are lost: start L1 afresh.
            l1_.clear();
        };
        cb.onMessage = [this](const std::string& payload) { onInvalidation(payload); };
        cb.onDisconnected = [this](const std::string& why) {
            if (!stopping_) log_(VALORY_LOG_DEBUG, "cache: invalidation subscriber disconnected: " + why);
        };
        subscriber_ = std::make_unique<InvalidationSubscriber>(std::move(so), std::move(cb));
    }
}

TwoLevelCache::~TwoLevelCache() {
    stop();
}

void TwoLevelCache::start() {
    stopping_ = false;
    if (!store_) {
        log_(VALORY_LOG_INFO, "cache: no Redis URL configured; running with the in-process L1 only");
        return;
    }
    try {
        store_->ping();
        l2Up_ = true;
        log_(VALORY_LOG_INFO,
             "cache: Redis at " + RedisEndpoint::parse(config_.url).display() + " reachable");
    } catch (const RedisError& e) {
        l2Up_ = true;  // so that markDown() logs the one warning of this outage
        markDown(e.what());
    }
    subscriber_->start();
    if (l2Up_) {
        // Let the first subscription land before serving: it clears L1, and anything stored
        // before it could be wiped. Bounded; a slow subscriber only costs that clear later.
        const auto until = std::chrono::steady_clock::now() + config_.connectTimeout;
        while (subscriber_->subscriptions() == 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    maintenanceThread_ = std::thread([this] { maintenance(); });
}

void TwoLevelCache::stop() {
    {
        std::lock_guard lock(maintenanceMutex_);
        if (stopping_.exchange(true)) return;
    }
    maintenanceCv_.notify_all();
    if (maintenanceThread_.joinable()) maintenanceThread_.join();
    if (subscriber_) subscriber_->stop();
}

// --- validation ----------------------------------------------------------------------------------

namespace {
// 1 = allowed inside a component (valory_cache_key_char_ok), 2 = ':' separator, 0 = forbidden.
struct KeyCharTable {
    unsigned char cls[256];
    KeyCharTable() {
        for (int c = 0; c < 256; ++c)
            cls[c] = valory_cache_key_char_ok(static_cast<unsigned char>(c)) ? 1 : 0;
        cls[static_cast<unsigned char>(':')] = 2;
    }
};
const KeyCharTable kKeyChars;
}  // namespace

bool TwoLevelCache::validKey(std::string_view key) noexcept {
    if (key.empty() || key.size() > VALORY_CACHE_MAX_KEY) return false;
    std::size_t components = 0, len = 0;
    for (char c : key) {
        const unsigned char k = kKeyChars.cls[static_cast<unsigned char>(c)];
        if (k == 1) {
            ++len;
        } else if (k == 2 && len != 0) {
            ++components;
            len = 0;
        } else {
            return false;
        }
    }
    if (len == 0) return false;
    return components + 1 >= 4;
}

bool TwoLevelCache::validPrefix(std::string_view prefix) noexcept {
    if (prefix.empty() || prefix.size() > VALORY_CACHE_MAX_KEY) return false;
    std::size_t closed = 0, len = 0;
    for (char c : prefix) {
        if (c == ':') {
            if (len == 0) return false;
            ++closed;
            len = 0;
        } else if (!valory_cache_key_char_ok(static_cast<unsigned char>(c))) {
            return false;
        } else {
            ++len;
        }
    }
    return closed >= 2;
}

// --- helpers -------------------------------------------------------------------------------------

TwoLevelCache::Lifetimes TwoLevelCache::lifetimes(const NamespacePolicy& p,
                                                  const valory_cache_options* o) const {
    uint64_t ttl = 0, stale = 0;
    if (VALORY_HAS_FIELD(o, valory_cache_options, ttl_ms)) ttl = o->ttl_ms;
    if (VALORY_HAS_FIELD(o, valory_cache_options, stale_ms)) stale = o->stale_ms;
    if (ttl == 0) ttl = p.defaultTtlMs;
    ttl = std::clamp(ttl, p.minTtlMs, p.maxTtlMs);
    stale = std::min(stale, p.maxStaleMs);
    return {ttl, stale};
}

EntryPtr TwoLevelCache::makeEntry(std::string_view key, std::string value, int64_t writtenAtMs,
                                  int64_t freshUntilMs, int64_t staleUntilMs,
                                  const NamespacePolicy& p) const {
    auto e = std::make_shared<CacheEntry>();
    const auto now = SteadyClock::now();
    const int64_t wall = wallNowMs();
    e->key.assign(key);
    e->value = std::move(value);
    // Offsets from now, clamped to +-10 years so that odd stored timestamps cannot overflow the
    // steady clock's nanosecond representation.
    constexpr int64_t kLimit = 10LL * 365 * 24 * 3600 * 1000;
    auto offset = [&](int64_t atMs) {
        return std::chrono::milliseconds(std::clamp(atMs - wall, -kLimit, kLimit));
    };
    e->writtenAtMs = writtenAtMs;
    e->writtenAt = now + offset(writtenAtMs);
    e->freshUntil = now + offset(freshUntilMs);
    e->staleUntil = now + offset(staleUntilMs);
    e->l1Until = std::min(e->staleUntil, now + std::chrono::milliseconds(p.l1TtlMs));
    return e;
}

void TwoLevelCache::serve(const CacheEntry& e, valory_cache_source source, uint32_t flags, valory_writer* out,
                          valory_cache_result* result, SteadyClock::time_point now) const {
    if (result && result->struct_size >= sizeof(valory_cache_result)) {
        result->source = source;
        result->flags = flags;
        result->age_ms = std::max<int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(now - e.writtenAt).count());
        result->refresh_status = VALORY_OK;
    }
    if (out && out->write) out->write(out->ctx, e.value.data(), e.value.size());
}

EntryPtr TwoLevelCache::lookup(std::string_view key, bool useL2, valory_cache_source* source,
                               SteadyClock::time_point now) {
    EntryPtr e = l1_.find(key, now);
    if (e && now < e->freshUntil) {
        *source = VALORY_CACHE_SOURCE_L1;
        return e;
    }
    return lookupBelowL1(key, std::move(e), useL2, source, now);
}

EntryPtr TwoLevelCache::lookupBelowL1(std::string_view key, EntryPtr e, bool useL2,
                                      valory_cache_source* source, SteadyClock::time_point now) {
    // Missing, or stale in L1: another host may have refreshed it, so ask L2 before settling.
    if (useL2 && l2Usable()) {
        try {
            auto raw = store_->get(key);
            if (raw) {
                auto sv = decodeValue(*raw);
                if (!sv) {
                    formatErrors_.fetch_add(1, std::memory_order_relaxed);
                    l2Misses_.fetch_add(1, std::memory_order_relaxed);
                } else if (sv->staleUntilMs > wallNowMs()) {
                    l2Hits_.fetch_add(1, std::memory_order_relaxed);
                    EntryPtr fromL2 =
                        makeEntry(key, std::string(sv->payload), sv->writtenAtMs, sv->freshUntilMs,
                                  sv->staleUntilMs, config_.policyFor(namespaceOf(key)));
                    l1_.put(fromL2);
                    *source = VALORY_CACHE_SOURCE_L2;
                    return fromL2;
                } else {
                    l2Misses_.fetch_add(1, std::memory_order_relaxed);
                }
            } else {
                l2Misses_.fetch_add(1, std::memory_order_relaxed);
            }
        } catch (const RedisError& ex) {
            markDown(ex.what());
        }
    }
    if (e && now < e->staleUntil) {
        *source = VALORY_CACHE_SOURCE_L1;
        return e;
    }
    *source = VALORY_CACHE_SOURCE_NONE;
    return nullptr;
}

std::string TwoLevelCache::message(char kind, std::string_view body) const {
    std::string m;
    m.reserve(2 + origin_.size() + body.size());
    m.push_back('1');  // message format version
    m.append(origin_);
    m.push_back(kind);  // 'K' key, 'P' prefix
    m.append(body);
    return m;
}

void TwoLevelCache::onInvalidation(const std::string& payload) {
    if (payload.size() < 18 || payload[0] != '1') return;            // unknown format: ignore
    if (std::string_view(payload).substr(1, 16) == origin_) return;  // our own
    const char kind = payload[17];
    std::string_view body = std::string_view(payload).substr(18);
    if (kind == 'K') {
        l1_.erase(body);
    } else if (kind == 'P') {
        l1_.erasePrefix(body);
    } else {
        return;
    }
    invalidationsReceived_.fetch_add(1, std::memory_order_relaxed);
}

// --- degradation ---------------------------------------------------------------------------------

void TwoLevelCache::markDown(const std::string& why) {
    l2Errors_.fetch_add(1, std::memory_order_relaxed);
    bool expected = true;
    if (l2Up_.compare_exchange_strong(expected, false)) {
        {
            std::lock_guard lock(maintenanceMutex_);
            downSince_ = std::chrono::steady_clock::now();
        }
        log_(VALORY_LOG_WARNING, "cache: Redis unavailable (" + why +
                                     "); serving from the in-process L1 only and retrying in the background");
        maintenanceCv_.notify_all();
    }
}

void TwoLevelCache::queuePendingKey(std::string_view key) {
    std::lock_guard lock(pendingMutex_);
    if (pendingKeys_.size() >= config_.maxPendingDeletes) {
        pendingOverflow_ = true;
        return;
    }
    pendingKeys_.emplace(key);
}

void TwoLevelCache::queuePendingPrefix(std::string_view prefix) {
    std::lock_guard lock(pendingMutex_);
    if (pendingPrefixes_.size() >= config_.maxPendingDeletes) {
        pendingOverflow_ = true;
        return;
    }
    pendingPrefixes_.emplace_back(prefix);
}

bool TwoLevelCache::replayPending() {
    std::vector<std::string> keys, prefixes;
    bool overflow = false;
    {
        std::lock_guard lock(pendingMutex_);
        keys.assign(pendingKeys_.begin(), pendingKeys_.end());
        pendingKeys_.clear();
        prefixes.swap(pendingPrefixes_);
        overflow = std::exchange(pendingOverflow_, false);
    }
    try {
        if (!keys.empty()) {
            std::vector<std::string> msgs;
            msgs.reserve(keys.size());
            for (const auto& k : keys) msgs.push_back(message('K', k));
            store_->unlink(keys, config_.channel, msgs);
        }
        for (std::size_t i = 0; i < prefixes.size(); ++i) {
            store_->deletePrefix(prefixes[i]);
            store_->publish(config_.channel, message('P', prefixes[i]));
        }
    } catch (const RedisError&) {
        std::lock_guard lock(pendingMutex_);
        for (auto& k : keys) pendingKeys_.insert(std::move(k));
        pendingPrefixes_.insert(pendingPrefixes_.end(), prefixes.begin(), prefixes.end());
        pendingOverflow_ = pendingOverflow_ || overflow;
        throw;
    }
    if (overflow)
        log_(VALORY_LOG_WARNING, "cache: more than " + std::to_string(config_.maxPendingDeletes) +
                                     " deletes were made while Redis was down; some of those keys may serve "
                                     "outdated values from Redis until their TTL passes");
    return true;
}

void TwoLevelCache::maintenance() {
    Millis backoff = config_.reconnectMin;
    auto lastCheck = std::chrono::steady_clock::now();
    std::unique_lock lock(maintenanceMutex_);
    while (!stopping_) {
        if (!l2Up_) {
            lock.unlock();
            bool back = false;
            std::string why;
            try {
                pool_->dropIdle();
                store_->ping();
                replayPending();
                back = true;
            } catch (const RedisError& e) {
                why = e.what();
                l2Errors_.fetch_add(1, std::memory_order_relaxed);
            }
            lock.lock();
            if (back) {
                const auto secs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - downSince_);
                l2Up_ = true;
                backoff = config_.reconnectMin;
                lastCheck = std::chrono::steady_clock::now();
                lock.unlock();
                log_(VALORY_LOG_INFO, "cache: Redis reachable again after " + std::to_string(secs.count()) +
                                          " ms; using it again");
                lock.lock();
                continue;
            }
            maintenanceCv_.wait_for(lock, backoff, [this] { return stopping_.load(); });
            backoff = std::min(config_.reconnectMax, backoff * 2);
            continue;
        }
        const auto due = lastCheck + config_.healthCheckInterval;
        maintenanceCv_.wait_until(lock, due, [this] { return stopping_.load() || !l2Up_.load(); });
        if (stopping_ || !l2Up_) continue;
        if (std::chrono::steady_clock::now() < due) continue;
        lastCheck = std::chrono::steady_clock::now();
        lock.unlock();
        pool_->checkIdle();
        subscriber_->ping();
        lock.lock();
    }
}

// --- cache/1 -------------------------------------------------------------------------------------

valory_status TwoLevelCache::get(std::string_view key, uint32_t flags, valory_writer* out,
                                 valory_cache_result* result, valory_error* err) {
    const auto now = SteadyClock::now();
    // Hit path first, without validating: only valid keys are ever stored, so a hit proves it.
    EntryPtr e = l1_.find(key, now);
    if (e && now < e->freshUntil) {
        serve(*e, VALORY_CACHE_SOURCE_L1, 0, out, result, now);
        return VALORY_OK;
    }
    if (!validKey(key))
        return failWith(
            err, VALORY_ERR_INVALID_ARGUMENT,
            "invalid cache key (expected <namespace>:<version>:<entity>:<id>[:<hash>], no spaces or *?[]\\)");
    valory_cache_source source = VALORY_CACHE_SOURCE_NONE;
    e = lookupBelowL1(key, std::move(e), (flags & VALORY_CACHE_L1_ONLY) == 0, &source, now);
    if (!e) return VALORY_ERR_NOT_FOUND;
    const bool stale = now >= e->freshUntil;
    if (stale && !(flags & VALORY_CACHE_ALLOW_STALE)) return VALORY_ERR_NOT_FOUND;
    if (stale) staleServed_.fetch_add(1, std::memory_order_relaxed);
    serve(*e, source, stale ? static_cast<uint32_t>(VALORY_CACHE_STALE) : 0u, out, result, now);
    return VALORY_OK;
}

valory_status TwoLevelCache::store(std::string_view key, std::string_view value, const Lifetimes& lt,
                                   valory_error* err) {
    const NamespacePolicy& p = config_.policyFor(namespaceOf(key));
    if (value.size() > p.maxValueBytes) {
        setsRefused_.fetch_add(1, std::memory_order_relaxed);
        removeEverywhere(key);  // no outdated value may survive a refused replacement
        return failWith(err, VALORY_ERR_TOO_LARGE,
                        "cache value of " + std::to_string(value.size()) +
                            " bytes exceeds max_value_bytes (" + std::to_string(p.maxValueBytes) +
                            ") of namespace '" + std::string(namespaceOf(key)) + "'; not stored");
    }
    const int64_t now = wallNowMs();
    const int64_t freshUntil = now + static_cast<int64_t>(lt.ttlMs);
    const int64_t staleUntil = freshUntil + static_cast<int64_t>(lt.staleMs);
    l1_.put(makeEntry(key, std::string(value), now, freshUntil, staleUntil, p));
    if (l2Usable()) {
        try {
            store_->set(key, encodeValue(now, freshUntil, staleUntil, value), lt.ttlMs + lt.staleMs,
                        config_.channel, message('K', key));
            return VALORY_OK;
        } catch (const RedisError& ex) {
            markDown(ex.what());
        }
    }
    if (store_) queuePendingKey(key);  // L2 may hold an older value: delete it when Redis is back
    return VALORY_OK;
}

valory_status TwoLevelCache::set(std::string_view key, std::string_view value,
                                 const valory_cache_options* options, valory_error* err) {
    if (!validKey(key))
        return failWith(
            err, VALORY_ERR_INVALID_ARGUMENT,
            "invalid cache key (expected <namespace>:<version>:<entity>:<id>[:<hash>], no spaces or *?[]\\)");
    return store(key, value, lifetimes(config_.policyFor(namespaceOf(key)), options), err);
}

void TwoLevelCache::removeEverywhere(std::string_view key) {
    l1_.erase(key);
    if (l2Usable()) {
        try {
            std::vector<std::string> keys{std::string(key)};
            store_->unlink(keys, config_.channel, {message('K', key)});
            return;
        } catch (const RedisError& ex) {
            markDown(ex.what());
        }
    }
    if (store_) queuePendingKey(key);
}

valory_status TwoLevelCache::del(std::string_view key, valory_error* err) {
    if (!validKey(key))
        return failWith(
            err, VALORY_ERR_INVALID_ARGUMENT,
            "invalid cache key (expected <namespace>:<version>:<entity>:<id>[:<hash>], no spaces or *?[]\\)");
    removeEverywhere(key);
    return VALORY_OK;
}

valory_status TwoLevelCache::deletePrefix(std::string_view prefix, uint64_t* deleted, valory_error* err) {
    if (!validPrefix(prefix))
        return failWith(
            err, VALORY_ERR_INVALID_ARGUMENT,
            "invalid cache prefix (must cover at least <namespace>:<version>: and have no spaces or *?[]\\)");
    const uint64_t local = l1_.erasePrefix(prefix);
    uint64_t n = local;
    bool done = false;
    if (l2Usable()) {
        try {
            n = store_->deletePrefix(prefix);
            store_->publish(config_.channel, message('P', prefix));
            done = true;
        } catch (const RedisError& ex) {
            markDown(ex.what());
            n = local;
        }
    }
    if (!done && store_) queuePendingPrefix(prefix);
    if (deleted) *deleted = n;
    return VALORY_OK;
}

// --- get_or_compute ------------------------------------------------------------------------------

/// One get_or_compute() call, handed from step to step.
struct TwoLevelCache::ComputeRequest {
    std::string_view key;
    const NamespacePolicy& policy;
    Lifetimes lt;
    uint64_t waitMs;
    valory_cache_compute_fn fn;
    void* user;
    valory_writer* out;
    valory_cache_result* result;
    valory_error* err;
    EntryPtr stale;  // what lookup() found (not fresh), or null
    valory_cache_source staleSource = VALORY_CACHE_SOURCE_NONE;
};

uint64_t TwoLevelCache::waitBudgetMs(const valory_cache_options* o) noexcept {
    if (VALORY_HAS_FIELD(o, valory_cache_options, wait_ms) && o->wait_ms > 0) return o->wait_ms;
    return kDefaultWaitMs;
}

void TwoLevelCache::serveComputed(std::string_view value, uint32_t flags, valory_writer* out,
                                  valory_cache_result* result) {
    if (result && result->struct_size >= sizeof(valory_cache_result)) {
        result->source = VALORY_CACHE_SOURCE_COMPUTED;
        result->flags = flags;
        result->age_ms = 0;
        result->refresh_status = VALORY_OK;
    }
    if (out && out->write) out->write(out->ctx, value.data(), value.size());
}

valory_status TwoLevelCache::getOrCompute(std::string_view key, const valory_cache_options* options,
                                          valory_cache_compute_fn fn, void* user, valory_writer* out,
                                          valory_cache_result* result, valory_error* err) {
    if (!validKey(key))
        return failWith(
            err, VALORY_ERR_INVALID_ARGUMENT,
            "invalid cache key (expected <namespace>:<version>:<entity>:<id>[:<hash>], no spaces or *?[]\\)");
    if (!fn) return failWith(err, VALORY_ERR_INVALID_ARGUMENT, "get_or_compute needs a compute callback");
    const NamespacePolicy& policy = config_.policyFor(namespaceOf(key));
    ComputeRequest rq{key, policy, lifetimes(policy, options), waitBudgetMs(options), fn, user, out, result,
                      err, nullptr};

    const auto now = SteadyClock::now();
    rq.stale = lookup(key, true, &rq.staleSource, now);
    if (rq.stale && now < rq.stale->freshUntil) {
        serve(*rq.stale, rq.staleSource, 0, out, result, now);
        return VALORY_OK;
    }
    SingleFlight::Ticket ticket = flights_.join(key);
    return ticket.leader() ? leadFlight(rq, ticket) : followFlight(rq, ticket);
}

valory_status TwoLevelCache::followFlight(const ComputeRequest& rq, const SingleFlight::Ticket& ticket) {
    if (rq.stale) {  // someone is refreshing: serve the stale value at once
        staleServed_.fetch_add(1, std::memory_order_relaxed);
        serve(*rq.stale, rq.staleSource, VALORY_CACHE_STALE, rq.out, rq.result, SteadyClock::now());
        return VALORY_OK;
    }
    computeWaits_.fetch_add(1, std::memory_order_relaxed);
    const SingleFlight::Outcome* o = ticket.wait(std::chrono::milliseconds(rq.waitMs));
    if (!o)
        return failWith(
            rq.err, VALORY_ERR_TIMEOUT,
            "waited " + std::to_string(rq.waitMs) + " ms for another caller computing this cache key");
    if (o->status != VALORY_OK) {
        failWith(rq.err, o->status, o->message);
        return o->status;
    }
    serveComputed(o->value, o->flags | VALORY_CACHE_SHARED, rq.out, rq.result);
    return VALORY_OK;
}

// Whatever happens, the ticket completes the flight (its destructor, on an exception) so no
// follower hangs.
valory_status TwoLevelCache::leadFlight(const ComputeRequest& rq, SingleFlight::Ticket& ticket) {
    // A flight that finished between our lookup and our registration has stored its value in L1.
    const auto now = SteadyClock::now();
    if (EntryPtr again = l1_.find(rq.key, now); again && now < again->freshUntil) {
        ticket.complete({VALORY_OK, {}, again->value, 0});
        serve(*again, VALORY_CACHE_SOURCE_L1, 0, rq.out, rq.result, now);
        return VALORY_OK;
    }

    std::string computed;
    valory_writer w{sizeof(valory_writer), &computed, &appendWriter};
    uint64_t ttl = rq.lt.ttlMs;
    valory_error cerr;
    valory_error_init(&cerr);
    computes_.fetch_add(1, std::memory_order_relaxed);
    const valory_status s = rq.fn(rq.user, {rq.key.data(), rq.key.size()}, &w, &ttl, &cerr);
    if (s != VALORY_OK) return computeFailed(rq, ticket, s, cerr);
    return storeComputed(rq, ticket, std::move(computed), ttl);
}

valory_status TwoLevelCache::computeFailed(const ComputeRequest& rq, SingleFlight::Ticket& ticket,
                                           valory_status s, const valory_error& cerr) {
    std::string msg = cerr.message[0] ? std::string(cerr.message) : std::string("compute failed");
    if (!rq.stale) {
        ticket.complete({s, msg, {}, 0});
        failWith(rq.err, s, msg);
        if (rq.err) rq.err->detail = cerr.detail;
        return s;
    }
    refreshFailures_.fetch_add(1, std::memory_order_relaxed);
    staleServed_.fetch_add(1, std::memory_order_relaxed);
    ticket.complete({s, msg, {}, 0});
    serve(*rq.stale, rq.staleSource, VALORY_CACHE_STALE | VALORY_CACHE_REFRESH_FAILED, rq.out, rq.result,
          SteadyClock::now());
    if (rq.result && rq.result->struct_size >= sizeof(valory_cache_result)) rq.result->refresh_status = s;
    if (rq.err) valory_fail(rq.err, VALORY_OK, msg.c_str());  // the compute's message, for the caller's logs
    return VALORY_OK;
}

valory_status TwoLevelCache::storeComputed(const ComputeRequest& rq, SingleFlight::Ticket& ticket,
                                           std::string computed, uint64_t ttlMs) {
    Lifetimes stored = rq.lt;
    stored.ttlMs =
        std::clamp<uint64_t>(ttlMs == 0 ? rq.lt.ttlMs : ttlMs, rq.policy.minTtlMs, rq.policy.maxTtlMs);
    valory_error serr;
    valory_error_init(&serr);
    uint32_t flags = 0;
    if (store(rq.key, computed, stored, &serr) != VALORY_OK) flags |= VALORY_CACHE_NOT_STORED;
    serveComputed(computed, flags, rq.out, rq.result);
    ticket.complete({VALORY_OK, {}, std::move(computed), flags});
    return VALORY_OK;
}

void TwoLevelCache::stats(valory_cache_stats* out) const {
    if (!out) return;
    valory_cache_stats s{};
    s.struct_size = sizeof(s);
    const auto c = l1_.counters();
    s.l1_hits = c.hits;
    s.l1_misses = c.misses;
    s.l1_evictions = c.evictions;
    s.l1_expirations = c.expirations;
    s.l1_entries = c.entries;
    s.l1_bytes = c.bytes;
    s.l2_hits = l2Hits_.load();
    s.l2_misses = l2Misses_.load();
    s.l2_errors = l2Errors_.load();
    s.computes = computes_.load();
    s.compute_waits = computeWaits_.load();
    s.stale_served = staleServed_.load();
    s.refresh_failures = refreshFailures_.load();
    s.invalidations_received = invalidationsReceived_.load();
    s.sets_refused = setsRefused_.load();
    s.l2_state =
        !store_ ? VALORY_CACHE_L2_DISABLED : (l2Up_.load() ? VALORY_CACHE_L2_UP : VALORY_CACHE_L2_DOWN);
    const uint32_t size = out->struct_size;
    std::memcpy(out, &s, std::min<std::size_t>(size, sizeof(s)));
    out->struct_size = size;
}

valory_health_state TwoLevelCache::health(nlohmann::json& detail) const {
    const auto c = l1_.counters();
    detail["l1_entries"] = c.entries;
    detail["l1_bytes"] = c.bytes;
    if (!store_) {
        detail["l2"] = "disabled";
        return VALORY_HEALTH_OK;
    }
    const bool up = l2Up_.load();
    const bool subscribed = subscriber_ && subscriber_->subscribed();
    detail["l2"] = up ? "up" : "down";
    detail["invalidation_subscriber"] = subscribed ? "subscribed" : "disconnected";
    detail["l2_errors"] = l2Errors_.load();
    if (pool_) {
        auto pc = pool_->counters();
        detail["pool"] = {{"total", pc.total},         {"idle", pc.idle},
                          {"connects", pc.connects},   {"connect_failures", pc.connectFailures},
                          {"discarded", pc.discarded}, {"health_failures", pc.healthFailures}};
    }
    if (!up)
        detail["message"] = "Redis unreachable: serving from the in-process L1 only";
    else if (!subscribed)
        detail["message"] = "not subscribed to invalidations: other hosts' deletes may be missed";
    return up && subscribed ? VALORY_HEALTH_OK : VALORY_HEALTH_DEGRADED;
}

}  // namespace valory::plugins::cache
