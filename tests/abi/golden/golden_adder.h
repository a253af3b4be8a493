/* golden.adder/1: the service of the golden v1.0 plugin (C, only ABI v1.0 types). */
#ifndef GOLDEN_ADDER_H
#define GOLDEN_ADDER_H
#include "valory/abi.h"
#ifdef __cplusplus
extern "C" {
#endif
typedef struct golden_adder_v1 {
    uint32_t struct_size;
    /* *out = a + b. VALORY_ERR_INVALID_ARGUMENT when out is NULL. Threads: any. Since: 1.0 */
    valory_status (*add)(void* self, int64_t a, int64_t b, int64_t* out, valory_error* err);
    /* Number of add() calls served so far. Threads: any. Since: 1.0 */
    uint64_t (*calls)(void* self);
} golden_adder_v1;
#ifdef __cplusplus
}
#endif
#endif
