// The hello example on the SDK's fake host: the plugin's real code (compiled into this test by
// valory_add_plugin's TESTS), driven through the C ABI exactly as valory-host drives it.
#include <gtest/gtest.h>

#include "greeting.hpp"
#include "hello/greeter.h"
#include "valory/cpp/strings.hpp"
#include "valory/plugin.h"
#include "valory/testkit/fake_host.hpp"

using valory::testkit::FakeHost;

namespace {
std::string manifest() {
    return FakeHost::readFile(VALORY_TEST_MANIFEST);
}
}  // namespace

TEST(Greeting, FormatsAndValidates) {
    valory::plugins::hello::Greeting g("Hi", 4);
    EXPECT_EQ(g.greet("Ada"), "Hi, Ada!");
    EXPECT_THROW(g.greet(""), std::invalid_argument);
    EXPECT_THROW(g.greet("Grace"), std::invalid_argument);
}

// [readme:test]
TEST(HelloPlugin, AnswersWithTheConfiguredGreeting) {
    FakeHost host;
    auto p = host.load(valory_plugin_entry_v1(), manifest(), R"({"greeting": "Bonjour"})");
    p.start();

    auto r = host.request("GET", "/hello?name=Ada%20L");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_EQ(r.json()["message"], "Bonjour, Ada L!");

    auto byPath = host.request("GET", "/hello/Grace");
    ASSERT_EQ(byPath.status, 200);
    EXPECT_EQ(byPath.json()["message"], "Bonjour, Grace!");
    EXPECT_EQ(byPath.route, "/hello/{name}");

    EXPECT_EQ(host.request("GET", "/hello").json()["message"], "Bonjour, world!");
    EXPECT_EQ(host.metricValue("hello_greetings_total", {"/hello"}), 2.0);
    EXPECT_EQ(host.metricValue("hello_greetings_total", {"/hello/{name}"}), 1.0);
}
// [/readme:test]

TEST(HelloPlugin, SchemaDefaultApplies) {
    FakeHost host;
    auto p = host.load(valory_plugin_entry_v1(), manifest());
    p.start();
    EXPECT_EQ(host.request("GET", "/hello/you").json()["message"], "Hello, you!");
}

TEST(HelloPlugin, BadNameIsA400WithTheProjectErrorShape) {
    FakeHost host;
    auto p = host.load(valory_plugin_entry_v1(), manifest(), R"({"max_name_length": 3})");
    p.start();
    auto r = host.request("GET", "/hello/Grace");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json()["error"], "invalid_name");
    EXPECT_NE(r.json()["message"].get<std::string>().find("longer than 3"), std::string::npos);
    EXPECT_EQ(host.request("GET", "/hello/Ada").status, 200);  // still serving
}

TEST(HelloPlugin, ProvidesTheGreeterServiceThroughTheRegistry) {
    FakeHost host;
    auto p = host.load(valory_plugin_entry_v1(), manifest(), R"({"greeting": "Hey"})");
    p.start();
    auto svc = host.service(HELLO_GREETER_SERVICE, 1, 0);
    ASSERT_TRUE(svc);
    auto* vt = svc->as<hello_greeter_v1>();
    ASSERT_GE(vt->struct_size, sizeof(hello_greeter_v1));
    std::string text;
    valory_writer out = valory::sdk::stringWriter(&text);
    valory_error err;
    valory_error_init(&err);
    ASSERT_EQ(vt->greet(svc->self(), valory_str_from("Bob"), &out, &err), VALORY_OK) << err.message;
    EXPECT_EQ(text, "Hey, Bob!");
    // An exception inside the provider becomes a status + message, never crosses the boundary.
    EXPECT_EQ(vt->greet(svc->self(), valory_str_from(""), &out, &err), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(err.message, "name is empty");
    // The plugin consumes its own service through the registry (one holder).
    bool held = false;
    for (auto& s : host.services())
        if (s.name == HELLO_GREETER_SERVICE) held = s.holders == 1;
    EXPECT_TRUE(held);
}

TEST(HelloPlugin, StopRemovesEverything) {
    FakeHost host;
    auto p = host.load(valory_plugin_entry_v1(), manifest());
    p.start();
    host.request("GET", "/hello");
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK);
    EXPECT_EQ(detail["requests_served"], 1);
    p.stop();
    EXPECT_EQ(host.request("GET", "/hello").status, 404);
    EXPECT_FALSE(host.service(HELLO_GREETER_SERVICE, 1));
    EXPECT_EQ(host.subscriberCount(VALORY_EVENT_REQUEST_FINISHED), 0u);
    EXPECT_FALSE(host.logContains("unreleased"));
    EXPECT_TRUE(host.logContains("hello: stopped after 1 requests"));
}
