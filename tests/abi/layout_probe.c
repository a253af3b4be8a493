/* Compiled twice as C11: against tests/abi/v1_0/include (LAYOUT_FN=valory_layout_v1_0) and against
 * sdk/include (LAYOUT_FN=valory_layout_current). The GoogleTest compares the two tables. */
#include "valory/valory.h"

#include "valory/cache.h"
#include "valory/http_client.h"
#include "valory/riot.h"
#include "valory/sql.h"
#include "valory/twitch.h"
#include "layout_probe.h"

#define VALORY_STRUCT(T) {#T, "", (int64_t)sizeof(T), (int64_t) _Alignof(T)},
#define VALORY_FIELD(T, F) {#T, #F, (int64_t)offsetof(T, F), (int64_t)sizeof(((T*)0)->F)},
#define VALORY_CONST(C) {"const", #C, (int64_t)(C), 0},

static const valory_layout_entry kEntries[] = {
#include "layout_fields.inc"
#include "layout_consts.inc"
};

const valory_layout_entry* LAYOUT_FN(size_t* count) {
    *count = sizeof kEntries / sizeof kEntries[0];
    return kEntries;
}
