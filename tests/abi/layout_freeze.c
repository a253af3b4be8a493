/* ABI layout freeze, checked by the compiler. Compiled as C11 twice:
 *  - against the frozen v1.0 headers with VALORY_FREEZE_EXACT: every size is exactly v1.0's;
 *  - against the current sdk/include: offsets, field sizes, alignments and constants are v1.0's,
 *    sizes may only have grown (appended fields of a later minor).
 * Any mid-struct insertion, reordering, type change or renumbered constant fails the build. */
#include "valory/valory.h"

#include "valory/cache.h"
#include "valory/http_client.h"
#include "valory/riot.h"
#include "valory/sql.h"
#include "valory/twitch.h"

#if !defined(__x86_64__) || !defined(__LP64__)
#error "the v1.0 layout freeze is recorded for x86_64 (LP64)"
#endif

#ifdef VALORY_FREEZE_EXACT
#define VALORY_FREEZE_SIZE(T, S, A)                                       \
    _Static_assert(sizeof(T) == (S), "ABI v1.0: sizeof(" #T ") changed"); \
    _Static_assert(_Alignof(T) == (A), "ABI v1.0: alignment of " #T " changed");
#else
#define VALORY_FREEZE_SIZE(T, S, A)                                      \
    _Static_assert(sizeof(T) >= (S), "ABI v1.0: sizeof(" #T ") shrank"); \
    _Static_assert(_Alignof(T) == (A), "ABI v1.0: alignment of " #T " changed");
#endif
#define VALORY_FREEZE_FIELD(T, F, O, S)                                     \
    _Static_assert(offsetof(T, F) == (O), "ABI v1.0: " #T "." #F " moved"); \
    _Static_assert(sizeof(((T*)0)->F) == (S), "ABI v1.0: " #T "." #F " changed size");
#define VALORY_FREEZE_CONST(C, V) _Static_assert((C) == (V), "ABI v1.0: constant " #C " changed");

#include "layout_v1_0_frozen.inc"

#ifdef VALORY_FREEZE_EXACT
int valory_layout_freeze_v1_0_checked(void);
int valory_layout_freeze_v1_0_checked(void) {
    return 1;
}
#else
int valory_layout_freeze_current_checked(void);
int valory_layout_freeze_current_checked(void) {
    return 1;
}
#endif
