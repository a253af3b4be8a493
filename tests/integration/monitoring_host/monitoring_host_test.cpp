// The real libmonitoring.so in the real valory-host with real plugins (cache on Redis, persistence
// on PostgreSQL) and a test-only plugin (monitoring_fx): /metrics checked by promtool and by a
// strict parser, slow-request warnings, alerts firing and resolving once each on error bursts,
// cache misses and slow frontend beacons, protection by token, and readiness following a private
// PostgreSQL and a private Redis being stopped and started again.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "pg_test_support.hpp"
#include "prom_parser.hpp"
#include "redis_test_server.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
namespace tp = valory::testing::prom;

namespace {

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Reply {
    int status = 0;
    std::string body;
    std::string contentType;
    std::string wwwAuthenticate;
};

Reply http(uint16_t port, const std::string& method, const std::string& path, const std::string& body = {},
           const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::HTTPClientSession s("127.0.0.1", port);
    s.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest rq(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) rq.set(k, v);
    rq.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(rq) << body;
    Poco::Net::HTTPResponse rs;
    std::istream& in = s.receiveResponse(rs);
    Reply r;
    r.status = static_cast<int>(rs.getStatus());
    Poco::StreamCopier::copyToString(in, r.body);
    r.contentType = rs.get("Content-Type", "");
    r.wwwAuthenticate = rs.get("WWW-Authenticate", "");
    return r;
}

int countOf(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    return n;
}

/// Waits (up to `limit`) until `cond` holds; returns whether it did.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 30s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (cond()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return cond();
}

/// A folder with valory.jsonc listing `plugins` (JSON object text of the "plugins" member).
fs::path makeConfig(const std::string& tag, const std::string& plugins) {
    const fs::path dir =
        fs::temp_directory_path() / ("valory-monitoring-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "valory.jsonc")
        << "// monitoring real-host test\n{\"server\": {\"host\": \"127.0.0.1\", \"port\": 0},\n"
        << " \"plugin_path\": [\"" << VALORY_PLUGINS_DIR << "\", \"" << VALORY_FX_DIR
        << "\"],\n \"data_dir\": \"data\",\n \"plugins\": " << plugins << "}\n";
    return dir;
}

/// A serving valory-host; SIGTERM on destruction. `env` is added to the child's environment.
class ServingHost {
  public:
    explicit ServingHost(const fs::path& dir, std::map<std::string, std::string> env = {}) : dir_(dir) {
        pid_ = ::fork();
        if (pid_ == 0) {
            for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
            int fd = ::open((dir / "host.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            const std::string cfg = (dir / "valory.jsonc").string(), portFile = (dir / "port").string();
            ::execl(VALORY_HOST_BIN, VALORY_HOST_BIN, "--config", cfg.c_str(), "--port-file",
                    portFile.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        const auto until = std::chrono::steady_clock::now() + 60s;
        while (!fs::exists(dir / "port") && std::chrono::steady_clock::now() < until) {
            if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
                exited_ = true;
                break;
            }
            std::this_thread::sleep_for(20ms);
        }
        if (fs::exists(dir / "port")) port_ = static_cast<uint16_t>(std::stoi(readFile(dir / "port")));
    }
    ~ServingHost() { stop(); }
    uint16_t port() const { return port_; }
    std::string log() const { return readFile(dir_ / "host.log"); }
    int stop() {
        if (!exited_) {
            if (pid_ > 0) ::kill(pid_, SIGTERM);  // never kill(-1, ...)
            ::waitpid(pid_, &status_, 0);
            exited_ = true;
        }
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    }

  private:
    fs::path dir_;
    pid_t pid_ = -1;
    int status_ = 0;
    bool exited_ = false;
    uint16_t port_ = 0;
};

std::string sharedRedisUrl() {
    return valory::testsupport::sharedRedisUrl();
}

/// Runs `promtool check metrics` on `page`; returns (exit code, output). The test fails when
/// promtool is missing (Debian package `prometheus`).
std::pair<int, std::string> promtool(const std::string& args, const std::string& input, const fs::path& dir) {
    const fs::path in = dir / "promtool.in";
    std::ofstream(in, std::ios::binary) << input;
    const std::string cmd = "promtool " + args + " < '" + in.string() + "' 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[1024];
    while (p && std::fgets(buf, sizeof buf, p)) out += buf;
    const int st = p ? ::pclose(p) : -1;
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

/// A webhook receiver on loopback: records every POSTed body, answers 204.
class WebhookReceiver {
  public:
    WebhookReceiver()
        : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
          server_(new Factory(*this), socket_, new Poco::Net::HTTPServerParams) {
        server_.start();
    }
    ~WebhookReceiver() { server_.stopAll(true); }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/hook";
    }
    std::vector<nlohmann::json> bodies() const {
        std::lock_guard lock(mutex_);
        return bodies_;
    }

  private:
    struct Handler : Poco::Net::HTTPRequestHandler {
        explicit Handler(WebhookReceiver& r) : r_(r) {}
        void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
            std::string body;
            Poco::StreamCopier::copyToString(rq.stream(), body);
            {
                std::lock_guard lock(r_.mutex_);
                auto j = nlohmann::json::parse(body, nullptr, false);
                r_.bodies_.push_back(j.is_discarded() ? nlohmann::json(rq.getMethod() + " " + body) : j);
            }
            rs.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
            rs.send();
        }
        WebhookReceiver& r_;
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        explicit Factory(WebhookReceiver& r) : r_(r) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(r_);
        }
        WebhookReceiver& r_;
    };
    mutable std::mutex mutex_;
    std::vector<nlohmann::json> bodies_;
    Poco::Net::ServerSocket socket_;
    Poco::Net::HTTPServer server_;
};

nlohmann::json alertState(uint16_t port, const std::string& name) {
    auto r = http(port, "GET", "/alerts");
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded()) return nullptr;
    for (const auto& a : j["alerts"])
        if (a["name"] == name) return a;
    return nullptr;
}

TEST(MonitoringRealHost, MetricsPageIsValidPrometheusWithHostAndPluginFamilies) {
    std::string redis;
    ASSERT_NO_THROW(redis = sharedRedisUrl());
    const std::string ns = "mon" + std::to_string(::getpid());
    const fs::path dir = makeConfig("metrics", R"({
        "cache": {"enabled": true, "settings": {"url": ")" +
                                                   redis + R"(", "channel": "valory:test:)" + ns + R"("}},
        "monitoring": {"enabled": true},
        "monitoring_fx": {"enabled": true}})");
    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();
    for (int i = 0; i < 20; ++i) ASSERT_EQ(http(host.port(), "GET", "/fx/hot").status, 200);
    EXPECT_EQ(http(host.port(), "GET", "/fx/status/503").status, 503);
    EXPECT_EQ(http(host.port(), "GET", "/fx/status/404").status, 404);
    EXPECT_EQ(http(host.port(), "GET", "/no/such/route").status, 404);
    ASSERT_EQ(http(host.port(), "GET", "/fx/cache?hits=3&misses=2&ns=" + ns).status, 200);

    // The cache publishes its stats every second; wait until they are visible.
    Reply page;
    ASSERT_TRUE(eventually([&] {
        page = http(host.port(), "GET", "/metrics");
        return page.status == 200 &&
               page.body.find("valory_cache_requests_total{level=\"l1\",result=\"hit\"} 3") !=
                   std::string::npos;
    })) << page.body;
    EXPECT_EQ(page.contentType, "text/plain; version=0.0.4; charset=utf-8");

    const auto parsed = tp::parse(page.body);
    EXPECT_TRUE(parsed.problems.empty()) << ::testing::PrintToString(parsed.problems) << "\n" << page.body;
    EXPECT_EQ(parsed.value("valory_http_requests_total",
                           {{"method", "GET"}, {"route", "/fx/hot"}, {"status_class", "2xx"}}),
              20);
    EXPECT_EQ(parsed.value("valory_http_request_duration_seconds_count", {{"route", "/fx/hot"}}), 20);
    EXPECT_EQ(parsed.value("valory_http_request_errors_total", {{"route", "/fx/status/{code}"}}), 1);
    EXPECT_EQ(parsed.value("valory_http_requests_total", {{"route", "<unmatched>"}, {"status_class", "4xx"}}),
              1);
    EXPECT_EQ(parsed.value("valory_cache_requests_total", {{"level", "l1"}, {"result", "miss"}}), 2);
    EXPECT_EQ(parsed.value("valory_cache_redis_up"), 1);
    EXPECT_EQ(parsed.value("valory_build_info"), 1);
    EXPECT_NE(parsed.family("valory_job_runs_total"), nullptr) << "host families are visited";
    EXPECT_NE(parsed.family("valory_alert_firing"), nullptr);

    auto [rc, out] = promtool("check metrics", page.body, dir);
    EXPECT_EQ(rc, 0) << "promtool check metrics (install the Debian package 'prometheus'):\n" << out;

    EXPECT_EQ(http(host.port(), "GET", "/health/live").body, R"({"status":"ok"})");
    auto ready = http(host.port(), "GET", "/health/ready");
    EXPECT_EQ(ready.status, 200) << ready.body;
    EXPECT_NE(ready.body.find("\"cache\""), std::string::npos) << "loopback sees the details: " << ready.body;
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(MonitoringRealHost, AlertingRulesFilePassesPromtool) {
    const fs::path dir = makeConfig("rules", "{}");
    const std::string cmd = std::string("promtool check rules '") + VALORY_RULES_FILE + "' 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[1024];
    while (p && std::fgets(buf, sizeof buf, p)) out += buf;
    const int st = p ? ::pclose(p) : -1;
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
        << "promtool check rules (Debian package 'prometheus'):\n"
        << out;
    EXPECT_NE(out.find("SUCCESS: 4 rules found"), std::string::npos) << out;
    fs::remove_all(dir);
}

TEST(MonitoringRealHost, SlowRequestsAreWarnedWithTheirContext) {
    const fs::path dir = makeConfig("slow", R"({
        "monitoring": {"enabled": true, "settings": {"slow_request_ms": 300, "access_log": "access.jsonl"}},
        "monitoring_fx": {"enabled": true}})");
    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();
    EXPECT_EQ(http(host.port(), "GET", "/fx/slow?ms=10").status, 200);
    EXPECT_EQ(http(host.port(), "GET", "/fx/slow?ms=600").status, 200);
    EXPECT_EQ(http(host.port(), "GET", "/fx/hot?token=do-not-log-me", "", {{"Cookie", "session=also-secret"}})
                  .status,
              200);
    ASSERT_TRUE(eventually([&] {
        return host.log().find("slow request: GET /fx/slow") != std::string::npos;
    })) << host.log();
    const std::string log = host.log();
    EXPECT_EQ(countOf(log, "slow request:"), 1) << log;
    const auto at = log.find("slow request:");
    const std::string line = log.substr(at, log.find('\n', at) - at);
    for (const char* part : {"status 200", "threshold 300 ms", "client 127.0.0.1", "request_id "})
        EXPECT_NE(line.find(part), std::string::npos) << part << " missing: " << line;
    const auto page = tp::parse(http(host.port(), "GET", "/metrics").body);
    EXPECT_EQ(page.value("valory_http_slow_requests_total"), 1);
    EXPECT_GE(page.value("valory_http_request_duration_max_seconds", {{"route", "/fx/slow"}}), 0.6);

    // The access log: one JSON line per request, route templates only.
    const std::string access = readFile(dir / "data" / "monitoring" / "access.jsonl");
    EXPECT_GE(countOf(access, "\n"), 3) << access;
    EXPECT_EQ(access.find("do-not-log-me"), std::string::npos) << access;
    EXPECT_EQ(access.find("also-secret"), std::string::npos) << access;
    std::istringstream lines(access);
    std::string l;
    while (std::getline(lines, l)) {
        auto j = nlohmann::json::parse(l, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << l;
        EXPECT_TRUE(j.contains("route") && j.contains("duration_us") && j.contains("request_id")) << l;
    }
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(MonitoringRealHost, AlertsFireAndResolveOnceEach) {
    std::string redis;
    ASSERT_NO_THROW(redis = sharedRedisUrl());
    const std::string ns = "mona" + std::to_string(::getpid());
    WebhookReceiver hook;
    const fs::path dir = makeConfig("alerts", R"({
        "cache": {"enabled": true, "settings": {"url": ")" +
                                                  redis + R"(", "channel": "valory:test:)" + ns + R"("}},
        "monitoring": {"enabled": true, "settings": {"alert_window_s": 2, "evaluate_interval_ms": 200,
                       "alert_min_requests": 10, "alert_min_cache_lookups": 10,
                       "webhook_url": ")" + hook.url() +
                                                  R"("}},
        "monitoring_fx": {"enabled": true}})");
    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();

    // Error burst.
    for (int i = 0; i < 30; ++i) http(host.port(), "GET", "/fx/status/500");
    ASSERT_TRUE(eventually([&] { return alertState(host.port(), "ApiErrorRateHigh")["state"] == "firing"; }))
        << http(host.port(), "GET", "/alerts").body << "\n"
        << host.log();
    // Cache misses.
    ASSERT_EQ(http(host.port(), "GET", "/fx/cache?misses=40&ns=" + ns).status, 200);
    ASSERT_TRUE(eventually([&] { return alertState(host.port(), "CacheHitRateLow")["state"] == "firing"; }))
        << host.log();
    // A slow overlay page.
    EXPECT_EQ(http(host.port(), "POST", "/fx/beacon",
                   R"({"overlay_id":"o1","first_render_ms":4500,"poll_failures":1})")
                  .status,
              204);
    ASSERT_TRUE(eventually([&] { return alertState(host.port(), "FrontendLoadSlow")["state"] == "firing"; }))
        << host.log();
    const auto fired = alertState(host.port(), "FrontendLoadSlow");
    EXPECT_DOUBLE_EQ(fired["value"].get<double>(), 4.5);

    // Everything leaves the 2 s window: each alert resolves.
    for (const char* name : {"ApiErrorRateHigh", "CacheHitRateLow", "FrontendLoadSlow"})
        EXPECT_TRUE(eventually([&] { return alertState(host.port(), name)["state"] == "ok"; })) << name;
    std::this_thread::sleep_for(1s);  // several more evaluation ticks: nothing may be logged again
    const std::string log = host.log();
    for (const char* name : {"ApiErrorRateHigh", "CacheHitRateLow", "FrontendLoadSlow"}) {
        EXPECT_EQ(countOf(log, std::string("alert FIRING: ") + name), 1) << log;
        EXPECT_EQ(countOf(log, std::string("alert resolved: ") + name), 1) << log;
    }
    EXPECT_EQ(countOf(log, "alert FIRING: DatabaseSlow"), 0);
    // The webhook got the same transitions, once each, through http.client/1.
    ASSERT_TRUE(eventually([&] { return hook.bodies().size() >= 6; })) << log;
    std::map<std::string, int> posted;
    for (const auto& b : hook.bodies()) {
        ASSERT_TRUE(b.is_object()) << b.dump();
        posted[b.value("alert", std::string()) + "/" + b.value("state", std::string())]++;
        EXPECT_TRUE(b.contains("threshold") && b.contains("at")) << b.dump();
    }
    for (const char* name : {"ApiErrorRateHigh", "CacheHitRateLow", "FrontendLoadSlow"}) {
        EXPECT_EQ(posted[std::string(name) + "/firing"], 1) << name;
        EXPECT_EQ(posted[std::string(name) + "/resolved"], 1) << name;
    }
    EXPECT_EQ(hook.bodies().size(), 6u);
    const auto page = tp::parse(http(host.port(), "GET", "/metrics").body);
    EXPECT_EQ(page.value("valory_frontend_load_seconds_count"), 1);
    EXPECT_EQ(page.value("valory_frontend_poll_failures_total"), 1);
    EXPECT_EQ(page.value("valory_alert_firing", {{"alert", "ApiErrorRateHigh"}}), 0);
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(MonitoringRealHost, TokenProtectsMetricsAlertsAndReadinessDetails) {
    const std::string token = "tok-" + std::to_string(::getpid()) + "-s3cr3t";
    const fs::path dir = makeConfig("token", R"({
        "monitoring": {"enabled": true, "settings": {"protect": "token", "admin_token": {"env": "VALORY_MON_TEST_TOKEN"}}},
        "monitoring_fx": {"enabled": true}})");
    ServingHost host(dir, {{"VALORY_MON_TEST_TOKEN", token}});
    ASSERT_NE(host.port(), 0) << host.log();
    const auto port = host.port();
    for (const char* path : {"/metrics", "/alerts"}) {
        auto none = http(port, "GET", path);
        EXPECT_EQ(none.status, 401) << path;
        EXPECT_NE(none.wwwAuthenticate.find("Bearer"), std::string::npos);
        EXPECT_EQ(http(port, "GET", path, "", {{"Authorization", "Bearer wrong"}}).status, 403) << path;
        EXPECT_EQ(http(port, "GET", path, "", {{"Authorization", "Bearer " + token + "x"}}).status, 403)
            << path;
        EXPECT_EQ(http(port, "GET", path, "", {{"Authorization", "Bearer " + token}}).status, 200) << path;
    }
    auto anon = http(port, "GET", "/health/ready");
    EXPECT_EQ(anon.status, 200);
    EXPECT_EQ(anon.body, R"({"status":"ok"})") << "no details without the token";
    auto admin = http(port, "GET", "/health/ready", "", {{"Authorization", "Bearer " + token}});
    EXPECT_NE(admin.body.find("\"plugins\""), std::string::npos) << admin.body;
    EXPECT_EQ(http(port, "GET", "/health/live").status, 200);
    EXPECT_EQ(host.stop(), 0);
    EXPECT_EQ(host.log().find(token), std::string::npos) << "the token must never be logged";
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(MonitoringRealHost, DisabledMonitoringLeavesNothingBehind) {
    const fs::path dir = makeConfig("disabled", R"({
        "monitoring": {"enabled": false},
        "monitoring_fx": {"enabled": true}})");
    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();
    EXPECT_EQ(http(host.port(), "GET", "/fx/hot").status, 200);
    EXPECT_EQ(http(host.port(), "GET", "/metrics").status, 404);
    EXPECT_EQ(http(host.port(), "GET", "/health/ready").status, 404);
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(MonitoringRealHost, ReadinessFollowsPostgresAndRedisOutages) {
    using valory::plugins::persistence::test::PrivateCluster;
    std::unique_ptr<PrivateCluster> pg;
    std::unique_ptr<valory::testsupport::PrivateRedis> redis;
    ASSERT_NO_THROW(pg = std::make_unique<PrivateCluster>("monitoring"));
    ASSERT_NO_THROW(redis = std::make_unique<valory::testsupport::PrivateRedis>());
    const fs::path dir = makeConfig("ready", R"({
        "persistence": {"enabled": true, "settings": {"dsn": ")" +
                                                 pg->dsn() + R"(", "pool_size": 2, "pool_overflow": 2,
                        "acquire_timeout_ms": 2000, "connect_timeout_seconds": 2}},
        "cache": {"enabled": true, "settings": {"url": ")" +
                                                 redis->url() + R"(", "health_check_interval_ms": 200,
                  "reconnect_min_ms": 50, "reconnect_max_ms": 300, "connect_timeout_ms": 1000, "receive_timeout_ms": 1000}},
        "monitoring": {"enabled": true}})");
    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();
    const auto port = host.port();
    auto ready = [&] { return http(port, "GET", "/health/ready"); };
    auto verdict = [&](const std::string& id) {
        auto j = nlohmann::json::parse(ready().body, nullptr, false);
        if (j.is_discarded() || !j.contains("plugins")) return std::string("?");
        for (const auto& p : j["plugins"])
            if (p["id"] == id) return p["verdict"].get<std::string>();
        return std::string("missing");
    };
    ASSERT_TRUE(eventually([&] { return ready().status == 200; })) << ready().body;

    pg->pause();
    EXPECT_TRUE(eventually([&] { return ready().status == 503 && verdict("persistence") == "degraded"; }))
        << ready().body;
    EXPECT_NE(ready().body.find("\"database\":\"down\""), std::string::npos) << ready().body;
    pg->resume();
    EXPECT_TRUE(eventually([&] { return ready().status == 200; }, 60s)) << ready().body;

    redis->kill();
    EXPECT_TRUE(eventually([&] { return ready().status == 503 && verdict("cache") == "degraded"; }))
        << ready().body;
    redis->restart();
    EXPECT_TRUE(eventually([&] { return ready().status == 200; }, 60s)) << ready().body;
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

}  // namespace
