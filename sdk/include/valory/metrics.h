/* Valory SDK — ABI v1: metric families (counters, gauges, histograms) kept by the host.
 *
 * A plugin defines its families once (create/start) and records by family id and label values;
 * recording is lock-free on the hot path and allocates nothing up to 8 labels. An exporter (the
 * monitoring plugin) visits every family of the host and all plugins.
 */
#ifndef VALORY_METRICS_H
#define VALORY_METRICS_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t valory_metric_kind;
enum { VALORY_METRIC_COUNTER = 1, VALORY_METRIC_GAUGE = 2, VALORY_METRIC_HISTOGRAM = 3 };

/* A metric family: fixed label names, fixed histogram buckets (upper bounds, ascending). */
typedef struct valory_metric_family_def {
    uint32_t struct_size;
    valory_metric_kind kind;
    const char* name; /* [a-z_][a-z0-9_]*; the host prefixes nothing, keep it unique */
    const char* help;
    const char* const* label_names;
    size_t label_count;
    const double* buckets; /* histograms only */
    size_t bucket_count;
} valory_metric_family_def;

/* One sample visited by an exporter. For histograms, bucket_counts has bucket_count + 1 entries
 * (the last is +Inf), cumulative, and `value` is the sum; `count` the number of observations. */
typedef struct valory_metric_sample {
    uint32_t struct_size;
    valory_str family;
    valory_str help;
    valory_metric_kind kind;
    const valory_str* label_names;
    const valory_str* label_values;
    size_t label_count;
    double value;
    uint64_t count;
    const double* buckets;
    const uint64_t* bucket_counts;
    size_t bucket_count;
    valory_str owner; /* plugin id that defined the family ("host" for the host's own) */
} valory_metric_sample;

typedef void (*valory_metric_visitor)(void* user, const valory_metric_sample* sample);

typedef struct valory_metrics_api {
    uint32_t struct_size;

    /* Defines (or finds, when identical) a family; returns its id. VALORY_ERR_CONFLICT when a family
     * of that name exists with another kind or labels. Required: yes. Ownership: copied.
     * Threads: control thread (create/start). Since: 1.0 */
    valory_status (*define_family)(valory_host* self, const valory_metric_family_def* def, uint32_t* out_id,
                                   valory_error* err);

    /* Recording by id and label values (count must equal the family's label_count). Unknown ids or
     * wrong counts are ignored (and counted by the host). Required: yes. Ownership: borrowed.
     * Threads: any. Since: 1.0 */
    void (*counter_add)(valory_host* self, uint32_t family, const valory_str* label_values, size_t count,
                        double delta);
    void (*gauge_set)(valory_host* self, uint32_t family, const valory_str* label_values, size_t count,
                      double value);
    void (*gauge_add)(valory_host* self, uint32_t family, const valory_str* label_values, size_t count,
                      double delta);
    void (*histogram_observe)(valory_host* self, uint32_t family, const valory_str* label_values,
                              size_t count, double value);

    /* Visits every sample of every family (host's and all plugins'). Required: yes.
     * Ownership: samples valid during the callback. Threads: any. Since: 1.0 */
    void (*visit)(valory_host* self, valory_metric_visitor visitor, void* user);
} valory_metrics_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_METRICS_H */
