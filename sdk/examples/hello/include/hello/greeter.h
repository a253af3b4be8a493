/* hello.greeter/1 — the service the hello example provides (a C vtable, like every Valory service).
 *
 * Consumers declare it in their manifest ("requires" or "optional": {"service": "hello.greeter",
 * "major": 1}), acquire it through the host's service registry and call through the vtable:
 *
 *   valory_service svc = {sizeof svc};  valory_service_ref* ref;
 *   api->services->acquire(host, HELLO_GREETER_SERVICE, 1, 0, &ref, &svc, &err);
 *   const hello_greeter_v1* g = svc.vtable;
 *   g->greet(svc.self, valory_str_from("Ada"), &writer, &err);
 *   api->services->release(host, ref);
 */
#ifndef HELLO_GREETER_H
#define HELLO_GREETER_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* [readme:greeter] */
#define HELLO_GREETER_SERVICE "hello.greeter"
#define HELLO_GREETER_MAJOR 1
#define HELLO_GREETER_MINOR 0

typedef struct hello_greeter_v1 {
    uint32_t struct_size;

    /* Writes "<greeting>, <name>!" to `out`. VALORY_ERR_INVALID_ARGUMENT when `name` is empty or
     * longer than the plugin's max_name_length. Required: yes. Ownership: name borrowed; the text
     * is written through `out` during the call. Threads: any, concurrently. Since: 1.0 */
    valory_status (*greet)(void* self, valory_str name, valory_writer* out, valory_error* err);
} hello_greeter_v1;
/* [/readme:greeter] */

#ifdef __cplusplus
}
#endif
#endif /* HELLO_GREETER_H */
