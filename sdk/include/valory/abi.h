/* Valory SDK — ABI v1: basic types, status codes, per-call errors.
 *
 * Memory rules (stated once for every header of the SDK):
 *  - Only C types cross the boundary: fixed-width integers, double, pointer+length strings
 *    (valory_str), opaque handles and tables of function pointers. No C++ type, exception or
 *    allocator ever crosses it.
 *  - Inputs are borrowed for the duration of the call; the callee copies what it keeps.
 *  - Outputs returned by the host (valory_str and pointers) are owned by the host and stay valid
 *    for the lifetime stated by each function (typically: until the handler returns, or until
 *    the owning handle is released). Outputs a plugin hands to the host are written through a
 *    host-provided valory_writer, so the host never frees plugin memory and vice versa.
 *  - Every struct that crosses starts with `uint32_t struct_size` and only grows at its end.
 *    A reader copies min(struct_size, known size) and treats missing fields as zero/NULL.
 *  - Every fallible function returns a valory_status (0 = success) and takes a caller-provided
 *    valory_error* (may be NULL) for the message. There is no shared last-error state.
 *  - Strings are UTF-8, not necessarily NUL-terminated unless the parameter is `const char*`.
 */
#ifndef VALORY_ABI_H
#define VALORY_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI semver. The host accepts a plugin iff majors are equal and plugin minor <= host minor. */
#define VALORY_ABI_MAJOR 1
#define VALORY_ABI_MINOR 0

#if defined(__GNUC__)
#define VALORY_EXPORT __attribute__((visibility("default")))
#else
#define VALORY_EXPORT
#endif

/* Status codes. Success is zero. Values are frozen: new codes are only appended. */
typedef int32_t valory_status;
enum {
    VALORY_OK = 0,
    VALORY_ERR_INVALID_ARGUMENT = 1, /* caller passed something malformed */
    VALORY_ERR_NOT_FOUND = 2,        /* no such key / route / service / row */
    VALORY_ERR_UNAVAILABLE = 3,      /* dependency down; nothing was done */
    VALORY_ERR_VERSION = 4,          /* incompatible ABI or service version */
    VALORY_ERR_TIMEOUT = 5,          /* deadline passed */
    VALORY_ERR_INTERNAL = 6,         /* bug or unexpected exception */
    VALORY_ERR_UNDECLARED = 7,       /* acquire of a service the manifest does not declare */
    VALORY_ERR_CONFLICT = 8,         /* uniqueness / concurrent modification */
    VALORY_ERR_NEEDS_RESTART = 9,    /* reconfigure: change applies only after a restart */
    VALORY_ERR_PENDING = 10,         /* reserved: deferred (async) HTTP response */
    VALORY_ERR_RATE_LIMITED = 11,    /* upstream rate limit; valory_error.detail = wait in ms */
    VALORY_ERR_UNKNOWN_OUTCOME = 12, /* a write may or may not have happened */
    VALORY_ERR_RETRYABLE = 13,       /* transient conflict (serialization failure, deadlock) */
    VALORY_ERR_TOO_LARGE = 14,       /* value or body over a configured limit */
    VALORY_ERR_UNSUPPORTED = 15,     /* optional feature not offered */
    VALORY_ERR_STATE = 16,           /* called in the wrong lifecycle state */
    VALORY_ERR_UPSTREAM = 17,        /* an upstream answered something unusable */
    VALORY_ERR_UNAUTHORIZED = 18     /* credentials refused (e.g. invalid grant) */
};

/* Opaque host handle: one per loaded plugin, identifies the caller in every host API call. */
typedef struct valory_host valory_host;

/* Non-zero when the struct at `ptr` (whose first member is `uint32_t struct_size`) is large enough
 * to hold `field`: the one check a reader makes before touching a field that a later minor added.
 * `ptr` may be NULL (then 0). Example: VALORY_HAS_FIELD(opts, valory_cache_options, wait_ms). */
#define VALORY_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && (size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Pointer + length string. `data` may be NULL when `size` is 0. */
typedef struct valory_str {
    const char* data;
    size_t size;
} valory_str;

#define VALORY_ERROR_MESSAGE_CAPACITY 480

/* Per-call error, provided by the caller (usually on its stack).
 * `detail` carries a status-specific number (e.g. the wait in ms for VALORY_ERR_RATE_LIMITED,
 * an upstream HTTP status for VALORY_ERR_UPSTREAM); 0 when unused. */
typedef struct valory_error {
    uint32_t struct_size;
    valory_status status;
    int64_t detail;
    char message[VALORY_ERROR_MESSAGE_CAPACITY]; /* NUL-terminated, truncated if longer */
} valory_error;

/* Sink for variable-sized output that a callee produces for its caller (JSON detail, command
 * output, result bodies). The callee calls write() zero or more times; the caller owns the bytes. */
typedef struct valory_writer {
    uint32_t struct_size;
    void* ctx;
    void (*write)(void* ctx, const char* data, size_t size);
} valory_writer;

/* Helpers (header-only, no ABI surface). */
static inline valory_str valory_str_from(const char* cstr) {
    valory_str s;
    s.data = cstr;
    s.size = cstr ? strlen(cstr) : 0;
    return s;
}

static inline void valory_error_init(valory_error* err) {
    if (!err) return;
    err->struct_size = (uint32_t)sizeof(valory_error);
    err->status = VALORY_OK;
    err->detail = 0;
    err->message[0] = '\0';
}

/* Sets status and message (truncating safely); returns status for `return valory_fail(...)`. */
static inline valory_status valory_fail(valory_error* err, valory_status status, const char* message) {
    if (err) {
        size_t n = message ? strlen(message) : 0;
        if (n >= VALORY_ERROR_MESSAGE_CAPACITY) n = VALORY_ERROR_MESSAGE_CAPACITY - 1;
        err->struct_size = (uint32_t)sizeof(valory_error);
        err->status = status;
        if (n) memcpy(err->message, message, n);
        err->message[n] = '\0';
    }
    return status;
}

#ifdef __cplusplus
}
#endif
#endif /* VALORY_ABI_H */
