/* Valory SDK — service `cache/1`: a two-level byte cache (in-process L1 + shared Redis L2).
 *
 * Provided by the `cache` plugin. Consumers declare it in their manifest (usually as `optional`,
 * since a deployment may run without it): {"service": "cache", "major": 1}.
 *
 * What the service is:
 *  - Values are opaque bytes (binary-safe) under caller-chosen keys. The cache knows no data kind:
 *    the caller picks the namespace and the TTL; the cache has only per-namespace defaults and
 *    bounds (from its config) and clamps the caller's TTL into them.
 *  - Keys are `<namespace>:<version>:<entity>:<id>[:<hash>]`. Only the part after the id may be a
 *    hash (of long lookup parameters), so that deleting by the prefix `<ns>:<version>:<entity>:<id>:`
 *    still finds every variant of one entity. valory_cache_make_key() / valory_cache_make_prefix()
 *    build such keys. The service refuses keys that do not have at least four non-empty
 *    components, or that contain control characters, spaces or glob characters (`*?[]\`).
 *  - Levels: L1 is a bounded in-process LRU with a short TTL (capped by the config); L2 is Redis,
 *    shared by every host. A get tries L1, then L2 (filling L1 on an L2 hit).
 *  - The cache is never the reason a request fails: when Redis is down or not configured, every
 *    function works on L1 alone and reports success (stats count the L2 errors; the plugin's health
 *    is "degraded"). Deletes made while Redis is unreachable are queued and replayed before L2 is
 *    used again. Other hosts' L1 entries are evicted through Redis pub/sub; after an outage every
 *    host clears its L1 (invalidations sent meanwhile were lost).
 *  - Errors a caller sees are its own: invalid key or options (VALORY_ERR_INVALID_ARGUMENT), a value
 *    over the configured maximum (VALORY_ERR_TOO_LARGE), a compute callback's own failure, or a
 *    single-flight wait that outlived its bound (VALORY_ERR_TIMEOUT).
 *
 * Freshness and stale-while-revalidate: an entry is *fresh* for `ttl_ms` after it was written and
 * then *stale* for a further `stale_ms` (0 = no stale window), after which it is gone. get() returns
 * only fresh entries unless VALORY_CACHE_ALLOW_STALE is passed. get_or_compute() serves a fresh
 * entry; for a stale entry, exactly one caller (per key, per process) recomputes while concurrent
 * callers are served the stale value at once (VALORY_CACHE_STALE); when the recomputation fails,
 * its caller is served the stale value too (VALORY_CACHE_STALE | VALORY_CACHE_REFRESH_FAILED) and
 * the call succeeds. Without a usable entry, concurrent callers of one key wait for one
 * computation (single-flight) and all receive its outcome, success or error.
 *
 * Values out: every function that returns a value writes it through a caller-provided
 * valory_writer (one or more write() calls, then return). An L1 hit allocates nothing inside the
 * service: it pins the entry (a reference count), leaves the shard lock and copies the bytes into
 * the writer, so the writer may safely call back into the cache. The writer is called only when
 * the function returns VALORY_OK.
 */
#ifndef VALORY_CACHE_H
#define VALORY_CACHE_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_CACHE_SERVICE "cache"
#define VALORY_CACHE_MAJOR 1
#define VALORY_CACHE_MINOR 0

/* Longest key accepted, in bytes. */
#define VALORY_CACHE_MAX_KEY 512

/* Where a value came from (0 = nothing was served). */
typedef int32_t valory_cache_source;
enum {
    VALORY_CACHE_SOURCE_NONE = 0,
    VALORY_CACHE_SOURCE_L1 = 1,      /* in-process LRU */
    VALORY_CACHE_SOURCE_L2 = 2,      /* Redis */
    VALORY_CACHE_SOURCE_COMPUTED = 3 /* the compute callback (this caller's or, single-flight, another's) */
};

/* Flags of get(). */
enum {
    /* Serve an entry in its stale window too (valory_cache_result.flags then has VALORY_CACHE_STALE). */
    VALORY_CACHE_ALLOW_STALE = 1u << 0,
    /* Do not consult L2 (L1 only). */
    VALORY_CACHE_L1_ONLY = 1u << 1
};

/* Flags of valory_cache_result. */
enum {
    VALORY_CACHE_STALE = 1u << 0,          /* the value served is past its fresh TTL */
    VALORY_CACHE_REFRESH_FAILED = 1u << 1, /* its recomputation failed; err of the compute is in result */
    VALORY_CACHE_SHARED = 1u << 2,         /* computed by another caller (single-flight waiter) */
    VALORY_CACHE_NOT_STORED = 1u << 3      /* computed but not stored (e.g. over the size limit) */
};

/* Options of set() and get_or_compute(); pass NULL for the namespace defaults. */
typedef struct valory_cache_options {
    uint32_t struct_size;
    uint64_t ttl_ms;   /* fresh lifetime; 0 = namespace default; clamped to the namespace bounds */
    uint64_t stale_ms; /* stale window after ttl_ms; 0 = none; clamped to the namespace bound */
    uint64_t wait_ms;  /* get_or_compute: longest wait for another caller's computation; 0 = 30000 */
    uint32_t flags;    /* reserved, 0 */
} valory_cache_options;

/* Facts about a value served (optional out-parameter; NULL when not wanted). */
typedef struct valory_cache_result {
    uint32_t struct_size;         /* set by the caller */
    valory_cache_source source;   /* where the value came from */
    uint32_t flags;               /* VALORY_CACHE_STALE, ... */
    int64_t age_ms;               /* time since the value was written (0 when computed now) */
    valory_status refresh_status; /* with VALORY_CACHE_REFRESH_FAILED: what the compute returned */
} valory_cache_result;

/* Compute callback of get_or_compute(): produces the value for `key`, writing it through `out`.
 * Return VALORY_OK to have it stored and served; *ttl_ms may be set to override the options' TTL
 * (it starts as the TTL get_or_compute would use). Return VALORY_ERR_NOT_FOUND when there is no
 * value (nothing is cached: no negative caching) or any other status on failure (with a message in
 * err); the status reaches every caller waiting on this computation unless a stale value is served.
 * Threads: the calling thread of the get_or_compute() that leads the computation. Since: 1.0 */
typedef valory_status (*valory_cache_compute_fn)(void* user, valory_str key, valory_writer* out,
                                                 uint64_t* ttl_ms, valory_error* err);

/* State of the Redis level (valory_cache_stats.l2_state). */
typedef int32_t valory_cache_l2_state;
enum {
    VALORY_CACHE_L2_UNKNOWN = 0,
    VALORY_CACHE_L2_UP = 1,
    VALORY_CACHE_L2_DOWN = 2,
    VALORY_CACHE_L2_DISABLED = 3
};

/* Counters since the plugin started; monotonic except the *_entries / *_bytes / l2_state gauges. */
typedef struct valory_cache_stats {
    uint32_t struct_size; /* set by the caller; the service fills min(struct_size, its size) */
    uint64_t l1_hits;
    uint64_t l1_misses;
    uint64_t l2_hits;
    uint64_t l2_misses;
    uint64_t l1_evictions;   /* LRU evictions (entries or bytes bound) */
    uint64_t l1_expirations; /* entries dropped because their TTL passed */
    uint64_t l1_entries;
    uint64_t l1_bytes;
    uint64_t l2_errors;     /* Redis calls that failed (the caller saw success) */
    uint64_t computes;      /* compute callbacks run */
    uint64_t compute_waits; /* callers that waited for another's computation */
    uint64_t stale_served;
    uint64_t refresh_failures;
    uint64_t invalidations_received; /* pub/sub evictions from other hosts */
    uint64_t sets_refused;           /* over the value size limit */
    valory_cache_l2_state l2_state;  /* VALORY_CACHE_L2_*: unknown, up, down (L1 only), not configured */
} valory_cache_stats;

/* The cache/1 vtable. `self` is valory_service.self. */
typedef struct valory_cache_api {
    uint32_t struct_size;

    /* Looks `key` up (L1, then L2 unless VALORY_CACHE_L1_ONLY). VALORY_OK: the value was written to
     * `out`; VALORY_ERR_NOT_FOUND: miss (also when Redis is unreachable);
     * VALORY_ERR_INVALID_ARGUMENT: malformed key.
     * Required: yes. Ownership: key borrowed; bytes written to `out` are the caller's; *result
     * filled when non-NULL. Threads: any, concurrently. Since: 1.0 */
    valory_status (*get)(void* self, valory_str key, uint32_t flags, valory_writer* out,
                         valory_cache_result* result, valory_error* err);

    /* Stores `value` under `key` in L1 and L2 (`SET key value PX ttl+stale`), replacing any value.
     * VALORY_ERR_TOO_LARGE: over the namespace's max value size (nothing stored, any previous value
     * deleted so that no outdated value survives); VALORY_ERR_INVALID_ARGUMENT: bad key/options.
     * Required: yes. Ownership: key, value and options borrowed (copied). Threads: any. Since: 1.0 */
    valory_status (*set)(void* self, valory_str key, valory_str value, const valory_cache_options* options,
                         valory_error* err);

    /* Deletes `key` from L1 and L2 (`UNLINK`) and tells the other hosts to evict it from their L1.
     * Deleting an absent key succeeds. Required: yes. Ownership: key borrowed. Threads: any.
     * Since: 1.0 */
    valory_status (*del)(void* self, valory_str key, valory_error* err);

    /* Deletes every key starting with `prefix` (L1, L2 through SCAN + UNLINK — never KEYS — and the
     * other hosts' L1). The prefix must cover at least `<namespace>:<version>:`. *deleted (may be
     * NULL) receives the number of L2 keys removed (L1 entries when L2 is down). Blocks for the
     * duration of the scan. Required: yes. Ownership: prefix borrowed. Threads: any. Since: 1.0 */
    valory_status (*delete_prefix)(void* self, valory_str prefix, uint64_t* deleted, valory_error* err);

    /* Serves `key` from the cache or computes it with `fn(user, ...)` (single-flight per key in this
     * process; stale-while-revalidate when options->stale_ms allowed a stale window; see the top of
     * this file). VALORY_OK: a value was written to `out` (result->source/flags say how);
     * otherwise the compute's status and message (VALORY_ERR_NOT_FOUND for "no value"), or
     * VALORY_ERR_TIMEOUT when another caller's computation outlived options->wait_ms.
     * Required: yes. Ownership: borrowed; `user` only during the call. Threads: any. Since: 1.0 */
    valory_status (*get_or_compute)(void* self, valory_str key, const valory_cache_options* options,
                                    valory_cache_compute_fn fn, void* user, valory_writer* out,
                                    valory_cache_result* result, valory_error* err);

    /* Fills `out` (caller sets out->struct_size first). Required: yes. Threads: any. Since: 1.0 */
    void (*stats)(void* self, valory_cache_stats* out);
} valory_cache_api;

/* --- key helpers (header-only, no ABI surface) ---------------------------------------------- */

/* 1 when `c` may appear inside a key component: printable, not ':' nor space nor a glob character;
 * UTF-8 bytes (>= 0x80) are allowed. */
static inline int valory_cache_key_char_ok(unsigned char c) {
    if (c >= 0x80) return 1;
    if (c <= 0x20 || c == 0x7f) return 0;
    return c != ':' && c != '*' && c != '?' && c != '[' && c != ']' && c != '\\';
}

/* Appends component `s` plus an optional ':' to buf at *pos; returns 0 on an invalid or empty
 * component or when it does not fit. */
static inline int valory_cache_key_append_(char* buf, size_t cap, size_t* pos, valory_str s, int colon) {
    size_t i;
    if (!s.data || s.size == 0) return 0;
    if (*pos + s.size + (colon ? 1u : 0u) + 1u > cap) return 0;
    for (i = 0; i < s.size; ++i) {
        if (!valory_cache_key_char_ok((unsigned char)s.data[i])) return 0;
    }
    memcpy(buf + *pos, s.data, s.size);
    *pos += s.size;
    if (colon) buf[(*pos)++] = ':';
    buf[*pos] = '\0';
    return 1;
}

/* 64-bit FNV-1a of `data` (frozen: it is part of the key format shared by every host). */
static inline uint64_t valory_cache_hash64(valory_str data) {
    uint64_t h = 14695981039346656037ull;
    size_t i;
    for (i = 0; i < data.size; ++i) {
        h ^= (unsigned char)data.data[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Builds `<ns>:<version>:<entity>:<id>` and, when params.size > 0, `:` + 16 lower-case hex digits
 * of valory_cache_hash64(params) (params are the long lookup parameters, serialised
 * deterministically by the caller). Returns the key length (buf is NUL-terminated), or 0 when a
 * component is empty or has a forbidden character (see valory_cache_key_char_ok) or the key does
 * not fit in `cap` (VALORY_CACHE_MAX_KEY + 1 always suffices for a valid key).
 * Required: -. Ownership: writes buf only. Threads: any. Since: 1.0 */
static inline size_t valory_cache_make_key(char* buf, size_t cap, const char* ns, const char* version,
                                           const char* entity, valory_str id, valory_str params) {
    size_t pos = 0;
    if (!buf || cap == 0) return 0;
    buf[0] = '\0';
    if (!valory_cache_key_append_(buf, cap, &pos, valory_str_from(ns), 1) ||
        !valory_cache_key_append_(buf, cap, &pos, valory_str_from(version), 1) ||
        !valory_cache_key_append_(buf, cap, &pos, valory_str_from(entity), 1) ||
        !valory_cache_key_append_(buf, cap, &pos, id, params.size > 0)) {
        buf[0] = '\0';
        return 0;
    }
    if (params.size > 0) {
        static const char hex[] = "0123456789abcdef";
        uint64_t h = valory_cache_hash64(params);
        int i;
        if (pos + 16u + 1u > cap) {
            buf[0] = '\0';
            return 0;
        }
        for (i = 15; i >= 0; --i) {
            buf[pos + (size_t)i] = hex[h & 0xfu];
            h >>= 4;
        }
        pos += 16u;
        buf[pos] = '\0';
    }
    if (pos > VALORY_CACHE_MAX_KEY) {
        buf[0] = '\0';
        return 0;
    }
    return pos;
}

/* Builds a prefix for delete_prefix(): `<ns>:<version>:`, plus `<entity>:` when entity is non-NULL,
 * plus `<id>:` when id.size > 0 (every hashed variant of one entity). Delete the exact key
 * `<ns>:<version>:<entity>:<id>` separately. Returns the length, or 0 as valory_cache_make_key().
 * Required: -. Ownership: writes buf only. Threads: any. Since: 1.0 */
static inline size_t valory_cache_make_prefix(char* buf, size_t cap, const char* ns, const char* version,
                                              const char* entity, valory_str id) {
    size_t pos = 0;
    if (!buf || cap == 0) return 0;
    buf[0] = '\0';
    if (!valory_cache_key_append_(buf, cap, &pos, valory_str_from(ns), 1) ||
        !valory_cache_key_append_(buf, cap, &pos, valory_str_from(version), 1) ||
        (entity && !valory_cache_key_append_(buf, cap, &pos, valory_str_from(entity), 1)) ||
        (entity && id.size > 0 && !valory_cache_key_append_(buf, cap, &pos, id, 1)) ||
        (!entity && id.size > 0)) {
        buf[0] = '\0';
        return 0;
    }
    return pos;
}

#ifdef __cplusplus
}
#endif
#endif /* VALORY_CACHE_H */
