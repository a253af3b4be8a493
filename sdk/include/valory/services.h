/* Valory SDK — ABI v1: the service registry.
 *
 * A service is a C vtable identified by (name, major) with a minor version. Providers register in
 * start(); consumers acquire by name + major + minimum minor and release when done (at the latest
 * in stop()). Acquiring a service that the plugin's manifest does not declare (`requires` or
 * `optional`) fails with VALORY_ERR_UNDECLARED. The host stops every consumer holding a service
 * (required and optional alike) before stopping its provider, so a provider never disappears under
 * a holder; a call in flight keeps its provider alive because its caller holds the reference.
 *
 * Service headers live beside this one (http_client.h, sql.h, cache.h, twitch.h, riot.h). Host-provided
 * services (http.client/1) are acquired the same way and must be declared in `requires` too.
 *
 * The one shape of a service header `valory/<svc>.h` (every service follows it; new ones must):
 *  - `#define VALORY_<SVC>_SERVICE "<name>"`, `VALORY_<SVC>_MAJOR`, `VALORY_<SVC>_MINOR`.
 *  - Enums first, each with a typedef that the structs use as the field's type
 *    (e.g. `typedef int32_t valory_cache_source;`); flag sets are `uint32_t` bits.
 *  - Arguments that may grow travel in a struct whose first member is `uint32_t struct_size`
 *    (valory_http_client_request, valory_riot_query, valory_twitch_query, ...): the caller sets
 *    struct_size = sizeof(its struct); the provider copies min(struct_size, its size) and treats
 *    missing fields as zero, or tests single fields with VALORY_HAS_FIELD (abi.h).
 *  - A call that may wait on a network peer takes its budget as `uint64_t deadline_ms` in that
 *    argument struct: milliseconds for the whole call from now, all retries and waits included,
 *    0 = the provider's configured default. (sql/1 and cache/1 calls are bounded by the provider's
 *    configured statement and Redis timeouts instead.)
 *  - The vtable is `typedef struct valory_<svc>_api { uint32_t struct_size; ...functions... }`.
 *    Every function's first argument is the provider's `void* self` (valory_service.self), and
 *    every fallible one returns valory_status and takes `valory_error* err` last. Variable-sized
 *    output goes through a caller's valory_writer; provider-owned results are opaque handles
 *    released through the same vtable.
 *  - Functions are only appended (a new minor); struct fields only appended. The layout of every
 *    service struct and vtable is frozen by tests/abi (layout_fields.inc, v1_0/).
 */
#ifndef VALORY_SERVICES_H
#define VALORY_SERVICES_H

#include "valory/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct valory_service_ref valory_service_ref; /* opaque: one acquisition */

/* What an acquisition yields: the provider's vtable and instance, and the minor it offers. */
typedef struct valory_service {
    uint32_t struct_size;
    const void* vtable; /* cast to the service's vtable type; starts with struct_size */
    void* self;         /* first argument of every vtable function */
    uint32_t major;
    uint32_t minor;
} valory_service;

typedef struct valory_service_api {
    uint32_t struct_size;

    /* Registers a service. Fails with VALORY_ERR_CONFLICT if (name, major) is registered, and
     * VALORY_ERR_UNDECLARED if the manifest's `provides` does not list it.
     * Required: yes. Ownership: name copied; vtable and self must stay valid until unregistered
     * (at the latest until stop() returns). Threads: control thread (start()). Since: 1.0 */
    valory_status (*register_service)(valory_host* self, const char* name, uint32_t major, uint32_t minor,
                                      const void* vtable, void* service_self, valory_error* err);

    /* Removes a service this plugin registered. The host does it for whatever a plugin leaves
     * behind when it stops or fails. Required: yes. Ownership: -. Threads: control thread. Since: 1.0 */
    valory_status (*unregister_service)(valory_host* self, const char* name, uint32_t major,
                                        valory_error* err);

    /* Acquires (name, major) with at least `min_minor`. VALORY_ERR_NOT_FOUND when no provider is
     * running, VALORY_ERR_VERSION when its minor is too old, VALORY_ERR_UNDECLARED when the manifest
     * does not declare it. Required: yes. Ownership: *ref and *out valid until release().
     * Threads: any (normally start()). Since: 1.0 */
    valory_status (*acquire)(valory_host* self, const char* name, uint32_t major, uint32_t min_minor,
                             valory_service_ref** ref, valory_service* out, valory_error* err);

    /* Releases an acquisition. Required: yes. Ownership: ref invalid afterwards.
     * Threads: any. Since: 1.0 */
    void (*release)(valory_host* self, valory_service_ref* ref);
} valory_service_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_SERVICES_H */
