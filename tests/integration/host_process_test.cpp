// Integration tests of the real valory-host process with the C fixture plugins of fixtures/:
// graceful stop waits for an in-flight handler, a non-optional failure stops start-up, 413 closes
// the connection, 503 + Retry-After over capacity, `run <plugin> <command>`, --check and
// --list-plugins. Each test gets its own temp folder, config and port (port 0 + --port-file).
#include "host_process.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <future>
#include <thread>

using namespace valory::it;

TEST(HostProcess, ServesPluginRoutesAndStopsCleanlyOnSigterm) {
    Host h("serve");
    h.writeConfig("", R"("host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    auto r = get(h.port(), "/host_fx_ok/ok");
    EXPECT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.body, "host_fx_ok ok");
    EXPECT_TRUE(std::regex_match(r.header("X-Process-Time"), std::regex("[0-9]+\\.[0-9]{6}"))) << r.head;
    r = get(h.port(), "/host_fx_ok/items/a%20b");
    EXPECT_EQ(r.body, "item=a b");
    r = get(h.port(), "/host_fx_ok/fail");
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body, R"({"error":"internal","message":"fixture handler failed on purpose"})");
    r = get(h.port(), "/nope");
    EXPECT_EQ(r.status, 404);
    h.signal(SIGHUP);  // logged, not fatal
    ASSERT_TRUE(waitFor([&] { return h.log().find("SIGHUP received") != std::string::npos; }, 10s))
        << h.log();
    EXPECT_EQ(get(h.port(), "/host_fx_ok/ok").status, 200);
    h.signal(SIGTERM);
    auto code = h.waitExit();
    ASSERT_TRUE(code.has_value()) << h.log();
    EXPECT_EQ(*code, 0) << h.log();
    EXPECT_NE(h.log().find("plugin 'host_fx_ok' stopped"), std::string::npos) << h.log();
}

TEST(HostProcess, GracefulStopWaitsForInFlightHandler) {
    Host h("drain");
    h.writeConfig(R"("drain_deadline_s": 30)", R"("host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    const fs::path marker = h.dir() / "slow.marker";
    auto s = connect(h.port());
    sendAll(
        s, "GET /host_fx_ok/slow?ms=1500&marker=" + marker.string() + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ASSERT_TRUE(waitFor([&] { return fs::exists(marker); }, 30s)) << h.log();
    h.signal(SIGTERM);  // while the handler is running
    auto r = readResponse(s, /*checkClose=*/true);
    EXPECT_EQ(r.status, 200) << r.head << h.log();
    EXPECT_EQ(r.body, "slow done");
    EXPECT_TRUE(iequalsAscii(r.header("Connection"), "close")) << r.head;
    EXPECT_TRUE(r.closedAfter);
    auto code = h.waitExit();
    ASSERT_TRUE(code.has_value()) << h.log();
    EXPECT_EQ(*code, 0) << h.log();
    const std::string log = h.log();
    // The plugin was stopped only after its handler finished, and the handler was never cut short.
    EXPECT_NE(log.find("fixture stop: in_flight=0"), std::string::npos) << log;
    EXPECT_LT(log.find("HTTP server stopped"), log.find("fixture stop:")) << log;
}

TEST(HostProcess, NonOptionalFailureStopsStartupWithNonZeroExit) {
    Host h("required");
    h.writeConfig("", R"("host_fx_ok": {}, "host_fx_fail_start": {"optional": false})");
    h.start();
    auto code = h.waitExit();
    ASSERT_TRUE(code.has_value()) << "valory-host kept running\n" << h.log();
    EXPECT_EQ(*code, 1) << h.log();
    const std::string log = h.log();
    EXPECT_NE(log.find("plugin 'host_fx_fail_start' refused at start: fixture start fails on purpose"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("start-up failed: plugin 'host_fx_fail_start'"), std::string::npos) << log;
    EXPECT_EQ(log.find("skipped (optional)"), std::string::npos) << log;
    EXPECT_FALSE(fs::exists(h.dir() / "port"));  // never listened
    // Whatever had started before the failure was stopped again.
    if (log.find("plugin 'host_fx_ok' 1.0.0 started") != std::string::npos) {
        EXPECT_NE(log.find("plugin 'host_fx_ok' stopped"), std::string::npos) << log;
    }
}

TEST(HostProcess, OptionalFailureIsSkippedWithOneLine) {
    Host h("optional");
    h.writeConfig("", R"("host_fx_ok": {}, "host_fx_fail_create": {"optional": true})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    EXPECT_EQ(get(h.port(), "/host_fx_ok/ok").status, 200);
    EXPECT_EQ(get(h.port(), "/host_fx_fail_create/ok").status, 404);
    const std::string log = h.log();
    EXPECT_NE(
        log.find(
            "plugin 'host_fx_fail_create' refused at create: fixture create fails on purpose (status 1); "
            "skipped (optional)"),
        std::string::npos)
        << log;
    h.signal(SIGTERM);
    EXPECT_EQ(h.waitExit().value_or(-1), 0) << h.log();
}

TEST(HostProcess, BodyOverLimitGets413AndTheConnectionIsClosed) {
    Host h("limit");
    h.writeConfig(R"("max_body_bytes": 1024)", R"("host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    {
        auto s = connect(h.port());
        sendAll(s,
                "POST /host_fx_ok/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n0123456789");
        auto r = readResponse(s, false);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body, "0123456789");
    }
    {
        auto s = connect(h.port());
        sendAll(s, "POST /host_fx_ok/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n" +
                       std::string(2048, 'x'));
        auto r = readResponse(s, /*checkClose=*/true);
        EXPECT_EQ(r.status, 413) << r.head;
        EXPECT_TRUE(iequalsAscii(r.header("Connection"), "close")) << r.head;
        EXPECT_NE(r.body.find("\"error\":\"payload_too_large\""), std::string::npos) << r.body;
        EXPECT_TRUE(r.closedAfter);
    }
    {
        // Chunked bodies are counted as they arrive.
        auto s = connect(h.port());
        std::string chunk(1500, 'y');
        sendAll(
            s,
            "POST /host_fx_ok/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5dc\r\n" +
                chunk + "\r\n0\r\n\r\n");
        auto r = readResponse(s, /*checkClose=*/true);
        EXPECT_EQ(r.status, 413) << r.head;
        EXPECT_TRUE(r.closedAfter);
    }
    EXPECT_EQ(get(h.port(), "/host_fx_ok/ok").status, 200);  // the server goes on
    h.signal(SIGTERM);
    EXPECT_EQ(h.waitExit().value_or(-1), 0) << h.log();
}

TEST(HostProcess, OverCapacityAnswers503WithRetryAfter) {
    Host h("capacity");
    h.writeConfig(R"("threads": 1, "max_queued": 1, "retry_after_s": 3, "drain_deadline_s": 30)",
                  R"("host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    // A occupies the only thread...
    const fs::path marker = h.dir() / "busy.marker";
    auto a = connect(h.port());
    sendAll(
        a, "GET /host_fx_ok/slow?ms=3000&marker=" + marker.string() + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ASSERT_TRUE(waitFor([&] { return fs::exists(marker); }, 30s)) << h.log();
    // ...B waits in the queue (which is now full)...
    auto b = connect(h.port());
    sendAll(b, "GET /host_fx_ok/ok HTTP/1.1\r\nHost: localhost\r\n\r\n");
    std::this_thread::sleep_for(200ms);  // let the acceptor queue B (no assertion on time)
    // ...so C gets 503 with Retry-After instead of a silent drop.
    auto c = connect(h.port());
    sendAll(c, "GET /host_fx_ok/ok HTTP/1.1\r\nHost: localhost\r\n\r\n");
    auto rc = readResponse(c, /*checkClose=*/true);
    EXPECT_EQ(rc.status, 503) << rc.head;
    EXPECT_EQ(rc.header("Retry-After"), "3") << rc.head;
    EXPECT_TRUE(rc.closedAfter);
    // A and B are still answered.
    auto ra = readResponse(a, false);
    EXPECT_EQ(ra.status, 200);
    a.close();  // A's thread would otherwise keep serving A's keep-alive connection
    auto rb = readResponse(b, false);
    EXPECT_EQ(rb.status, 200);
    h.signal(SIGTERM);
    EXPECT_EQ(h.waitExit().value_or(-1), 0) << h.log();
}

TEST(HostProcess, RunCommandPrintsOutputAndExitCode) {
    Host h("run");
    h.writeConfig("", R"("host_fx_ok": {})");
    std::string out;
    EXPECT_EQ(h.runToEnd({"run", "host_fx_ok", "echo", "a", "--not-an-option"}, out), 0) << out;
    EXPECT_NE(out.find("a --not-an-option\n"), std::string::npos) << out;
    EXPECT_NE(out.find("fixture created: run_mode=3 command=host_fx_ok/echo"), std::string::npos) << out;
    EXPECT_EQ(h.runToEnd({"run", "host_fx_ok", "nope"}, out), 1) << out;
    EXPECT_NE(out.find("run: plugin 'host_fx_ok' command 'nope' failed: unknown command (try: echo)"),
              std::string::npos)
        << out;
    EXPECT_EQ(h.runToEnd({"run", "absent", "x"}, out), 1) << out;
    EXPECT_NE(out.find("run: plugin 'absent' is not enabled"), std::string::npos) << out;
    // `run <plugin> --help` lists the commands of its manifest and starts nothing.
    EXPECT_EQ(h.runToEnd({"run", "host_fx_ok", "--help"}, out), 0) << out;
    EXPECT_NE(out.find("usage: valory-host [OPTIONS] run host_fx_ok <command> [ARGS...]\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("  command host_fx_ok echo — print the arguments\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("fixture created"), std::string::npos) << out;
}

TEST(HostProcess, CheckReportsEveryProblemAndListPluginsExplains) {
    Host h("check");
    h.writeConfig("", R"("host_fx_ok": {}, "host_fx_fail_start": {"optional": true},
                        "host_fx_fail_create": {}, "ghost": {"optional": true})");
    std::string out;
    EXPECT_EQ(h.runToEnd({"--check"}, out), 1) << out;
    EXPECT_NE(out.find("check: plugin 'host_fx_ok' ok (1.0.0, ABI 1.0)"), std::string::npos) << out;
    EXPECT_NE(out.find("check: plugin 'host_fx_fail_start' refused at start: fixture start fails on purpose"),
              std::string::npos)
        << out;
    EXPECT_NE(
        out.find("check: plugin 'host_fx_fail_create' refused at create: fixture create fails on purpose"),
        std::string::npos)
        << out;
    EXPECT_NE(out.find("check: plugin 'ghost' refused at discovery: not found in plugin_path"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("check: failed, 3 problem(s)"), std::string::npos) << out;

    EXPECT_EQ(h.runToEnd({"--list-plugins"}, out), 0) << out;
    EXPECT_NE(out.find("found: host_fx_ok 1.0.0 (ABI 1.0) at "), std::string::npos) << out;
    EXPECT_NE(out.find("\n  command host_fx_ok echo — print the arguments\n"), std::string::npos) << out;
    EXPECT_TRUE(std::regex_search(out, std::regex("order: .*host_fx_ok"))) << out;
    EXPECT_NE(out.find("refused: plugin 'ghost' refused at discovery"), std::string::npos) << out;

    h.writeConfig("", R"("host_fx_ok": {})");
    EXPECT_EQ(h.runToEnd({"--check"}, out), 0) << out;
    EXPECT_NE(out.find("check: ok, 1 plugin(s) started"), std::string::npos) << out;
    EXPECT_NE(out.find("fixture created: run_mode=2 command=/"), std::string::npos) << out;

    // A config error names the file and the key path.
    std::ofstream(h.config()) << "{\"server\": {\"port\": 70000}}";
    EXPECT_EQ(h.runToEnd({"--check"}, out), 1) << out;
    EXPECT_NE(out.find(h.config().string() + ": server.port: out of range: 70000 (allowed 0..65535)"),
              std::string::npos)
        << out;
}

TEST(HostProcess, SecretsAreResolvedForThePluginAndMaskedInTheLog) {
    Host h("secret");
    ::setenv("VALORY_IT_TOKEN", "sekr1t-Value-42", 1);
    h.writeConfig("", R"("host_fx_ok": {"settings": {"token": {"env": "VALORY_IT_TOKEN"}}})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    h.signal(SIGTERM);
    EXPECT_EQ(h.waitExit().value_or(-1), 0) << h.log();
    const std::string log = h.log();
    // The plugin received the resolved value (it logs its settings) and the host masked it.
    EXPECT_NE(log.find(R"(fixture started with settings {"greeting":"hi","token":"***"})"), std::string::npos)
        << log;
    EXPECT_EQ(log.find("sekr1t-Value-42"), std::string::npos) << log;

    // An inline secret is a config error naming the key path (and the plugin is not optional: exit 1).
    h.writeConfig("", R"("host_fx_ok": {"settings": {"token": "inline-secret"}})");
    std::string out;
    EXPECT_EQ(h.runToEnd({"--check"}, out), 1) << out;
    EXPECT_NE(out.find("plugin 'host_fx_ok' refused at config: " + h.config().string() +
                       ": plugins.host_fx_ok.settings.token: inline value not allowed for a secret"),
              std::string::npos)
        << out;
}

TEST(HostProcess, StaticMountServesFilesWithEtag304HeadAndCors) {
    Host h("static");
    h.writeConfig(R"("cors": {"origins": ["https://app.example"]})", R"("host_fx_ok": {})");
    h.start();
    ASSERT_TRUE(h.waitReady()) << h.log();
    const std::string manifest = readFile(fs::path(VALORY_PLUGIN_DIR) / "host_fx_ok" / "plugin.json");
    auto r = get(h.port(), "/host_fx_ok/files/plugin.json");
    ASSERT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.body, manifest);
    EXPECT_EQ(r.header("Content-Type"), "application/json");
    EXPECT_FALSE(r.header("Last-Modified").empty()) << r.head;
    EXPECT_FALSE(r.header("X-Process-Time").empty()) << r.head;
    const std::string etag = r.header("ETag");
    ASSERT_FALSE(etag.empty()) << r.head;
    {
        auto s = connect(h.port());
        sendAll(s, "GET /host_fx_ok/files/plugin.json HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + etag +
                       "\r\n\r\n");
        auto nm = readResponse(s, false);
        EXPECT_EQ(nm.status, 304) << nm.head;
        EXPECT_TRUE(nm.body.empty());
        // HEAD on the same keep-alive connection: the length of the file, no body.
        sendAll(s, "HEAD /host_fx_ok/files/plugin.json HTTP/1.1\r\nHost: x\r\n\r\n");
        auto head = readResponse(s, false, /*noBody=*/true);
        EXPECT_EQ(head.status, 200) << head.head;
        EXPECT_EQ(head.header("Content-Length"), std::to_string(manifest.size()));
        // The connection is still in sync (no stray body bytes): a GET answers normally.
        sendAll(s, "GET /host_fx_ok/ok HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n\r\n");
        auto ok = readResponse(s, false);
        EXPECT_EQ(ok.status, 200) << ok.head;
        EXPECT_EQ(ok.body, "host_fx_ok ok");
        EXPECT_EQ(ok.header("Access-Control-Allow-Origin"), "https://app.example") << ok.head;
        EXPECT_EQ(ok.header("Vary"), "Origin") << ok.head;
    }
    EXPECT_EQ(get(h.port(), "/host_fx_ok/files/../host_fx_ok/plugin.json").status, 404);
    EXPECT_EQ(get(h.port(), "/host_fx_ok/files/%2e%2e/host_fx_fail_start/plugin.json").status, 404);
    EXPECT_EQ(get(h.port(), "/host_fx_ok/files/nothing-here").status, 404);
    h.signal(SIGTERM);
    EXPECT_EQ(h.waitExit().value_or(-1), 0) << h.log();
}
