/* Valory SDK — ABI v1: host events (metric families are in metrics.h).
 *
 * Events are delivered synchronously on the publishing thread; subscribers must be quick and must
 * not block (copy what they need and hand heavy work to a job). Publishing takes no lock and
 * allocates nothing when nobody subscribes.
 */
#ifndef VALORY_EVENTS_H
#define VALORY_EVENTS_H

#include "valory/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct valory_subscription valory_subscription; /* opaque */

typedef int32_t valory_event_type;
enum {
    VALORY_EVENT_REQUEST_FINISHED = 1, /* payload: valory_request_finished_event */
    VALORY_EVENT_PLUGIN_STATE = 2,     /* payload: valory_plugin_state_event */
    VALORY_EVENT_JOB_FINISHED = 3,     /* payload: valory_job_finished_event */
    VALORY_EVENT_CUSTOM = 4            /* payload: valory_custom_event (plugin-published) */
};

typedef struct valory_request_finished_event {
    uint32_t struct_size;
    valory_str method;
    valory_str route; /* matched template, "<unmatched>" if none */
    int32_t status;
    uint64_t duration_us;
    uint64_t bytes_in;
    uint64_t bytes_out;
    valory_str client_address;
    valory_str plugin_id; /* owner of the route; empty for host answers */
    valory_str request_id;
} valory_request_finished_event;

/* Plugin states (0 = unknown). */
enum {
    VALORY_PLUGIN_STATE_UNKNOWN = 0,
    VALORY_PLUGIN_STATE_LOADED = 1,
    VALORY_PLUGIN_STATE_CREATED = 2,
    VALORY_PLUGIN_STATE_STARTED = 3,
    VALORY_PLUGIN_STATE_STOPPED = 4,
    VALORY_PLUGIN_STATE_FAILED = 5,
    VALORY_PLUGIN_STATE_SKIPPED = 6
};

typedef struct valory_plugin_state_event {
    uint32_t struct_size;
    valory_str plugin_id;
    int32_t state;
    valory_str reason; /* empty unless failed/skipped */
} valory_plugin_state_event;

typedef struct valory_job_finished_event {
    uint32_t struct_size;
    valory_str plugin_id;
    valory_str job_name;
    valory_status status;
    uint64_t duration_us;
    valory_str message;
} valory_job_finished_event;

typedef struct valory_custom_event {
    uint32_t struct_size;
    valory_str publisher; /* plugin id */
    valory_str name;      /* e.g. "overlays.user_linked" */
    valory_str payload_json;
} valory_custom_event;

/* Event callback: `event` points at the payload struct of `type`, valid during the call only.
 * Threads: the publishing thread, concurrently. Since: 1.0 */
typedef void (*valory_event_fn)(void* user, valory_event_type type, const void* event);

typedef struct valory_event_api {
    uint32_t struct_size;

    /* Subscribes to one event type. Removed automatically when the plugin stops.
     * Required: yes. Ownership: `user` must outlive the subscription. Threads: control thread.
     * Since: 1.0 */
    valory_status (*subscribe)(valory_host* self, valory_event_type type, valory_event_fn fn, void* user,
                               valory_subscription** out, valory_error* err);
    /* Required: yes. Threads: control thread. Waits until no delivery to it is in flight. Since: 1.0 */
    void (*unsubscribe)(valory_host* self, valory_subscription* sub);
    /* Publishes a VALORY_EVENT_CUSTOM event. Required: yes. Ownership: borrowed. Threads: any. Since: 1.0 */
    valory_status (*publish)(valory_host* self, valory_str name, valory_str payload_json, valory_error* err);
} valory_event_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_EVENTS_H */
