// The real libpersistence.so loaded by the real valory-host with a consumer plugin (sql_probe):
// `valory-host run persistence migrate` (applies and says which, then "none pending"),
// auto_migrate=false refusal, and PostgreSQL stopped and restarted under the running host with
// concurrent HTTP callers (private cluster).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "pg_test_support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace valory::plugins::persistence::test;

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
};

Reply http(uint16_t port, const std::string& method, const std::string& path, const std::string& body = {}) {
    Poco::Net::HTTPClientSession s("127.0.0.1", port);
    s.setTimeout(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequest rq(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    rq.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(rq) << body;
    Poco::Net::HTTPResponse rs;
    std::istream& in = s.receiveResponse(rs);
    Reply r;
    r.status = static_cast<int>(rs.getStatus());
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
}

/// A folder with a config for persistence + sql_probe.
fs::path makeConfig(const std::string& tag, const std::string& dsn, bool autoMigrate,
                    int acquireTimeoutMs = 30000) {
    const fs::path dir =
        fs::temp_directory_path() / ("valory-persistence-host-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "valory.jsonc")
        << "// persistence real-host test\n{\"server\": {\"host\": \"127.0.0.1\", \"port\": 0},\n"
        << " \"plugin_path\": [\"" << VALORY_PLUGINS_DIR << "\", \"" << VALORY_PROBE_DIR
        << "\"],\n \"data_dir\": \"data\",\n \"plugins\": {\n"
        << "  \"persistence\": {\"enabled\": true, \"settings\": {\"dsn\": \"" << dsn
        << "\", \"pool_size\": 4, \"pool_overflow\": 4, \"acquire_timeout_ms\": " << acquireTimeoutMs
        << ", \"auto_migrate\": " << (autoMigrate ? "true" : "false")
        << "}},\n  \"sql_probe\": {\"enabled\": true}}}\n";
    return dir;
}

/// Runs valory-host to completion with `args`; returns (exit code, stdout+stderr).
std::pair<int, std::string> runHost(const fs::path& dir, std::vector<std::string> args) {
    std::string cmd =
        std::string("'") + VALORY_HOST_BIN + "' --config '" + (dir / "valory.jsonc").string() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[1024];
    while (p && std::fgets(buf, sizeof buf, p)) out += buf;
    int st = p ? ::pclose(p) : -1;
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

/// A serving valory-host; SIGTERM on destruction.
class ServingHost {
  public:
    explicit ServingHost(const fs::path& dir) : dir_(dir) {
        pid_ = ::fork();
        if (pid_ == 0) {
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
    bool running() { return !exited_ && ::waitpid(pid_, &status_, WNOHANG) == 0; }
    std::string log() const { return readFile(dir_ / "host.log"); }
    int stop() {
        if (!exited_) {
            if (pid_ > 0) ::kill(pid_, SIGTERM);
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

}  // namespace

TEST(PersistenceRealHost, AutoMigrateOffRefusesThenMigrateCommandAppliesThenNonePending) {
    const std::string dsn = testDatabase("host_migrate");
    const fs::path dir = makeConfig("migrate", dsn, /*autoMigrate=*/false);

    // Serving with pending migrations and auto_migrate off: the owner refuses to start.
    {
        ServingHost host(dir);
        EXPECT_EQ(host.port(), 0) << "must not start:\n" << host.log();
        EXPECT_NE(host.stop(), 0);
        EXPECT_NE(host.log().find("valory-host run persistence migrate"), std::string::npos) << host.log();
    }
    auto [rc1, out1] = runHost(dir, {"run", "persistence", "migrate"});
    EXPECT_EQ(rc1, 0) << out1;
    EXPECT_NE(out1.find("sql_probe: applied v1 'create users', v2 'create overlays'"), std::string::npos)
        << out1;
    auto [rc2, out2] = runHost(dir, {"run", "persistence", "migrate"});
    EXPECT_EQ(rc2, 0) << out2;
    EXPECT_NE(out2.find("sql_probe: none pending"), std::string::npos) << out2;

    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();
    auto created = http(host.port(), "POST", "/probe/sql/users", "streamer_one");
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(http(host.port(), "POST", "/probe/sql/users", "streamer_one").status, 409);
    auto got = http(host.port(), "GET", "/probe/sql/users/1");
    EXPECT_EQ(got.status, 200) << got.body;
    EXPECT_NE(got.body.find("streamer_one"), std::string::npos);
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(PersistenceRealHost, MigrateCommandFailsWhenTheDatabaseIsDown) {
    const fs::path dir = makeConfig("down", "host=127.0.0.1 port=1 dbname=valory user=valory", true);
    auto [rc, out] = runHost(dir, {"run", "persistence", "migrate"});
    EXPECT_NE(rc, 0) << out;
    EXPECT_NE(out.find("cannot connect"), std::string::npos) << out;
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(PersistenceRealHost, ServerRestartUnderConcurrentCallersFailsFastThenRecovers) {
    PrivateCluster cluster("host_restart");
    const fs::path dir = makeConfig("restart", cluster.dsn(), true, /*acquireTimeoutMs=*/20000);
    ServingHost host(dir);
    ASSERT_NE(host.port(), 0) << host.log();
    ASSERT_EQ(http(host.port(), "POST", "/probe/sql/users", "first_user").status, 201);

    enum { kBefore, kDown, kAfter };
    std::atomic<int> phase{kBefore};
    std::atomic<bool> stop{false};
    std::atomic<int> ok[3] = {0, 0, 0}, unavailable[3] = {0, 0, 0}, other[3] = {0, 0, 0};
    std::atomic<int64_t> slowestFailureMs{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 8; ++t) {
        callers.emplace_back([&, t] {
            for (int i = 0; !stop; ++i) {
                const int ph = phase.load();
                const auto t0 = std::chrono::steady_clock::now();
                Reply r;
                try {
                    r = (i % 2) ? http(host.port(), "GET", "/probe/sql/users/1")
                                : http(host.port(), "POST", "/probe/sql/users",
                                       "u" + std::to_string(t) + "_" + std::to_string(i));
                } catch (const std::exception&) {
                    r.status = -1;
                }
                if (r.status == 200 || r.status == 201) {
                    ++ok[ph];
                } else if (r.status == 503) {
                    ++unavailable[ph];
                    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
                    int64_t prev = slowestFailureMs.load();
                    while (ms > prev && !slowestFailureMs.compare_exchange_weak(prev, ms)) {
                    }
                    std::this_thread::sleep_for(5ms);
                } else {
                    ++other[ph];
                }
            }
        });
    }
    auto waitFor = [&](auto cond) {
        for (int i = 0; i < 1200 && !cond(); ++i) std::this_thread::sleep_for(50ms);
        return cond();
    };
    EXPECT_TRUE(waitFor([&] { return ok[kBefore] >= 100; }));
    phase = kDown;
    cluster.pause();
    EXPECT_TRUE(waitFor([&] { return unavailable[kDown] >= 100; }))
        << "requests fail fast with 503 while PostgreSQL is down";
    cluster.resume();
    phase = kAfter;
    EXPECT_TRUE(waitFor([&] { return ok[kAfter] >= 100; }))
        << "requests succeed again without restarting the host";
    stop = true;
    for (auto& c : callers) c.join();
    EXPECT_TRUE(host.running()) << "the host kept running";
    EXPECT_EQ(other[kBefore] + other[kDown] + other[kAfter], 0) << "only 2xx or 503";
    EXPECT_LT(slowestFailureMs.load(), 15000) << "no request waited for the 20 s acquire timeout";
    std::cout << "real-host restart: ok before/down/after = " << ok[0] << "/" << ok[1] << "/" << ok[2]
              << ", 503 = " << unavailable[0] << "/" << unavailable[1] << "/" << unavailable[2]
              << ", slowest 503 " << slowestFailureMs.load() << " ms\n";
    EXPECT_EQ(host.stop(), 0) << host.log();
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}
