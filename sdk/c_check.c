/* Compiles every SDK C header as C11 so no C++-ism slips into the contract. */
#include "valory/valory.h"

#if __has_include("valory/http_client.h")
#include "valory/http_client.h"
#endif
#if __has_include("valory/sql.h")
#include "valory/sql.h"
#endif
#if __has_include("valory/cache.h")
#include "valory/cache.h"
#endif
#if __has_include("valory/twitch.h")
#include "valory/twitch.h"
#endif
#if __has_include("valory/riot.h")
#include "valory/riot.h"
#endif

int valory_sdk_c_check(void) {
    return (int)sizeof(valory_plugin_descriptor);
}
