// Plugin "bench_hello": the subject of bench/host. One trivial route, GET /bench/hello, answering
// 13 bytes ("Hello, bench!") through the C++ wrapper, as a real plugin would.
#include "valory/cpp/plugin.hpp"

namespace valory::bench {

class HelloPlugin : public sdk::Plugin {
  public:
    HelloPlugin(sdk::Host host, const sdk::CreateArgs&) : sdk::Plugin(std::move(host)) {}
    void start() override {
        route_ = host().route("GET", "/bench/hello", [](const sdk::Request&, sdk::Response& resp) {
            resp.header("Content-Type", "text/plain; charset=utf-8").body("Hello, bench!");
        });
    }

  private:
    sdk::Route route_;
};

}  // namespace valory::bench

VALORY_PLUGIN(valory::bench::HelloPlugin, "bench_hello", "1.0.0")
