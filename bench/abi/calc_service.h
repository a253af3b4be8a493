/* Benchmark-only service "bench.calc" v1.0, in the style of the SDK's service headers.
 * One function: add two integers. Used by bench_abi to measure a service call through the ABI. */
#ifndef VALORY_BENCH_CALC_SERVICE_H
#define VALORY_BENCH_CALC_SERVICE_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_BENCH_CALC_SERVICE "bench.calc"
#define VALORY_BENCH_CALC_MAJOR 1
#define VALORY_BENCH_CALC_MINOR 0

typedef struct valory_bench_calc_v1 {
    uint32_t struct_size;
    /* *out = a + b. Required: yes. Ownership: -. Threads: any. Since: 1.0 */
    valory_status (*add)(void* self, int64_t a, int64_t b, int64_t* out, valory_error* err);
} valory_bench_calc_v1;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_BENCH_CALC_SERVICE_H */
