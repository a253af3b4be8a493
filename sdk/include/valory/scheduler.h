/* Valory SDK — ABI v1: the scheduler.
 *
 * A timer thread fires jobs; bodies run on a small worker pool (default 2 threads). Two runs of one
 * job never overlap: a tick that comes while the previous run is still going is skipped and counted.
 * Each tick is delayed by a random jitter in [0, jitter_ms]. Jobs are removed when the plugin stops.
 */
#ifndef VALORY_SCHEDULER_H
#define VALORY_SCHEDULER_H

#include "valory/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct valory_job valory_job; /* opaque */

/* Job body. Return VALORY_OK or an error (logged, counted, published as JOB_FINISHED).
 * Threads: a scheduler worker. Since: 1.0 */
typedef valory_status (*valory_job_fn)(void* user, valory_error* err);

enum {
    VALORY_JOB_RUN_AT_START = 1u << 0, /* first run right away instead of after one interval */
    VALORY_JOB_CLUSTER_ONCE = 1u << 1  /* reserved: once per interval across hosts (lock service) */
};

typedef struct valory_job_def {
    uint32_t struct_size;
    const char* name; /* unique within the plugin */
    uint64_t interval_ms;
    uint64_t jitter_ms;
    uint32_t flags;
    valory_job_fn fn;
    void* user;
} valory_job_def;

typedef struct valory_scheduler_api {
    uint32_t struct_size;

    /* Adds a periodic job. Required: yes. Ownership: def copied; `user` must outlive the job.
     * Threads: control thread (start()). Since: 1.0 */
    valory_status (*add_job)(valory_host* self, const valory_job_def* def, valory_job** out,
                             valory_error* err);

    /* Cancels a job and waits up to `deadline_ms` for a running body to finish; VALORY_ERR_TIMEOUT
     * if it is still running then (it is left to finish on its own). Required: yes.
     * Threads: control thread. Since: 1.0 */
    valory_status (*cancel_job)(valory_host* self, valory_job* job, uint64_t deadline_ms, valory_error* err);

    /* Runs a job as soon as a worker is free (unless it is running). Required: yes. Threads: any. Since: 1.0
     */
    valory_status (*trigger_job)(valory_host* self, valory_job* job, valory_error* err);
} valory_scheduler_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_SCHEDULER_H */
