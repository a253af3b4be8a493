// The test kit's half of the routing conformance test: the cases of router_conformance_cases.hpp,
// run through FakeHost::request() against a plugin that registers the table's routes (the host's
// half, host/tests/router_conformance_test.cpp, runs the same table against the host's Router).
#include <gtest/gtest.h>

#include "router_conformance_cases.hpp"
#include "valory/cpp/plugin.hpp"
#include "valory/testkit/fake_host.hpp"

namespace sdk = valory::sdk;
using valory::conformance::Pairs;
using valory::testkit::FakeHost;

namespace {

/// Parameter names of a template, in order ("{id}" -> id, "{rest*}" -> rest).
std::vector<std::string> paramNames(const std::string& pattern) {
    std::vector<std::string> out;
    for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
        size_t close = pattern.find('}', open);
        std::string name = pattern.substr(open + 1, close - open - 1);
        if (!name.empty() && name.back() == '*') name.pop_back();
        out.push_back(name);
    }
    return out;
}

/// Answers every route of the table with what the handler saw: {"path", "params", "query"}.
class ConformancePlugin : public sdk::Plugin {
  public:
    ConformancePlugin(sdk::Host host, const sdk::CreateArgs&) : Plugin(std::move(host)) {}
    void start() override {
        for (const auto& [method, pattern] : valory::conformance::routes()) {
            routes_.push_back(host().route(
                method.c_str(), pattern.c_str(), [this, pattern](const sdk::Request& rq, sdk::Response& rs) {
                    Pairs params, query;
                    for (const auto& n : paramNames(pattern))
                        params.emplace_back(n, std::string(*rq.param(n.c_str())));
                    const valory_kv* kv = nullptr;
                    size_t count = host().api()->http->query_params(rq.raw(), &kv);
                    for (size_t i = 0; i < count; ++i)
                        query.emplace_back(sdk::view(kv[i].key), sdk::view(kv[i].value));
                    rs.json({{"path", rq.path()}, {"params", params}, {"query", query}});
                }));
        }
    }
    void stop() override { routes_.clear(); }

  private:
    std::vector<sdk::Route> routes_;
};

const char* kManifest = R"({"id": "conformance", "version": "1.0.0", "abi": "1.0", "library": "x.so",
  "requires": [], "optional": [], "provides": []})";

const valory_plugin_descriptor* descriptor() {
    return sdk::detail::descriptorFor<ConformancePlugin>("conformance", "1.0.0");
}

valory_status noop(void*, const valory_request*, valory_response*, valory_error*) {
    return VALORY_OK;
}

}  // namespace

TEST(RouterConformance, RoutesAndDecodesAsTheTable) {
    FakeHost host;
    auto p = host.load(descriptor(), kManifest);
    p.start();
    for (const auto& c : valory::conformance::routeCases()) {
        SCOPED_TRACE(c.method + " " + c.target);
        auto r = host.request(c.method, c.target);
        EXPECT_EQ(r.status, c.status) << r.body;
        EXPECT_EQ(r.route, c.route);
        if (c.status == 200 && c.method != "HEAD") {
            auto j = r.json();
            EXPECT_EQ(j["path"].get<std::string>(), c.path);
            EXPECT_EQ(j["params"].get<Pairs>(), c.params);
            EXPECT_EQ(j["query"].get<Pairs>(), c.query);
        }
        EXPECT_EQ(r.header("Location").value_or(""), c.location);
    }
}

TEST(RouterConformance, AcceptsAndRefusesTemplatesAsTheTable) {
    for (const auto& c : valory::conformance::templateCases()) {
        SCOPED_TRACE(c.method + " " + c.pattern);
        FakeHost host;
        auto p = host.load(descriptor(), kManifest);
        p.start();  // registering needs a started plugin; the table's routes do not clash with these
        valory_error err;
        valory_error_init(&err);
        valory_status s = host.api()->http->add_route(p.hostHandle(), c.method.c_str(), c.pattern.c_str(),
                                                      noop, nullptr, nullptr, &err);
        EXPECT_EQ(s, c.accepted ? VALORY_OK : VALORY_ERR_INVALID_ARGUMENT) << err.message;
    }
}
