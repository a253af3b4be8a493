/* Valory SDK — ABI v1: logging through the host (plugins never touch Poco's Logger tree). */
#ifndef VALORY_LOG_H
#define VALORY_LOG_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t valory_log_level;
enum {
    VALORY_LOG_TRACE = 1,
    VALORY_LOG_DEBUG = 2,
    VALORY_LOG_INFO = 3,
    VALORY_LOG_WARNING = 4,
    VALORY_LOG_ERROR = 5,
    VALORY_LOG_CRITICAL = 6
};

typedef struct valory_log_api {
    uint32_t struct_size;

    /* Writes one log line; the host prefixes the plugin id and masks known secrets.
     * Required: yes. Ownership: message borrowed. Threads: any. Since: 1.0 */
    void (*write)(valory_host* self, valory_log_level level, valory_str message);

    /* Returns non-zero when `level` would be written (to skip formatting cheaply).
     * Required: yes. Ownership: -. Threads: any. Since: 1.0 */
    int32_t (*enabled)(valory_host* self, valory_log_level level);
} valory_log_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_LOG_H */
