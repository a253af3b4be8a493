// Run-time plugin toggling through the real valory-host process: SIGHUP / file-watch reload, the
// admin API (auth, enable/disable/restart, reload), consumers stopped before their provider, a
// required dependent blocking a disable, a config with an error refused whole, in-flight requests
// finishing while their plugin stops (new ones 503 + Retry-After, then 404), and an unaffected
// plugin seeing zero errors while another is toggled 20 times.
#include "host_process.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <future>
#include <thread>

using namespace valory::it;

namespace {

const std::string kToken = "test-admin-token-0123456789";

RawResponse request(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& auth = "Bearer " + kToken) {
    auto s = connect(port);
    sendAll(s, method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n" +
                   (auth.empty() ? std::string() : "Authorization: " + auth + "\r\n") +
                   "Connection: close\r\n\r\n");
    return readResponse(s, false);
}

/// A host whose config has the admin token by file reference; `plugins` is the "plugins" object body.
void writeConfig(Host& h, const std::string& plugins, const std::string& adminExtra = "") {
    std::ofstream(h.dir() / "admin.token") << kToken << "\n";
    std::ofstream(h.config())
        << "// toggle test config\n{\"server\": {\"host\": \"127.0.0.1\", \"port\": 0},\n"
        << " \"plugin_path\": [\"" << VALORY_PLUGIN_DIR << "\"],\n \"data_dir\": \"data\",\n"
        << " \"admin\": {\"token\": {\"file\": \"admin.token\"}" << adminExtra << "},\n"
        << " \"plugins\": {" << plugins << "}}\n";
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
    return n;
}

}  // namespace

TEST(HostToggle, AdminApiNeedsTheTokenAndListsPlugins) {
    Host h("toggle-auth");
    writeConfig(h, R"("host_fx_ok": {}, "host_fx_provider": {}, "host_fx_wants": {"enabled": false})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    auto r = request(h.port(), "GET", "/admin/plugins", "");
    EXPECT_EQ(r.status, 401) << r.head;
    EXPECT_NE(r.header("WWW-Authenticate").find("Bearer"), std::string::npos) << r.head;
    r = request(h.port(), "GET", "/admin/plugins", "Bearer wrong-token-wrong-token!!");
    EXPECT_EQ(r.status, 403) << r.head;
    r = request(h.port(), "GET", "/admin/plugins", "Bearer " + kToken + "x");
    EXPECT_EQ(r.status, 403) << r.head;
    r = request(h.port(), "POST", "/admin/plugins/host_fx_ok/disable", "Basic abc");
    EXPECT_EQ(r.status, 401) << r.head;
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/ok").status, 200);  // nothing was disabled
    r = request(h.port(), "GET", "/admin/plugins");
    ASSERT_EQ(r.status, 200) << r.head << r.body;
    EXPECT_NE(r.body.find(R"("id":"host_fx_provider")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("provides":["fx.echo/1.0"])"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("state":"started")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("GET /host_fx_ok/ok")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("version":"1.0.0")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("state":"disabled")"), std::string::npos) << r.body;
    EXPECT_EQ(request(h.port(), "POST", "/admin/plugins/nope/enable").status, 404);
    EXPECT_EQ(request(h.port(), "POST", "/admin/plugins/host_fx_ok/explode").status, 404);
    // The token never reaches the log.
    EXPECT_EQ(h.log().find(kToken), std::string::npos) << h.log();
}

TEST(HostToggle, AdminApiIsOffWithoutAToken) {
    Host h("toggle-off");
    h.writeConfig("", R"("host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/admin/plugins").status, 404);
    EXPECT_NE(h.log().find("admin API off"), std::string::npos) << h.log();
}

TEST(HostToggle, AnInlineAdminTokenIsAConfigError) {
    Host h("toggle-inline");
    h.writeConfig("", R"("host_fx_ok": {}}, "admin": {"token": "plain-text-token-123456")");
    std::string out;
    EXPECT_EQ(h.runToEnd({"--check"}, out), 1) << out;
    EXPECT_NE(out.find("admin.token: takes a reference"), std::string::npos) << out;
}

TEST(HostToggle, RequiredDependentBlocksADisableWithItsReason) {
    Host h("toggle-required");
    writeConfig(h, R"("host_fx_provider": {}, "host_fx_needs": {}, "host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    auto r = request(h.port(), "GET", "/host_fx_needs/ok");
    EXPECT_EQ(r.body, "host_fx_needs ok with hello from host_fx_provider (hi)");
    const std::string reason =
        "cannot disable 'host_fx_provider': 'host_fx_needs' requires its service 'fx.echo/1' and stays "
        "enabled; "
        "disable 'host_fx_needs' as well, or keep 'host_fx_provider' enabled";
    r = request(h.port(), "POST", "/admin/plugins/host_fx_provider/disable");
    EXPECT_EQ(r.status, 409) << r.head << r.body;
    EXPECT_NE(r.body.find(reason), std::string::npos) << r.body;
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_needs/ok").status, 200);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 200);

    // The same rule for an admin who edits the file.
    writeConfig(h, R"("host_fx_provider": {"enabled": false}, "host_fx_needs": {}, "host_fx_ok": {})");
    h.signal(SIGHUP);
    ASSERT_TRUE(waitFor([&] { return count(h.log(), reason) >= 2; }, 20s)) << h.log();
    EXPECT_NE(h.log().find("refused; the running plugins stay as they were"), std::string::npos);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_needs/ok").status, 200);

    // Disabling both at once works: the consumer stops first, then the provider.
    writeConfig(
        h,
        R"("host_fx_provider": {"enabled": false}, "host_fx_needs": {"enabled": false}, "host_fx_ok": {})");
    r = request(h.port(), "POST", "/admin/config/reload");
    ASSERT_EQ(r.status, 200) << r.body << h.log();
    EXPECT_NE(r.body.find("stopped 'host_fx_needs'"), std::string::npos) << r.body;
    const std::string log = h.log();
    EXPECT_LT(log.find("stopping 'host_fx_needs'"), log.find("stopping 'host_fx_provider'")) << log;
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_needs/ok").status, 404);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 404);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/ok").status, 200);
    // Enabling the consumer alone is refused the same way; with its provider it starts.
    r = request(h.port(), "POST", "/admin/plugins/host_fx_needs/enable");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_NE(
        r.body.find("'host_fx_needs' requires 'fx.echo/1' from 'host_fx_provider', which is not enabled"),
        std::string::npos)
        << r.body;
    EXPECT_EQ(request(h.port(), "POST", "/admin/plugins/host_fx_provider/enable").status, 200);
    EXPECT_EQ(request(h.port(), "POST", "/admin/plugins/host_fx_needs/enable").status, 200);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_needs/ok").body,
              "host_fx_needs ok with hello from host_fx_provider (hi)");
}

TEST(HostToggle, AConfigWithAnErrorIsRefusedWhole) {
    Host h("toggle-bad");
    writeConfig(h, R"("host_fx_ok": {}, "host_fx_provider": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    // Two changes, one of them bad: neither is applied.
    writeConfig(h, R"("host_fx_ok": {"settings": {"greeting": 5}}, "host_fx_provider": {"enabled": false})");
    auto r = request(h.port(), "POST", "/admin/config/reload");
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("plugins.host_fx_ok.settings.greeting"), std::string::npos) << r.body;
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 200);
    // An unknown plugin id, then a syntax error: refused whole as well (by SIGHUP here).
    writeConfig(h, R"("host_fx_nope": {}, "host_fx_provider": {"enabled": false})");
    h.signal(SIGHUP);
    ASSERT_TRUE(waitFor(
        [&] { return h.log().find("plugins.host_fx_nope: no readable plugin") != std::string::npos; }, 20s))
        << h.log();
    std::ofstream(h.config()) << "{\"plugins\": {\"host_fx_provider\": {\"enabled\": false},}}";
    h.signal(SIGHUP);
    ASSERT_TRUE(waitFor([&] { return h.log().find("syntax error") != std::string::npos; }, 20s)) << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 200);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/ok").status, 200);
    EXPECT_EQ(h.log().find("stopping 'host_fx_provider'"), std::string::npos) << h.log();
}

TEST(HostToggle, SighupEnablesReconfiguresAndRestartsOnlyWhatChanged) {
    Host h("toggle-hup");
    writeConfig(h, R"("host_fx_ok": {"settings": {"greeting": "hi"}}, "host_fx_provider": {"enabled": false},
                      "host_fx_wants": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 404);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_wants/ok").body, "host_fx_wants ok without fx.echo");
    writeConfig(h, R"("host_fx_ok": {"settings": {"greeting": "hello"}}, "host_fx_provider": {},
                      "host_fx_wants": {})");
    h.signal(SIGHUP);
    ASSERT_TRUE(waitFor(
        [&] {
            return h.log().find("config reload (") != std::string::npos &&
                   h.log().find(" done: ") != std::string::npos;
        },
        20s))
        << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 200);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/greeting").body, "hello");  // reconfigured in place
    EXPECT_NE(h.log().find("plugin 'host_fx_ok' reconfigured"), std::string::npos) << h.log();
    EXPECT_EQ(count(h.log(), "plugin 'host_fx_ok' 1.0.0 started"), 1u) << h.log();
    // The optional consumer was restarted to pick the new provider up.
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_wants/ok").body,
              "host_fx_wants ok with hello from host_fx_provider (hi)");
    // No reconfigure slot: a settings change restarts that plugin (and its consumer) only.
    writeConfig(
        h,
        R"("host_fx_ok": {"settings": {"greeting": "hello"}}, "host_fx_provider": {"settings": {"greeting": "yo"}},
                      "host_fx_wants": {})");
    h.signal(SIGHUP);
    ASSERT_TRUE(waitFor([&] { return count(h.log(), " done: ") >= 2; }, 20s)) << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/greeting").body, "yo");
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_wants/ok").body,
              "host_fx_wants ok with hello from host_fx_provider (yo)");
    EXPECT_EQ(count(h.log(), "plugin 'host_fx_ok' 1.0.0 started"), 1u) << h.log();
    EXPECT_NE(h.log().find("restarted 'host_fx_provider'"), std::string::npos) << h.log();
}

TEST(HostToggle, FileWatchReloadsAndApiOverridesLastUntilTheNextReload) {
    Host h("toggle-watch");
    writeConfig(h, R"("host_fx_ok": {}, "host_fx_provider": {"enabled": false})",
                R"(, "watch_config": true, "watch_interval_ms": 100)");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    // An API override...
    ASSERT_EQ(request(h.port(), "POST", "/admin/plugins/host_fx_ok/disable").status, 200);
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/ok").status, 404);
    auto r = request(h.port(), "GET", "/admin/plugins");
    EXPECT_NE(r.body.find(R"("override":"disabled")"), std::string::npos) << r.body;
    // ...until the file is reloaded: the file is the source of truth.
    std::this_thread::sleep_for(20ms);  // a different mtime even on coarse clocks
    writeConfig(h, R"("host_fx_ok": {}, "host_fx_provider": {})",
                R"(, "watch_config": true, "watch_interval_ms": 100)");
    ASSERT_TRUE(waitFor([&] { return request(h.port(), "GET", "/host_fx_provider/ok").status == 200; }, 20s))
        << h.log();
    EXPECT_NE(h.log().find("changed: reloading"), std::string::npos) << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/ok").status, 200);
    r = request(h.port(), "GET", "/admin/plugins");
    EXPECT_EQ(r.body.find(R"("override":"disabled")"), std::string::npos) << r.body;
}

TEST(HostToggle, InFlightRequestFinishesThen503WithRetryAfterThen404) {
    Host h("toggle-drain");
    writeConfig(h, R"("host_fx_ok": {}, "host_fx_provider": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    const fs::path marker = h.dir() / "slow.marker";
    auto slow = connect(h.port());
    sendAll(slow, "GET /host_fx_provider/slow?ms=1500&marker=" + marker.string() +
                      " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ASSERT_TRUE(waitFor([&] { return fs::exists(marker); }, 30s)) << h.log();
    auto disable = std::async(std::launch::async, [&] {
        return request(h.port(), "POST", "/admin/plugins/host_fx_provider/disable");
    });
    // While it stops: 503 + Retry-After for new requests to its routes, other plugins unaffected.
    RawResponse during;
    ASSERT_TRUE(waitFor(
        [&] { return (during = request(h.port(), "GET", "/host_fx_provider/ok")).status == 503; }, 20s))
        << during.head << h.log();
    EXPECT_EQ(during.header("Retry-After"), "1") << during.head;
    EXPECT_NE(during.body.find("is stopping"), std::string::npos) << during.body;
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_ok/ok").status, 200);
    auto done = readResponse(slow, false);
    EXPECT_EQ(done.status, 200) << done.head;
    EXPECT_EQ(done.body, "slow done");
    auto d = disable.get();
    EXPECT_EQ(d.status, 200) << d.body;
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 404);
    EXPECT_NE(h.log().find("fixture stop: in_flight=0"), std::string::npos) << h.log();
}

TEST(HostToggle, UnaffectedRouteSeesZeroErrorsWhileAnotherPluginIsToggled20Times) {
    Host h("toggle-load");
    writeConfig(h, R"("host_fx_ok": {}, "host_fx_provider": {}, "host_fx_wants": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, errors{0};
    std::string firstError;
    auto client = std::async(std::launch::async, [&] {
        while (!stop.load()) {
            try {
                auto r = request(h.port(), "GET", "/host_fx_ok/ok", "");
                if (r.status == 200 && r.body == "host_fx_ok ok") {
                    ok.fetch_add(1);
                } else if (errors.fetch_add(1) == 0) {
                    firstError = r.head + r.body;
                }
            } catch (const std::exception& e) {
                if (errors.fetch_add(1) == 0) firstError = e.what();
            }
        }
    });
    for (int i = 0; i < 20; ++i) {
        auto r = request(h.port(), "POST", "/admin/plugins/host_fx_provider/disable");
        ASSERT_EQ(r.status, 200) << i << r.body;
        EXPECT_EQ(request(h.port(), "GET", "/host_fx_wants/ok").body, "host_fx_wants ok without fx.echo");
        r = request(h.port(), "POST", "/admin/plugins/host_fx_provider/enable");
        ASSERT_EQ(r.status, 200) << i << r.body;
        r = request(h.port(), "POST", "/admin/plugins/host_fx_provider/restart");
        ASSERT_EQ(r.status, 200) << i << r.body;
        EXPECT_EQ(request(h.port(), "GET", "/host_fx_wants/ok").body,
                  "host_fx_wants ok with hello from host_fx_provider (hi)");
    }
    stop = true;
    client.get();
    EXPECT_EQ(errors.load(), 0) << firstError;
    EXPECT_GT(ok.load(), 0);
    // No consumer ever called a destroyed provider, and the host is still healthy.
    EXPECT_EQ(h.log().find("dangling reference"), std::string::npos) << h.log();
    EXPECT_EQ(request(h.port(), "GET", "/host_fx_provider/ok").status, 200);
    h.signal(SIGTERM);
    auto code = h.waitExit();
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << h.log();
}
