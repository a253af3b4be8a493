// ABI tests that need no valory-host: the real fixture .so files are opened with dlopen
// (RTLD_NOW | RTLD_LOCAL, as the host does) and driven through the SDK's fake host.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <string>

#include "golden_adder.h"
#include "valory/testkit/fake_host.hpp"

using valory::testkit::FakeHost;

namespace {

struct Lib {
    void* handle = nullptr;
    const valory_plugin_descriptor* descriptor = nullptr;
    std::string manifest;
};

// Opens <fixtures>/<id>/lib<id>.so; never closed (the host keeps libraries mapped until exit too).
Lib open(const std::string& id) {
    Lib lib;
    std::string dir = std::string(ABI_FIXTURE_DIR) + "/" + id;
    std::string path = dir + "/lib" + id + ".so";
    lib.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib.handle) throw std::runtime_error("dlopen " + path + ": " + dlerror());
    auto entry = reinterpret_cast<valory_plugin_entry_fn>(dlsym(lib.handle, VALORY_PLUGIN_ENTRY_SYMBOL));
    if (!entry) throw std::runtime_error("no entry symbol in " + path);
    lib.descriptor = entry();
    lib.manifest = FakeHost::readFile(dir + "/plugin.json");
    return lib;
}

}  // namespace

TEST(GoldenV1_0, LoadsStartsServesProvidesStopsAndDestroys) {
    Lib lib = open("golden");
    ASSERT_EQ(lib.descriptor->abi_major, 1);
    ASSERT_EQ(lib.descriptor->abi_minor, 0);
    ASSERT_EQ(lib.descriptor->struct_size, 88u);  // v1.0 descriptor size on x86_64

    FakeHost host;
    {
        auto p = host.load(lib.descriptor, lib.manifest);
        EXPECT_TRUE(host.logContains("golden: create"));
        p.start();

        auto r = host.request("GET", "/golden/hello");
        ASSERT_EQ(r.status, 200) << r.body;
        auto j = r.json();
        EXPECT_EQ(j["abi"], "1.0");
        EXPECT_EQ(j["route"], "/golden/hello");
        EXPECT_EQ(j["settings"]["label"], "golden");  // schema default filled in

        auto echo = host.request("GET", "/golden/echo/Ada");
        ASSERT_EQ(echo.status, 200);
        EXPECT_EQ(echo.json()["name"], "Ada");
        EXPECT_EQ(echo.headerAll("x-golden"), (std::vector<std::string>{"1", "2"}));

        auto svc = host.service("golden.adder", 1, 0);
        ASSERT_TRUE(svc);
        auto* vt = svc->as<golden_adder_v1>();
        int64_t sum = 0;
        valory_error err;
        valory_error_init(&err);
        ASSERT_EQ(vt->add(svc->self(), 2, 40, &sum, &err), VALORY_OK);
        EXPECT_EQ(sum, 42);
        EXPECT_EQ(vt->add(svc->self(), 1, 1, nullptr, &err), VALORY_ERR_INVALID_ARGUMENT);
        EXPECT_STREQ(err.message, "golden.adder add: out is NULL");
        EXPECT_EQ(vt->calls(svc->self()), 1u);

        nlohmann::json detail;
        EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK);
        EXPECT_EQ(detail["calls"], 1);

        p.stop();
        EXPECT_TRUE(host.logContains("golden: stop"));
        EXPECT_EQ(host.request("GET", "/golden/hello").status, 404);
        EXPECT_FALSE(host.service("golden.adder", 1));
    }
    EXPECT_TRUE(host.logContains("golden: destroy"));
    EXPECT_FALSE(host.logContains("unreleased"));
}

TEST(GoldenV1_0, ItsServiceIsCalledByAPluginBuiltAgainstTheCurrentSdk) {
    Lib golden = open("golden");
    Lib caller = open("golden_caller");
    FakeHost host;
    auto g = host.load(golden.descriptor, golden.manifest);
    auto c = host.load(caller.descriptor, caller.manifest);
    g.start();
    c.start();
    auto r = host.request("GET", "/golden-caller/add?a=2&b=40");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["sum"], 42);
    EXPECT_EQ(r.json()["calls"], 1);
    EXPECT_EQ(host.request("GET", "/golden-caller/add?a=x&b=1").status, 400);
    c.stop();
    g.stop();
}

TEST(SymbolIsolation, TwoPluginsWithTheSameInternalFunctionEachCallTheirOwn) {
    Lib a = open("iso_a");
    Lib b = open("iso_b");
    EXPECT_EQ(dlsym(a.handle, "helper_value"), nullptr);
    EXPECT_EQ(dlsym(b.handle, "helper_value"), nullptr);
    EXPECT_EQ(dlsym(RTLD_DEFAULT, "helper_value"), nullptr);
    FakeHost host;
    auto pa = host.load(a.descriptor, a.manifest);
    auto pb = host.load(b.descriptor, b.manifest);
    pa.start();
    pb.start();
    EXPECT_EQ(host.request("GET", "/iso_a/value").json()["value"], 1);
    EXPECT_EQ(host.request("GET", "/iso_b/value").json()["value"], 2);
}

TEST(FakeHostRefusals, StartThatThrowsLeavesNoRegistrationBehind) {
    Lib lib = open("r_start_throw");
    FakeHost host;
    auto p = host.load(lib.descriptor, lib.manifest);
    EXPECT_EQ(p.tryStart(), VALORY_ERR_INTERNAL);
    EXPECT_NE(p.lastError().find("start exploded on purpose"), std::string::npos) << p.lastError();
    EXPECT_EQ(host.request("GET", "/r_start_throw/ping").status, 404);
    EXPECT_FALSE(host.service("r_partial.svc", 1));
    EXPECT_TRUE(host.routes().empty());
}

TEST(FakeHostRefusals, UndeclaredAcquireFailsTheStart) {
    Lib golden = open("golden");
    Lib lib = open("r_undeclared");
    FakeHost host;
    auto g = host.load(golden.descriptor, golden.manifest);
    g.start();
    auto p = host.load(lib.descriptor, lib.manifest);
    EXPECT_EQ(p.tryStart(), VALORY_ERR_UNDECLARED);
    EXPECT_NE(p.lastError().find("golden.adder"), std::string::npos) << p.lastError();
    for (auto& s : host.services()) EXPECT_EQ(s.holders, 0u) << s.name;
}

TEST(FakeHostRefusals, ThrowingRouteHandlerGetsJson500AndServingGoesOn) {
    Lib lib = open("r_route_throw");
    FakeHost host;
    auto p = host.load(lib.descriptor, lib.manifest);
    p.start();
    auto r = host.request("GET", "/r_route_throw/boom");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body.find("partial output"), std::string::npos);
    EXPECT_EQ(r.json()["message"], "handler exploded on purpose");
    EXPECT_EQ(host.request("GET", "/r_route_throw/boom-int").status, 500);
    EXPECT_EQ(host.request("GET", "/r_route_throw/fine").status, 200);
}

TEST(FakeHostRefusals, DescriptorChecks) {
    FakeHost host;
    valory::testkit::PluginHandle h;
    std::string error;
    Lib major = open("r_major");
    EXPECT_EQ(host.tryLoad(&h, major.descriptor, major.manifest, "{}", {}, &error), VALORY_ERR_VERSION);
    EXPECT_NE(error.find("descriptor ABI 2.0, host 1.0"), std::string::npos) << error;
    Lib minor = open("r_minor_desc");
    EXPECT_EQ(host.tryLoad(&h, minor.descriptor, minor.manifest, "{}", {}, &error), VALORY_ERR_VERSION);
    EXPECT_NE(error.find("descriptor ABI 1.1, host 1.0"), std::string::npos) << error;
    Lib id = open("r_idmismatch");
    EXPECT_EQ(host.tryLoad(&h, id.descriptor, id.manifest, "{}", {}, &error), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(error.find("someone_else"), std::string::npos) << error;
    Lib create = open("r_create_fail");
    EXPECT_EQ(host.tryLoad(&h, create.descriptor, create.manifest, "{}", {}, &error),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(error.find("create refused on purpose"), std::string::npos) << error;
}

TEST(NoEntry, LibraryWithoutEntrySymbolIsRecognisable) {
    std::string path = std::string(ABI_FIXTURE_DIR) + "/r_noentry/libr_noentry.so";
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(h, nullptr) << dlerror();
    EXPECT_EQ(dlsym(h, VALORY_PLUGIN_ENTRY_SYMBOL), nullptr);
}
