/* Valory SDK — ABI v1: the plugin descriptor, the lifecycle and the host API table.
 *
 * A plugin is a shared library that exports exactly one symbol, `valory_plugin_entry_v1`,
 * returning a pointer to a static descriptor. Beside the library sits `plugin.json` (its manifest:
 * id, version, ABI, library, requires/optional/provides, config schema), which the host reads and
 * checks — with the ELF header — before it opens the library.
 *
 * Lifecycle, always on the host's control thread, in dependency order (stop in reverse):
 *   create -> start -> stop -> destroy
 *  - create:  allocate and validate; no threads, no services, no routes. Receives the run mode.
 *  - start:   acquire services, register services/routes/jobs/subscriptions, start threads.
 *  - stop:    refuse new work, join threads, release services. The host removes anything left.
 *             Route handlers and service calls in flight have finished before stop() is called.
 *  - destroy: free everything. The library stays mapped until the process exits.
 * Between start and stop, route handlers, service calls, jobs and event callbacks run concurrently
 * on host threads. No plugin calls into the host after its stop() returned, except destroy-time
 * logging.
 */
#ifndef VALORY_PLUGIN_H
#define VALORY_PLUGIN_H

#include "valory/abi.h"
#include "valory/config.h"
#include "valory/events.h"
#include "valory/http.h"
#include "valory/log.h"
#include "valory/metrics.h"
#include "valory/scheduler.h"
#include "valory/services.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why the host is running (0 = unknown). */
typedef int32_t valory_run_mode;
enum {
    VALORY_RUN_UNKNOWN = 0,
    VALORY_RUN_SERVE = 1,  /* normal server */
    VALORY_RUN_CHECK = 2,  /* --check: validate and start without side effects (no migrations, no jobs) */
    VALORY_RUN_COMMAND = 3 /* `valory-host run <plugin> <command>`: see valory_create_args */
};

/* Health states (0 = unknown). */
typedef int32_t valory_health_state;
enum {
    VALORY_HEALTH_UNKNOWN = 0,
    VALORY_HEALTH_OK = 1,
    VALORY_HEALTH_DEGRADED = 2,
    VALORY_HEALTH_FAILED = 3
};

/* The host API, given to create() and valid until destroy() returns. Every sub-table starts with
 * struct_size; a plugin built against a newer minor checks struct_size (or get_proc) before using
 * a function that its host may not have. */
typedef struct valory_host_api {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    const valory_log_api* log;
    const valory_config_api* config;
    const valory_service_api* services;
    const valory_http_api* http;
    const valory_event_api* events;
    const valory_metrics_api* metrics;
    const valory_scheduler_api* scheduler;

    /* Feature query by name, e.g. "valory_http_api.defer@1.1"; NULL when absent.
     * Required: yes. Threads: any. Since: 1.0 */
    const void* (*get_proc)(const char* name);
} valory_host_api;

/* Arguments of create(). */
typedef struct valory_create_args {
    uint32_t struct_size;
    valory_run_mode run_mode;
    valory_str settings_json;  /* validated settings, secrets resolved; valid until destroy() */
    valory_str command_plugin; /* VALORY_RUN_COMMAND: the plugin the command targets */
    valory_str command_name;   /* VALORY_RUN_COMMAND: e.g. "migrate" */
    const valory_str* command_args;
    size_t command_arg_count;
} valory_create_args;

/* create: builds the plugin instance from its settings. Must not start threads or register
 * anything. Required: yes. Ownership: *instance is the plugin's until destroy(). Threads: control.
 * Since: 1.0 */
typedef valory_status (*valory_plugin_create_fn)(const valory_host_api* api, valory_host* host,
                                                 const valory_create_args* args, void** instance,
                                                 valory_error* err);
/* start: acquires services, registers services/routes/jobs. On failure the host removes whatever
 * was registered and calls destroy(). Required: yes. Threads: control. Since: 1.0 */
typedef valory_status (*valory_plugin_start_fn)(void* instance, valory_error* err);
/* stop: stops work and releases services. Errors are logged; the host goes on regardless.
 * Required: yes. Threads: control. Since: 1.0 */
typedef valory_status (*valory_plugin_stop_fn)(void* instance, valory_error* err);
/* destroy: frees the instance. Required: yes. Threads: control. Since: 1.0 */
typedef void (*valory_plugin_destroy_fn)(void* instance);
/* health: current state plus optional JSON detail written to `detail`. Optional (NULL).
 * Threads: any. Since: 1.0 */
typedef valory_health_state (*valory_plugin_health_fn)(void* instance, valory_writer* detail);
/* reconfigure: applies new validated settings; VALORY_OK or VALORY_ERR_NEEDS_RESTART. Optional.
 * Threads: control. Since: 1.0 */
typedef valory_status (*valory_plugin_reconfigure_fn)(void* instance, valory_str settings_json,
                                                      valory_error* err);
/* command: runs a plugin CLI action (`valory-host run <plugin> <command> [args]`), writing its
 * human-readable report to `out`. Called after start() in VALORY_RUN_COMMAND mode. Optional.
 * Threads: control. Since: 1.0 */
typedef valory_status (*valory_plugin_command_fn)(void* instance, valory_str command, const valory_str* args,
                                                  size_t arg_count, valory_writer* out, valory_error* err);

/* The descriptor, returned by the entry symbol; static storage in the plugin. */
typedef struct valory_plugin_descriptor {
    uint32_t struct_size;
    uint16_t abi_major;    /* VALORY_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;    /* VALORY_ABI_MINOR the plugin was built against */
    const char* id;        /* must equal the manifest's id */
    const char* version;   /* plugin semver; must equal the manifest's version */
    const char* build_tag; /* informative: compiler, standard library, arch */
    valory_plugin_create_fn create;
    valory_plugin_start_fn start;
    valory_plugin_stop_fn stop;
    valory_plugin_destroy_fn destroy;
    valory_plugin_health_fn health;
    valory_plugin_reconfigure_fn reconfigure;
    valory_plugin_command_fn command;
} valory_plugin_descriptor;

#define VALORY_PLUGIN_ENTRY_SYMBOL "valory_plugin_entry_v1"

/* The one exported symbol. Required: yes. Threads: control. Since: 1.0 */
typedef const valory_plugin_descriptor* (*valory_plugin_entry_fn)(void);
VALORY_EXPORT const valory_plugin_descriptor* valory_plugin_entry_v1(void);

#ifdef __cplusplus
}
#endif
#endif /* VALORY_PLUGIN_H */
