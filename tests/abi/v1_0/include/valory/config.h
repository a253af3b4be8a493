/* Valory SDK — ABI v1: configuration and host information. */
#ifndef VALORY_CONFIG_H
#define VALORY_CONFIG_H

#include "valory/log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct valory_config_api {
    uint32_t struct_size;

    /* The plugin's settings as a JSON object: validated against the manifest's schema, defaults
     * filled in, secret references resolved to plain strings. The same text is passed to create().
     * Required: yes. Ownership: host-owned, valid until destroy() returns. Threads: any. Since: 1.0 */
    valory_str (*settings_json)(valory_host* self);

    /* A writable folder private to this plugin (created on demand), e.g. for files it keeps.
     * Required: yes. Ownership: host-owned, valid until destroy(). Threads: any. Since: 1.0 */
    valory_str (*data_dir)(valory_host* self);

    /* Host facts by key: "host.version", "host.instance_id", "http.public_url", "plugin.id",
     * "plugin.dir" (folder of the manifest). Unknown keys return an empty string.
     * Required: yes. Ownership: host-owned, valid until destroy(). Threads: any. Since: 1.0 */
    valory_str (*host_info)(valory_host* self, const char* key);
} valory_config_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_CONFIG_H */
