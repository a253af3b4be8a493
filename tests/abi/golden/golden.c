/* The golden ABI v1.0 plugin: plain C11, compiled ONLY against the frozen copy of the v1.0 headers
 * (tests/abi/v1_0/include). Every future host build must load it, start it, serve its routes, let
 * another plugin acquire and call its service, stop and destroy it. Never update it to newer
 * headers: it stands for a binary built in 2026 against SDK 1.0. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden_adder.h"
#include "valory/http_client.h"
#include "valory/valory.h"

#if VALORY_ABI_MAJOR != 1 || VALORY_ABI_MINOR != 0
#error "the golden plugin must be built against the frozen v1.0 headers"
#endif

typedef struct golden {
    const valory_host_api* api;
    valory_host* host;
    char* settings; /* copy of the settings JSON */
    valory_route* hello;
    valory_route* echo;
    valory_route* fetch;
    atomic_ullong calls;
    int registered;
} golden;

static void logf_(golden* g, valory_log_level level, const char* text) {
    g->api->log->write(g->host, level, valory_str_from(text));
}

static valory_status adder_add(void* self, int64_t a, int64_t b, int64_t* out, valory_error* err) {
    golden* g = (golden*)self;
    if (!out) return valory_fail(err, VALORY_ERR_INVALID_ARGUMENT, "golden.adder add: out is NULL");
    atomic_fetch_add(&g->calls, 1);
    *out = a + b;
    return VALORY_OK;
}

static uint64_t adder_calls(void* self) {
    return atomic_load(&((golden*)self)->calls);
}

static const golden_adder_v1 kAdder = {sizeof(golden_adder_v1), adder_add, adder_calls};

static void append(const valory_http_api* http, valory_response* resp, const char* text) {
    http->append_body(resp, valory_str_from(text));
}

static valory_status hello_route(void* user, const valory_request* req, valory_response* resp,
                                 valory_error* err) {
    golden* g = (golden*)user;
    const valory_http_api* http = g->api->http;
    char body[1024];
    valory_str method = http->request_method(req);
    valory_str route = http->request_route(req);
    (void)err;
    snprintf(body, sizeof body,
             "{\"plugin\":\"golden\",\"abi\":\"%d.%d\",\"method\":\"%.*s\",\"route\":\"%.*s\",\"calls\":%llu,"
             "\"settings\":%s}",
             VALORY_ABI_MAJOR, VALORY_ABI_MINOR, (int)method.size, method.data, (int)route.size, route.data,
             (unsigned long long)atomic_load(&g->calls), g->settings);
    http->set_status(resp, 200);
    http->set_header(resp, valory_str_from("Content-Type"), valory_str_from("application/json"));
    append(http, resp, body);
    return VALORY_OK;
}

static valory_status echo_route(void* user, const valory_request* req, valory_response* resp,
                                valory_error* err) {
    golden* g = (golden*)user;
    const valory_http_api* http = g->api->http;
    int32_t found = 0;
    valory_str name = http->path_param(req, "name", &found);
    if (!found) return valory_fail(err, VALORY_ERR_INTERNAL, "golden: path parameter 'name' missing");
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"%.*s\"}", (int)(name.size > 200 ? 200 : name.size), name.data);
    http->set_header(resp, valory_str_from("Content-Type"), valory_str_from("application/json"));
    http->add_header(resp, valory_str_from("X-Golden"), valory_str_from("1"));
    http->add_header(resp, valory_str_from("X-Golden"), valory_str_from("2"));
    append(http, resp, body);
    return VALORY_OK;
}

/* GET /golden/fetch: calls the host's http.client/1 through its frozen v1.0 header — acquired per
 * call, GET <http.public_url>/golden/hello — and answers {"status": <upstream status>, "bytes": <n>}. */
static valory_status fetch_route(void* user, const valory_request* req, valory_response* resp,
                                 valory_error* err) {
    golden* g = (golden*)user;
    const valory_http_api* http = g->api->http;
    valory_service_ref* ref = NULL;
    valory_service svc;
    const valory_http_client_api* client;
    valory_http_client_request call;
    valory_http_client_response* answer = NULL;
    char url[512], body[128];
    valory_str base = g->api->config->host_info(g->host, "http.public_url");
    valory_status s;
    (void)req;
    memset(&svc, 0, sizeof svc);
    svc.struct_size = sizeof svc;
    s = g->api->services->acquire(g->host, VALORY_HTTP_CLIENT_SERVICE, VALORY_HTTP_CLIENT_MAJOR, 0, &ref,
                                  &svc, err);
    if (s != VALORY_OK) return s;
    client = (const valory_http_client_api*)svc.vtable;
    snprintf(url, sizeof url, "%.*s/golden/hello", (int)(base.size > 400 ? 400 : base.size), base.data);
    memset(&call, 0, sizeof call);
    call.struct_size = sizeof call;
    call.method = valory_str_from("GET");
    call.url = valory_str_from(url);
    call.deadline_ms = 10000;
    s = client->perform(svc.self, &call, &answer, NULL, err);
    if (s == VALORY_OK) {
        int32_t status = client->response_status(svc.self, answer);
        valory_str bytes = client->response_body(svc.self, answer);
        snprintf(body, sizeof body, "{\"status\":%d,\"bytes\":%zu}", (int)status, bytes.size);
        http->set_header(resp, valory_str_from("Content-Type"), valory_str_from("application/json"));
        append(http, resp, body);
    }
    if (answer) client->response_release(svc.self, answer);
    g->api->services->release(g->host, ref);
    return s;
}

static valory_status golden_create(const valory_host_api* api, valory_host* host,
                                   const valory_create_args* args, void** instance, valory_error* err) {
    if (!api || api->struct_size < sizeof(valory_host_api) || api->abi_major != 1)
        return valory_fail(err, VALORY_ERR_VERSION, "golden: unexpected host API table");
    golden* g = (golden*)calloc(1, sizeof(golden));
    if (!g) return valory_fail(err, VALORY_ERR_INTERNAL, "golden: out of memory");
    g->api = api;
    g->host = host;
    {
        /* Keep a NUL-terminated copy; "{}" when the host passed nothing. */
        const char* text = args->settings_json.size ? args->settings_json.data : "{}";
        size_t size = args->settings_json.size ? args->settings_json.size : 2;
        g->settings = (char*)malloc(size + 1);
        if (!g->settings) {
            free(g);
            return valory_fail(err, VALORY_ERR_INTERNAL, "golden: out of memory");
        }
        memcpy(g->settings, text, size);
        g->settings[size] = '\0';
    }
    atomic_init(&g->calls, 0);
    *instance = g;
    logf_(g, VALORY_LOG_INFO, "golden: create");
    return VALORY_OK;
}

static valory_status golden_start(void* instance, valory_error* err) {
    golden* g = (golden*)instance;
    valory_status s = g->api->services->register_service(g->host, "golden.adder", 1, 0, &kAdder, g, err);
    if (s != VALORY_OK) return s;
    g->registered = 1;
    s = g->api->http->add_route(g->host, "GET", "/golden/hello", hello_route, g, &g->hello, err);
    if (s != VALORY_OK) return s;
    s = g->api->http->add_route(g->host, "GET", "/golden/echo/{name}", echo_route, g, &g->echo, err);
    if (s != VALORY_OK) return s;
    s = g->api->http->add_route(g->host, "GET", "/golden/fetch", fetch_route, g, &g->fetch, err);
    if (s != VALORY_OK) return s;
    logf_(g, VALORY_LOG_INFO, "golden: start");
    return VALORY_OK;
}

static valory_status golden_stop(void* instance, valory_error* err) {
    golden* g = (golden*)instance;
    valory_status s = VALORY_OK;
    if (g->hello) s = g->api->http->remove_route(g->host, g->hello, err);
    if (g->echo && s == VALORY_OK) s = g->api->http->remove_route(g->host, g->echo, err);
    if (g->fetch && s == VALORY_OK) s = g->api->http->remove_route(g->host, g->fetch, err);
    g->hello = g->echo = g->fetch = NULL;
    if (g->registered && s == VALORY_OK)
        s = g->api->services->unregister_service(g->host, "golden.adder", 1, err);
    g->registered = 0;
    logf_(g, VALORY_LOG_INFO, "golden: stop");
    return s;
}

static void golden_destroy(void* instance) {
    golden* g = (golden*)instance;
    logf_(g, VALORY_LOG_INFO, "golden: destroy");
    free(g->settings);
    free(g);
}

static valory_health_state golden_health(void* instance, valory_writer* detail) {
    golden* g = (golden*)instance;
    char text[64];
    int n = snprintf(text, sizeof text, "{\"calls\":%llu}", (unsigned long long)atomic_load(&g->calls));
    if (detail && detail->write && n > 0) detail->write(detail->ctx, text, (size_t)n);
    return VALORY_HEALTH_OK;
}

static const valory_plugin_descriptor kDescriptor = {
    sizeof(valory_plugin_descriptor),
    VALORY_ABI_MAJOR,
    VALORY_ABI_MINOR,
    "golden",
    "1.0.0",
    "golden v1.0 (C11)",
    golden_create,
    golden_start,
    golden_stop,
    golden_destroy,
    golden_health,
    NULL,
    NULL,
};

VALORY_EXPORT const valory_plugin_descriptor* valory_plugin_entry_v1(void) {
    return &kDescriptor;
}
