/* Compiles every SDK C header as C11 so no C++-ism slips into the contract. Every header is listed
 * by name: a renamed or removed header fails this build instead of silently leaving the check. */
#include "valory/valory.h"

#include "valory/abi.h"
#include "valory/cache.h"
#include "valory/config.h"
#include "valory/events.h"
#include "valory/http.h"
#include "valory/http_client.h"
#include "valory/log.h"
#include "valory/metrics.h"
#include "valory/overlays.h"
#include "valory/plugin.h"
#include "valory/riot.h"
#include "valory/scheduler.h"
#include "valory/services.h"
#include "valory/sql.h"
#include "valory/twitch.h"

int valory_sdk_c_check(void) {
    return (int)sizeof(valory_plugin_descriptor);
}
