/* Valory SDK — ABI v1: the inbound HTTP surface (routes, requests, responses, static mounts).
 *
 * The host owns the HTTP server, the router, CORS, HEAD (answered through GET), 405 with `Allow`,
 * the trailing-slash rule (routes match exactly as registered; the other form gets a 307 to the
 * registered one), 304 handling for static files, body limits and `X-Process-Time`. Plugins add
 * routes with method + path template (`/api/overlay/{id}`; a last segment `{rest*}` matches the
 * remaining path) and answer through the response handle.
 *
 * A handler that returns non-zero (or whose C++ wrapper caught an exception) gets a JSON 500 with
 * the message; the host and the plugin keep serving.
 */
#ifndef VALORY_HTTP_H
#define VALORY_HTTP_H

#include "valory/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct valory_request valory_request;   /* opaque, valid during the handler call */
typedef struct valory_response valory_response; /* opaque, valid during the handler call */
typedef struct valory_route valory_route;       /* opaque, one registered route */

/* Route handler. Return VALORY_OK after filling the response; any other status makes the host
 * answer 500 with err->message (unless the response was already committed).
 * Threads: any HTTP worker, concurrently. Since: 1.0 */
typedef valory_status (*valory_route_handler)(void* user, const valory_request* req, valory_response* resp,
                                              valory_error* err);

/* Flags of add_static_mount. */
enum {
    VALORY_STATIC_FINGERPRINTED = 1u << 0, /* names carry a content hash: Cache-Control immutable */
    VALORY_STATIC_INDEX_HTML = 1u << 1     /* a directory request serves its index.html */
};

/* One key/value pair (query parameter, header, cookie, path parameter). */
typedef struct valory_kv {
    valory_str key;
    valory_str value;
} valory_kv;

typedef struct valory_http_api {
    uint32_t struct_size;

    /* --- routing --------------------------------------------------------------------------- */

    /* Adds a route. `method` is an upper-case token (GET, POST, ...); HEAD is served through GET.
     * VALORY_ERR_CONFLICT if the same method + template exists, VALORY_ERR_INVALID_ARGUMENT for a
     * bad template. Required: yes. Ownership: strings copied; `user` must outlive the route.
     * Threads: control thread (start()). Since: 1.0 */
    valory_status (*add_route)(valory_host* self, const char* method, const char* path_template,
                               valory_route_handler handler, void* user, valory_route** out,
                               valory_error* err);

    /* Removes a route and waits until no call of its handler is in flight. The host removes every
     * route a plugin left behind when it stops. Required: yes. Threads: control thread. Since: 1.0 */
    valory_status (*remove_route)(valory_host* self, valory_route* route, valory_error* err);

    /* Serves files under `directory` at `url_prefix` (ETag, Last-Modified, 304, pre-gzipped `.gz`
     * siblings, no `..`). Removed with the plugin. Required: yes. Ownership: strings copied.
     * Threads: control thread. Since: 1.0 */
    valory_status (*add_static_mount)(valory_host* self, const char* url_prefix, const char* directory,
                                      uint32_t flags, valory_error* err);

    /* --- request (all results host-owned, valid until the handler returns) ------------------ */

    /* Method as received (HEAD requests reach GET handlers with method "HEAD"). Since: 1.0 */
    valory_str (*request_method)(const valory_request* req);
    /* Raw request target (path and query, percent-encoded, as received). Since: 1.0 */
    valory_str (*request_target)(const valory_request* req);
    /* Decoded path, without query. Since: 1.0 */
    valory_str (*request_path)(const valory_request* req);
    /* Matched route template, e.g. "/api/overlay/{id}". Since: 1.0 */
    valory_str (*request_route)(const valory_request* req);
    /* Path parameter by name; *found = 0 when absent. Since: 1.0 */
    valory_str (*path_param)(const valory_request* req, const char* name, int32_t* found);
    /* Decoded query parameters in order, repeated keys kept. Returns the count; *out points at a
     * host-owned array. Since: 1.0 */
    size_t (*query_params)(const valory_request* req, const valory_kv** out);
    /* Headers in order, multi-valued headers kept as separate entries. Since: 1.0 */
    size_t (*headers)(const valory_request* req, const valory_kv** out);
    /* First value of a header, compared case-insensitively; *found = 0 when absent. Since: 1.0 */
    valory_str (*header)(const valory_request* req, const char* name, int32_t* found);
    /* Cookies parsed from every Cookie header. Since: 1.0 */
    size_t (*cookies)(const valory_request* req, const valory_kv** out);
    /* Request body, complete (the host has enforced the configured limit with a 413). Since: 1.0 */
    valory_str (*body)(const valory_request* req);
    /* TCP peer "ip:port". Since: 1.0 */
    valory_str (*peer_address)(const valory_request* req);
    /* Client IP: X-Forwarded-For honoured only when the peer is a configured trusted proxy. Since: 1.0 */
    valory_str (*client_address)(const valory_request* req);
    /* "http" or "https" and host[:port] as the client saw them (trusted X-Forwarded-Proto/Host). Since: 1.0
     */
    valory_str (*scheme)(const valory_request* req);
    valory_str (*host)(const valory_request* req);
    /* Request id: incoming X-Request-Id from a trusted proxy, else generated. Since: 1.0 */
    valory_str (*request_id)(const valory_request* req);

    /* --- response (setters copy their inputs) ----------------------------------------------- */

    /* Status code (default 200). Since: 1.0 */
    void (*set_status)(valory_response* resp, int32_t status);
    /* Replaces every value of a header. Since: 1.0 */
    void (*set_header)(valory_response* resp, valory_str name, valory_str value);
    /* Adds one more value (e.g. Set-Cookie, never folded). Since: 1.0 */
    void (*add_header)(valory_response* resp, valory_str name, valory_str value);
    /* Appends to the buffered body; the host sets Content-Length and drops the body for HEAD/304. Since: 1.0
     */
    void (*append_body)(valory_response* resp, valory_str data);
    /* Sends a file (Content-Type from `content_type` or the extension). VALORY_ERR_NOT_FOUND if
     * it cannot be opened. Since: 1.0 */
    valory_status (*send_file)(valory_response* resp, const char* path, const char* content_type,
                               valory_error* err);

    /* Reserved for deferred (async) responses: a handler calls defer() and returns
     * VALORY_ERR_PENDING, then complete() from any thread. Not implemented by hosts 1.0:
     * returns VALORY_ERR_UNSUPPORTED. Since: 1.0 */
    valory_status (*defer)(valory_response* resp, valory_error* err);
    valory_status (*complete)(valory_response* resp, valory_error* err);
    /* Reserved for streaming bodies (chunked). Not implemented by hosts 1.0. Since: 1.0 */
    valory_status (*stream_write)(valory_response* resp, valory_str data, valory_error* err);
} valory_http_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_HTTP_H */
