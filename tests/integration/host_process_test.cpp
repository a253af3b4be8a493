// Integration tests of the real valory-host process with the C fixture plugins of fixtures/:
// graceful stop waits for an in-flight handler, a non-optional failure stops start-up, 413 closes
// the connection, 503 + Retry-After over capacity, `run <plugin> <command>`, --check and
// --list-plugins. Each test gets its own temp folder, config and port (port 0 + --port-file).
#include <gtest/gtest.h>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

template <class P>
bool waitFor(P pred, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/// One valory-host process with its own folder, config and log.
class Host {
  public:
    explicit Host(const std::string& name) {
        dir_ = fs::temp_directory_path() / ("valory-host-it-" + name + "-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~Host() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (!::testing::Test::HasFailure()) fs::remove_all(dir_);
    }

    fs::path dir() const { return dir_; }
    fs::path config() const { return dir_ / "valory.jsonc"; }
    std::string log() const { return readFile(dir_ / "host.log"); }

    void writeConfig(const std::string& server, const std::string& plugins) {
        std::ofstream(config())
            << "// integration test config\n{\"server\": {\"host\": \"127.0.0.1\", \"port\": 0"
            << (server.empty() ? "" : ", ") << server << "},\n \"plugin_path\": [\"" << VALORY_PLUGIN_DIR
            << "\"],\n \"data_dir\": \"data\",\n \"plugins\": {" << plugins << "}}\n";
    }

    /// Starts valory-host with the config (and extra args); output goes to host.log.
    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {VALORY_HOST_BINARY, "--config", config().string(), "--port-file",
                                         (dir_ / "port").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = spawn(args, dir_ / "host.log");
    }

    /// Runs valory-host to completion (for --check, --list-plugins, run); returns exit code.
    int runToEnd(std::vector<std::string> extra, std::string& output) {
        std::vector<std::string> args = {VALORY_HOST_BINARY, "--config", config().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const fs::path out = dir_ / "run.log";
        pid_t pid = spawn(args, out);
        int status = 0;
        ::waitpid(pid, &status, 0);
        output = readFile(out);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    bool waitReady(std::chrono::milliseconds limit = 30s) {
        return waitFor([&] { return fs::exists(dir_ / "port") || exited(); }, limit) &&
               fs::exists(dir_ / "port");
    }
    std::uint16_t port() const { return static_cast<std::uint16_t>(std::stoi(readFile(dir_ / "port"))); }

    void signal(int sig) {
        if (pid_ > 0) ::kill(pid_, sig);  // never kill(-1, ...): after exit pid_ is -1
    }
    bool exited() {
        if (exitCode_) return true;
        int status = 0;
        if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
            exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            pid_ = -1;
            return true;
        }
        return false;
    }
    std::optional<int> waitExit(std::chrono::milliseconds limit = 60s) {
        waitFor([&] { return exited(); }, limit);
        return exitCode_;
    }

  private:
    static pid_t spawn(const std::vector<std::string>& args, const fs::path& logFile) {
        pid_t pid = ::fork();
        if (pid == 0) {
            int fd = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        return pid;
    }

    fs::path dir_;
    pid_t pid_ = -1;
    std::optional<int> exitCode_;
};

/// A raw HTTP/1.1 exchange on one socket, so tests see connection-level behaviour.
struct RawResponse {
    int status = 0;
    std::string head;
    std::string body;
    bool closedAfter = false;  ///< the server closed the connection after this response
    std::string header(const std::string& name) const {
        std::regex re("\r\n" + name + ": ([^\r]*)\r\n", std::regex::icase);
        std::smatch m;
        return std::regex_search(head, m, re) ? m[1].str() : std::string();
    }
};

/// Reads one response; `noBody` for HEAD and 304 (Content-Length describes the omitted body).
RawResponse readResponse(Poco::Net::StreamSocket& s, bool checkClose, bool noBody = false) {
    RawResponse r;
    std::string data;
    char buf[4096];
    s.setReceiveTimeout(Poco::Timespan(30, 0));
    while (data.find("\r\n\r\n") == std::string::npos) {
        int n = s.receiveBytes(buf, sizeof buf);
        if (n <= 0) return r;
        data.append(buf, static_cast<std::size_t>(n));
    }
    const auto end = data.find("\r\n\r\n");
    r.head = data.substr(0, end + 2);
    r.body = data.substr(end + 4);
    r.status = std::stoi(r.head.substr(9, 3));
    const std::string len = r.header("Content-Length");
    const std::size_t want = len.empty() || noBody || r.status == 304 ? 0 : std::stoul(len);
    while (r.body.size() < want) {
        int n = s.receiveBytes(buf, sizeof buf);
        if (n <= 0) break;
        r.body.append(buf, static_cast<std::size_t>(n));
    }
    if (checkClose) {
        try {
            s.setReceiveTimeout(Poco::Timespan(10, 0));
            r.closedAfter = s.receiveBytes(buf, sizeof buf) == 0;
        } catch (const Poco::Exception&) {
            r.closedAfter = true;  // reset counts as closed
        }
    }
    return r;
}

bool iequalsAscii(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

Poco::Net::StreamSocket connect(std::uint16_t port) {
    return Poco::Net::StreamSocket(Poco::Net::SocketAddress("127.0.0.1", port));
}

void sendAll(Poco::Net::StreamSocket& s, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        int n = s.sendBytes(data.data() + sent, static_cast<int>(data.size() - sent));
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
}

RawResponse get(std::uint16_t port, const std::string& target, bool checkClose = false) {
    auto s = connect(port);
    sendAll(s, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    return readResponse(s, checkClose);
}

}  // namespace

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
