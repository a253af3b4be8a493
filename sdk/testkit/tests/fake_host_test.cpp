// Tests of the fake host itself, through a plugin written with the C++ wrapper.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "valory/cpp/plugin.hpp"
#include "valory/testkit/fake_host.hpp"

namespace sdk = valory::sdk;
using valory::testkit::FakeHost;

namespace {

struct DepVtable {
    uint32_t struct_size;
    int (*twice)(void* self, int x);
};
const DepVtable kDep{sizeof(DepVtable), [](void*, int x) { return 2 * x; }};

class KitPlugin : public sdk::Plugin {
  public:
    KitPlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(host), settings_(args.settings), mode_(args.runMode) {
        if (settings_.value("fail_create", false))
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "bad settings");
    }
    void start() override {
        auto& h = host();
        dep_ = h.acquire("dep.svc", 1, 0);
        hits_ = h.counter("kit_hits_total", "hits", {"route"});
        sizes_ = h.histogram("kit_sizes", "sizes", {}, {1, 10});
        routes_.push_back(h.route("GET", "/items/{id}", [this](const sdk::Request& req, sdk::Response& r) {
            hits_.add(1, {"/items/{id}"});
            auto tags = req.queryAll("tag");
            r.header("X-One", "a").addHeader("Set-Cookie", "a=1").addHeader("Set-Cookie", "b=2");
            r.json({{"id", std::string(*req.param("id"))},
                    {"tags", std::vector<std::string>(tags.begin(), tags.end())},
                    {"cookie", std::string(req.cookie("session").value_or(""))},
                    {"ua", std::string(req.header("user-agent").value_or(""))},
                    {"twice", dep_.as<DepVtable>()->twice(dep_.self(), 21)}});
        }));
        routes_.push_back(h.route("POST", "/items", [this](const sdk::Request& req, sdk::Response& r) {
            auto body = req.json();
            sizes_.observe(static_cast<double>(req.body().size()));
            host().publish("kit.created", body);
            r.json(body, 201);
        }));
        routes_.push_back(h.route("GET", "/files/{rest*}", [](const sdk::Request& req, sdk::Response& r) {
            r.body(std::string(*req.param("rest")));
        }));
        routes_.push_back(
            h.route("GET", "/canonical/", [](const sdk::Request&, sdk::Response& r) { r.body("ok"); }));
        h.staticMount("/static", "/srv/kit", VALORY_STATIC_FINGERPRINTED);
        job_ = h.job("tick", std::chrono::seconds(30), std::chrono::seconds(1), [this] {
            if (settings_.value("fail_job", false)) throw std::runtime_error("tick failed");
            ticks_.fetch_add(1);
        });
        sub_ = h.subscribe(VALORY_EVENT_CUSTOM, [this](valory_event_type, const void* e) {
            auto* ev = static_cast<const valory_custom_event*>(e);
            lastEvent_ = std::string(sdk::view(ev->name));
        });
        if (settings_.value("fail_start", false)) throw std::runtime_error("start failed after registering");
    }
    std::string command(const std::string& name, const std::vector<std::string>& args) {
        if (name != "echo") throw sdk::Error(VALORY_ERR_NOT_FOUND, "no command " + name);
        std::string out = "mode=" + std::to_string(mode_);
        for (auto& a : args) out += " " + a;
        return out;
    }
    bool reconfigure(const nlohmann::json& s) { return !s.contains("needs_restart"); }

    std::atomic<int> ticks_{0};
    std::string lastEvent_;

  private:
    nlohmann::json settings_;
    valory_run_mode mode_;
    sdk::ServiceRef dep_;
    sdk::Counter hits_;
    sdk::Histogram sizes_;
    std::vector<sdk::Route> routes_;
    sdk::Job job_;
    sdk::Subscription sub_;
};

const char* kManifest = R"({
  "id": "kit", "version": "1.0.0", "abi": "1.0", "library": "libkit.so",
  "requires": [{"service": "dep.svc", "major": 1, "min_minor": 0}],
  "optional": [], "provides": [],
  "config_schema": {"type": "object", "properties": {"label": {"type": "string", "default": "x"}}}
})";

KitPlugin* instanceOf(valory::testkit::PluginHandle& p) {
    // The wrapper's instance holds the Host first, then the unique_ptr to the plugin.
    return static_cast<sdk::detail::Instance<KitPlugin>*>(p.instance())->plugin.get();
}

class FakeHostTest : public ::testing::Test {
  protected:
    void SetUp() override { host.provideService("dep.svc", 1, 2, &kDep, nullptr); }
    FakeHost host;
};

}  // namespace

VALORY_PLUGIN(KitPlugin, "kit", "1.0.0")

TEST_F(FakeHostTest, RoutesParamsQueryHeadersCookiesAndServices) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest);
    p.start();
    auto r = host.request("GET", "/items/42?tag=a&tag=b%20c",
                          {{"Cookie", "x=1; session=abc"}, {"User-Agent", "t"}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(j["id"], "42");
    EXPECT_EQ(j["tags"], (nlohmann::json{"a", "b c"}));
    EXPECT_EQ(j["cookie"], "abc");
    EXPECT_EQ(j["ua"], "t");
    EXPECT_EQ(j["twice"], 42);
    EXPECT_EQ(r.headerAll("set-cookie"), (std::vector<std::string>{"a=1", "b=2"}));
    EXPECT_EQ(r.route, "/items/{id}");
    EXPECT_EQ(r.pluginId, "kit");
    EXPECT_EQ(host.request("GET", "/files/a/b/c.txt").body, "a/b/c.txt");
    EXPECT_EQ(host.metricValue("kit_hits_total", {"/items/{id}"}), 1.0);
}

TEST_F(FakeHostTest, RouterAnswers404405307AndHead) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest);
    p.start();
    auto nf = host.request("GET", "/nothing");
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(nf.json()["error"], "not_found");
    auto na = host.request("DELETE", "/items/1");
    EXPECT_EQ(na.status, 405);
    EXPECT_EQ(na.header("Allow"), "GET, HEAD");
    auto redirect = host.request("GET", "/canonical?x=1");
    EXPECT_EQ(redirect.status, 307);
    EXPECT_EQ(redirect.header("Location"), "/canonical/?x=1");
    auto head = host.request("HEAD", "/items/7");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
}

TEST_F(FakeHostTest, JsonNestedPastTheLimitIs400AndWithinItIsParsed) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest);
    p.start();
    // Past json::kMaxDepth: refused as invalid JSON (copying it would overflow the stack).
    auto deep = host.request("POST", "/items", {}, std::string(200000, '[') + std::string(200000, ']'));
    EXPECT_EQ(deep.status, 400);
    EXPECT_EQ(deep.json()["error"], "invalid_json");
    auto within = host.request("POST", "/items", {},
                               R"({"name":"[{","x":)" + std::string(60, '[') + std::string(60, ']') + "}");
    EXPECT_EQ(within.status, 201);
}

TEST_F(FakeHostTest, BadJsonIs400AndEventsMetricsFlow) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest);
    p.start();
    EXPECT_EQ(host.request("POST", "/items", {}, "{nope").status, 400);
    auto created = host.request("POST", "/items", {}, R"({"name":"n"})");
    EXPECT_EQ(created.status, 201);
    ASSERT_EQ(host.published().size(), 1u);
    EXPECT_EQ(host.published()[0].name, "kit.created");
    EXPECT_EQ(instanceOf(p)->lastEvent_, "kit.created");
    EXPECT_EQ(host.histogramCount("kit_sizes"), 1u);
    host.request("GET", "/items/1");
    size_t samples = 0;
    host.visitMetrics(
        [](void* user, const valory_metric_sample* s) {
            ++*static_cast<size_t*>(user);
            if (s->kind == VALORY_METRIC_HISTOGRAM) {
                EXPECT_EQ(s->bucket_counts[s->bucket_count], 1u);
            }
        },
        &samples);
    EXPECT_EQ(samples, 2u);
}

TEST_F(FakeHostTest, JobsRunOnDemand) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest);
    p.start();
    ASSERT_TRUE(host.hasJob("tick"));
    EXPECT_EQ(host.jobs()[0].intervalMs, 30000u);
    EXPECT_EQ(host.runJob("tick"), VALORY_OK);
    EXPECT_EQ(host.runJob("tick"), VALORY_OK);
    EXPECT_EQ(instanceOf(p)->ticks_.load(), 2);
    EXPECT_THROW(host.runJob("nope"), std::out_of_range);
    EXPECT_EQ(host.staticMounts().size(), 1u);
}

TEST_F(FakeHostTest, FailingJobReportsItsError) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest, R"({"fail_job": true})");
    p.start();
    std::string error;
    EXPECT_EQ(host.runJob("tick", &error), VALORY_ERR_INTERNAL);
    EXPECT_EQ(error, "tick failed");
}

TEST_F(FakeHostTest, FailedStartLeavesNothingBehind) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest, R"({"fail_start": true})");
    EXPECT_EQ(p.tryStart(), VALORY_ERR_INTERNAL);
    EXPECT_NE(p.lastError().find("start failed after registering"), std::string::npos);
    EXPECT_TRUE(host.routes().empty());
    EXPECT_TRUE(host.jobs().empty());
    EXPECT_TRUE(host.staticMounts().empty());
    EXPECT_EQ(host.subscriberCount(VALORY_EVENT_CUSTOM), 0u);
    for (auto& s : host.services()) EXPECT_EQ(s.holders, 0u);
}

TEST_F(FakeHostTest, CreateFailureAndDescriptorChecks) {
    EXPECT_THROW(host.load(valory_plugin_entry_v1(), kManifest, R"({"fail_create": true})"),
                 valory::testkit::LifecycleError);
    std::string wrongId = kManifest;
    wrongId.replace(wrongId.find("\"kit\""), 5, "\"other\"");
    EXPECT_THROW(host.load(valory_plugin_entry_v1(), wrongId), valory::testkit::LifecycleError);
}

TEST_F(FakeHostTest, UndeclaredAndMissingServices) {
    std::string noDeps = kManifest;
    noDeps.replace(noDeps.find("\"dep.svc\""), 9, "\"other.svc\"");
    auto p = host.load(valory_plugin_entry_v1(), noDeps);
    EXPECT_EQ(p.tryStart(), VALORY_ERR_UNDECLARED);
    FakeHost bare;
    auto q = bare.load(valory_plugin_entry_v1(), kManifest);
    EXPECT_EQ(q.tryStart(), VALORY_ERR_NOT_FOUND);
}

TEST_F(FakeHostTest, RegistrationOutsideStartIsRefused) {
    auto p = host.load(valory_plugin_entry_v1(), kManifest);
    valory_error err;
    valory_error_init(&err);
    auto* api = host.api();
    EXPECT_EQ(api->http->add_route(
                  p.hostHandle(), "GET", "/x",
                  [](void*, const valory_request*, valory_response*, valory_error*) -> valory_status {
                      return VALORY_OK;
                  },
                  nullptr, nullptr, &err),
              VALORY_ERR_STATE);
}

TEST_F(FakeHostTest, CommandReconfigureSettingsAndInfo) {
    valory::testkit::LoadOptions opts;
    opts.runMode = VALORY_RUN_COMMAND;
    auto p = host.load(valory_plugin_entry_v1(), kManifest, "{}", opts);
    p.start();
    EXPECT_EQ(p.command("echo", {"a", "b"}), "mode=3 a b");
    EXPECT_THROW(p.command("nope"), valory::testkit::LifecycleError);
    EXPECT_EQ(p.reconfigure({{"label", "y"}}), VALORY_OK);
    EXPECT_EQ(p.reconfigure({{"needs_restart", true}}), VALORY_ERR_NEEDS_RESTART);
    auto* cfg = host.api()->config;
    EXPECT_EQ(sdk::view(cfg->host_info(p.hostHandle(), "plugin.id")), "kit");
    EXPECT_EQ(nlohmann::json::parse(sdk::view(cfg->settings_json(p.hostHandle())))["label"], "y");
    host.setProc("valory_test.feature@1.0", &kDep);
    EXPECT_EQ(host.api()->get_proc("valory_test.feature@1.0"), &kDep);
    EXPECT_EQ(host.api()->get_proc("absent"), nullptr);
}
