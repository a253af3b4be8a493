/* Valory SDK — service `host.health/1`: the health of every plugin, as the host sees it.
 *
 * Provided by the host itself (declare it in the manifest's `requires`:
 * {"service": "host.health", "major": 1}) and acquired like any other service. It lets an observer
 * (the monitoring plugin's readiness endpoint) read each plugin's optional `health` slot without
 * knowing the plugins: the host calls the slots, the caller gets one JSON document.
 *
 * Added in SDK 1.0 as a new host service (no existing struct changed): a host without it answers
 * acquire() with VALORY_ERR_NOT_FOUND.
 */
#ifndef VALORY_PLUGIN_HEALTH_H
#define VALORY_PLUGIN_HEALTH_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_PLUGIN_HEALTH_SERVICE "host.health"
#define VALORY_PLUGIN_HEALTH_MAJOR 1
#define VALORY_PLUGIN_HEALTH_MINOR 0

typedef struct valory_plugin_health_api {
    uint32_t struct_size;

    /* Writes a JSON array with one object per plugin enabled in the admin config, in start order:
     *   {"id": "...", "version": "...", "state": "started" | "stopped" | "refused" | ...,
     *    "optional": bool, "reason": "..." (refused only),
     *    "health": "ok" | "degraded" | "failed" | "unknown" | "none" (no health slot),
     *    "detail": {...} (the slot's JSON detail; absent when none)}
     * Each started plugin's `health` slot is called on the calling thread (it may probe its
     * dependency, e.g. a database round trip), so call it from a worker, not a hot path.
     * Required: yes. Ownership: the bytes written to `out` are the caller's. Threads: any.
     * Since: 1.0 */
    valory_status (*report)(void* self, valory_writer* out, valory_error* err);
} valory_plugin_health_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_PLUGIN_HEALTH_H */
