/* One row of the ABI layout table: a struct's size/alignment, a field's offset/size, or a constant. */
#ifndef VALORY_LAYOUT_PROBE_H
#define VALORY_LAYOUT_PROBE_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
typedef struct valory_layout_entry {
    const char* type;  /* struct name, or "const" */
    const char* field; /* field name, "" for the struct row, constant name for "const" */
    int64_t a;         /* struct: sizeof; field: offsetof; const: value */
    int64_t b;         /* struct: alignof; field: sizeof(field); const: 0 */
} valory_layout_entry;
/* Computed by layout_probe.c compiled as C11 against the frozen v1.0 headers / the current headers. */
const valory_layout_entry* valory_layout_v1_0(size_t* count);
const valory_layout_entry* valory_layout_current(size_t* count);
#ifdef __cplusplus
}
#endif
#endif
