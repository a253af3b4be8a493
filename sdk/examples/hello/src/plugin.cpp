// The hello example: the thin adapter between the Valory host and the Greeting logic.
//
//  - provides hello.greeter/1 (a C vtable, include/hello/greeter.h);
//  - consumes, from the host: its settings ("greeting", "max_name_length"), a metric family, the
//    request-finished event; and hello.greeter/1 through the service registry, the way any other
//    plugin would (declared "optional" in plugin.json: the routes fall back to the local object
//    when the service is absent). In a real deployment the consumer would be a different plugin;
//    here one plugin shows both sides.
#include <atomic>
#include <optional>
#include <stdexcept>
#include <string>

#include "hello/greeter.h"
#include "greeting.hpp"
#include "valory/cpp/plugin.hpp"

namespace valory::plugins::hello {
namespace sdk = valory::sdk;

// [readme:provide]
// Service thunk: C in, C out; guarded() keeps every exception on this side of the boundary.
valory_status greetThunk(void* self, valory_str name, valory_writer* out, valory_error* err) noexcept {
    return sdk::guarded(err, [&] {
        std::string text;
        try {
            text = static_cast<const Greeting*>(self)->greet(sdk::view(name));
        } catch (const std::invalid_argument& e) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, e.what());
        }
        sdk::writeTo(out, text);
    });
}

const hello_greeter_v1 kGreeterVtable{sizeof(hello_greeter_v1), &greetThunk};
// [/readme:provide]

// [readme:lifecycle]
class HelloPlugin : public sdk::Plugin {
  public:
    // create(): read and validate settings; no threads, no registrations.
    HelloPlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(host),
          greeting_(args.settings.value("greeting", std::string("Hello")),
                    args.settings.value("max_name_length", std::size_t{64})) {}

    // start(): register what we offer, acquire what we use.
    void start() override {
        auto& h = host();
        provided_ = h.provide(HELLO_GREETER_SERVICE, HELLO_GREETER_MAJOR, HELLO_GREETER_MINOR,
                              &kGreeterVtable, &greeting_);
        greeter_ = h.tryAcquire(HELLO_GREETER_SERVICE, HELLO_GREETER_MAJOR, 0);
        greetings_ = h.counter("hello_greetings_total", "Greetings answered by the hello example", {"route"});
        finished_ = h.subscribe(VALORY_EVENT_REQUEST_FINISHED, [this](valory_event_type, const void* event) {
            auto* e = static_cast<const valory_request_finished_event*>(event);
            if (sdk::view(e->plugin_id) == "hello") served_.fetch_add(1, std::memory_order_relaxed);
        });
        routes_[0] = h.route("GET", "/hello", [this](const sdk::Request& req, sdk::Response& resp) {
            answer(req.query("name").value_or("world"), "/hello", resp);
        });
        routes_[1] = h.route("GET", "/hello/{name}", [this](const sdk::Request& req, sdk::Response& resp) {
            answer(req.param("name").value_or(""), "/hello/{name}", resp);
        });
        h.info("hello: serving GET /hello and /hello/{name} with greeting '" + greeting_.greeting() + "'");
    }

    // stop(): nothing of our own to join; the wrapper releases routes, the service and the ref.
    void stop() override {
        host().info("hello: stopped after " + std::to_string(served_.load()) + " requests");
    }

    valory_health_state health(nlohmann::json& detail) {
        detail = {{"requests_served", served_.load()}, {"greeter_via_registry", greeter_.has_value()}};
        return VALORY_HEALTH_OK;
    }
    // [/readme:lifecycle]

  private:
    void answer(std::string_view name, const char* route, sdk::Response& resp) {
        std::string text = greeter_ ? greetThroughService(name) : greetLocally(name);
        greetings_.add(1, {route});
        resp.json({{"message", text}, {"greeting", greeting_.greeting()}});
    }

    // [readme:consume]
    // The consumer side of hello.greeter/1: a plain C call through the acquired vtable.
    std::string greetThroughService(std::string_view name) const {
        auto* vt = greeter_->as<hello_greeter_v1>();
        std::string text;
        valory_writer out = sdk::stringWriter(&text);
        valory_error err = sdk::makeError();
        valory_status st = vt->greet(greeter_->self(), sdk::str(name), &out, &err);
        if (st == VALORY_ERR_INVALID_ARGUMENT) throw sdk::HttpError(400, "invalid_name", err.message);
        sdk::check(st, err, "hello.greeter greet");
        return text;
    }
    // [/readme:consume]

    std::string greetLocally(std::string_view name) const {
        try {
            return greeting_.greet(name);
        } catch (const std::invalid_argument& e) {
            throw sdk::HttpError(400, "invalid_name", e.what());
        }
    }

    Greeting greeting_;
    sdk::ProvidedService provided_;
    std::optional<sdk::ServiceRef> greeter_;
    sdk::Counter greetings_;
    sdk::Subscription finished_;
    sdk::Route routes_[2];
    std::atomic<uint64_t> served_{0};
};

}  // namespace valory::plugins::hello

// [readme:register]
VALORY_PLUGIN(valory::plugins::hello::HelloPlugin, "hello", "1.0.0")
// [/readme:register]
