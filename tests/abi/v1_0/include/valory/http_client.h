/* Valory SDK — service `http.client/1`: outbound HTTP(S) through the host.
 *
 * Provided by the host itself (declare it in the manifest's `requires`:
 * {"service": "http.client", "major": 1, "min_minor": 0}) and acquired like any other service.
 * Plugins make every outbound HTTP and TLS call through it: Poco's SSLManager is shared by the whole
 * process and only the host configures it (see PITFALLS).
 *
 * What one call does:
 *  - Connections come from pools shared by all plugins, with a total and a per-host limit
 *    (defaults 30 / 10), kept alive and reused; idle connections expire. Waiting for a free
 *    connection is bounded by the call's deadline.
 *  - `Accept-Encoding: gzip, deflate` is sent unless the caller sets Accept-Encoding itself; a gzip
 *    or deflate body is decoded transparently (the response then has no Content-Encoding and no
 *    Content-Length header; the body is the decoded bytes).
 *  - https URLs are verified (chain against the configured CA file or the system CAs, and host
 *    name); a certificate that does not verify fails the call, never a prompt.
 *  - One deadline covers every attempt, connection wait and backoff. The call never sleeps past it.
 *  - Retries (only for idempotent requests: GET, HEAD, OPTIONS, PUT, DELETE, or any method with
 *    VALORY_HTTP_CLIENT_IDEMPOTENT; never with VALORY_HTTP_CLIENT_NO_RETRY) on connection errors,
 *    timeouts, 429, 500, 502, 503 and 504, with capped exponential backoff and full jitter.
 *    `Retry-After` (seconds or HTTP date), `Ratelimit-Reset` and `x-ratelimit-reset` (epoch seconds
 *    when > 10^9, else seconds from now) are a minimum wait. If the wait a 429 requires is longer
 *    than what is left of the deadline, the call fails at once with VALORY_ERR_RATE_LIMITED and
 *    err->detail = the wait in milliseconds, so the caller can serve cached data instead.
 *
 * Outcome of perform():
 *  - VALORY_OK: a complete HTTP response arrived (any status other than 429 and 5xx, or 429/5xx
 *    with VALORY_HTTP_CLIENT_RAW_STATUS). 4xx answers such as 401/404 are VALORY_OK: read the status.
 *  - VALORY_ERR_RATE_LIMITED: the last answer was 429 (retries exhausted or not allowed, or the
 *    required wait is beyond the deadline). detail = wait in ms before the upstream accepts requests
 *    again (from its headers; the next backoff step when it sent none).
 *  - VALORY_ERR_UNAVAILABLE: could not connect (refused, DNS failure, TLS handshake or certificate
 *    verification failed) or the last answer was 5xx (detail = that HTTP status).
 *  - VALORY_ERR_TIMEOUT: the deadline passed (connecting, waiting for a pooled connection, sending
 *    or receiving).
 *  - VALORY_ERR_UPSTREAM: the upstream answered something unusable: malformed status line or
 *    headers, truncated body, corrupt gzip/deflate data.
 *  - VALORY_ERR_TOO_LARGE: the (decoded) body exceeded the host's `max_body_bytes`.
 *  - VALORY_ERR_INVALID_ARGUMENT: bad URL (only absolute http:// and https:// URLs), method or header.
 * Whenever an HTTP answer arrived (VALORY_OK, and RATE_LIMITED / UNAVAILABLE caused by a status),
 * *out receives the last response and the caller must release it; otherwise *out is set to NULL.
 */
#ifndef VALORY_HTTP_CLIENT_H
#define VALORY_HTTP_CLIENT_H

#include "valory/http.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_HTTP_CLIENT_SERVICE "http.client"
#define VALORY_HTTP_CLIENT_MAJOR 1
#define VALORY_HTTP_CLIENT_MINOR 0

/* Request flags. */
enum {
    /* Retry this request although its method is not idempotent (e.g. a POST that is safe to repeat). */
    VALORY_HTTP_CLIENT_IDEMPOTENT = 1u << 0,
    /* Never retry (e.g. exchanging a single-use OAuth code), whatever the method. */
    VALORY_HTTP_CLIENT_NO_RETRY = 1u << 1,
    /* Deliver a final 429 or 5xx as VALORY_OK with the response instead of an error status
     * (retries still happen as usual). */
    VALORY_HTTP_CLIENT_RAW_STATUS = 1u << 2
};

typedef struct valory_http_client_request {
    uint32_t struct_size;
    valory_str method;        /* upper-case token; empty = "GET" */
    valory_str url;           /* absolute http:// or https:// URL, query already encoded */
    const valory_kv* headers; /* sent in order, repeated names allowed; may be NULL if header_count is 0 */
    size_t header_count;
    valory_str body;      /* sent with Content-Length when non-empty (or when the method is POST/PUT/PATCH) */
    uint64_t deadline_ms; /* budget for the whole call from now (all attempts and waits); 0 = host default */
    uint32_t flags;       /* VALORY_HTTP_CLIENT_* */
    uint32_t max_attempts; /* upper bound on attempts including the first; 0 = host default (3) */
} valory_http_client_request;

/* Per-call counters (optional output of perform()). */
typedef struct valory_http_client_stats {
    uint32_t struct_size;
    uint32_t attempts;           /* requests sent (or tried to send) */
    uint32_t connections_reused; /* attempts that ran on a kept-alive pooled connection */
    uint32_t connections_opened; /* attempts that had to open a new connection */
    uint64_t elapsed_ms;         /* wall time of the whole call */
    uint64_t waited_ms;          /* time spent in backoff and rate-limit waits */
    uint64_t pool_wait_ms;       /* time spent waiting for a free connection (pool limits) */
} valory_http_client_stats;

typedef struct valory_http_client_response valory_http_client_response; /* opaque, host-owned */

typedef struct valory_http_client_api {
    uint32_t struct_size;

    /* Performs a request as described at the top of this file. `stats` may be NULL.
     * Required: yes. Ownership: req borrowed for the call; *out host-owned until response_release().
     * Threads: any, concurrently (blocks the calling thread at most until the deadline). Since: 1.0 */
    valory_status (*perform)(void* self, const valory_http_client_request* req,
                             valory_http_client_response** out, valory_http_client_stats* stats,
                             valory_error* err);

    /* HTTP status code of the response (e.g. 200, 404).
     * Required: yes. Ownership: -. Threads: any (one response is not shared between threads). Since: 1.0 */
    int32_t (*response_status)(void* self, const valory_http_client_response* resp);

    /* Response headers in order as received, multi-valued headers as separate entries (Set-Cookie is
     * never folded). Returns the count; *out points at a host-owned array.
     * Required: yes. Ownership: valid until response_release(). Threads: any. Since: 1.0 */
    size_t (*response_headers)(void* self, const valory_http_client_response* resp, const valory_kv** out);

    /* First value of a header, name compared case-insensitively; *found = 0 when absent (found may be NULL).
     * Required: yes. Ownership: valid until response_release(). Threads: any. Since: 1.0 */
    valory_str (*response_header)(void* self, const valory_http_client_response* resp, const char* name,
                                  int32_t* found);

    /* The complete body, decoded if it was gzip/deflate encoded. Empty for HEAD, 204 and 304.
     * Required: yes. Ownership: valid until response_release(). Threads: any. Since: 1.0 */
    valory_str (*response_body)(void* self, const valory_http_client_response* resp);

    /* Frees a response (NULL is allowed).
     * Required: yes. Ownership: resp invalid afterwards. Threads: any. Since: 1.0 */
    void (*response_release)(void* self, valory_http_client_response* resp);
} valory_http_client_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_HTTP_CLIENT_H */
