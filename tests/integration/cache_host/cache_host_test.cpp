// The real libcache.so loaded by the real valory-host, used by a consumer plugin (cache_probe)
// through the host's service registry, against the shared Redis of the CTest fixture `redis`.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <Poco/Redis/Type.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <gtest/gtest.h>

#include "redis_test_server.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

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
    std::string source;
};

Reply http(uint16_t port, const std::string& method, const std::string& path, const std::string& body = {}) {
    Poco::Net::HTTPClientSession s("127.0.0.1", port);
    s.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest rq(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    rq.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(rq) << body;
    Poco::Net::HTTPResponse rs;
    std::istream& in = s.receiveResponse(rs);
    Reply r;
    r.status = static_cast<int>(rs.getStatus());
    Poco::StreamCopier::copyToString(in, r.body);
    r.source = rs.get("X-Cache-Source", "");
    return r;
}

TEST(CacheRealHost, ConsumerUsesCacheThroughTheRealHost) {
    std::string url;
    try {
        url = valory::testsupport::sharedRedisUrl();
    } catch (const std::exception& e) {
        FAIL() << e.what();
    }
    const fs::path dir = fs::temp_directory_path() / ("valory-cache-host-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string ns = "realhost" + std::to_string(::getpid());
    std::ofstream(dir / "valory.jsonc")
        << "// cache real-host test\n{\"server\": {\"host\": \"127.0.0.1\", \"port\": 0},\n"
        << " \"plugin_path\": [\"" << VALORY_PLUGINS_DIR << "\", \"" << VALORY_PROBE_DIR
        << "\"],\n \"data_dir\": \"data\",\n \"plugins\": {\n"
        << "  \"cache\": {\"enabled\": true, \"settings\": {\"url\": \"" << url
        << "\", \"channel\": \"valory:test:" << ns << "\"}},\n"
        << "  \"cache_probe\": {\"enabled\": true}}}\n";
    const pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open((dir / "host.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        const std::string cfg = (dir / "valory.jsonc").string(), portFile = (dir / "port").string();
        ::execl(VALORY_HOST_BIN, VALORY_HOST_BIN, "--config", cfg.c_str(), "--port-file", portFile.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ASSERT_GT(pid, 0) << "fork failed";
    struct Reaper {
        pid_t pid;
        ~Reaper() {
            if (pid > 0) {  // never kill(-1, ...): that signals every process we may signal
                ::kill(pid, SIGTERM);
                ::waitpid(pid, nullptr, 0);
            }
        }
    } reaper{pid};

    const auto until = std::chrono::steady_clock::now() + 60s;
    while (!fs::exists(dir / "port") && std::chrono::steady_clock::now() < until) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) break;
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(fs::exists(dir / "port")) << "valory-host did not start:\n" << readFile(dir / "host.log");
    const auto port = static_cast<uint16_t>(std::stoi(readFile(dir / "port")));

    const std::string key = ns + ":v1:user:42";
    EXPECT_EQ(http(port, "GET", "/probe/cache/" + key).status, 404);
    EXPECT_EQ(http(port, "PUT", "/probe/cache/" + key + "?ttl_ms=60000", "hello from the probe").status, 204);
    auto got = http(port, "GET", "/probe/cache/" + key);
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body, "hello from the probe");
    EXPECT_EQ(got.source, "1");  // L1

    // It really is in Redis, in the versioned format, with the TTL.
    auto ep = Poco::URI(url);
    Poco::Redis::Client raw;
    raw.connect(ep.getHost(), ep.getPort(), Poco::Timespan(5, 0));
    Poco::Redis::Array get;
    get.add("GET").add(key);
    auto stored = raw.execute<Poco::Redis::BulkString>(get);
    ASSERT_FALSE(stored.isNull());
    EXPECT_EQ(stored.value().substr(0, 2), std::string("V\x01"));
    EXPECT_NE(stored.value().find("hello from the probe"), std::string::npos);

    EXPECT_EQ(http(port, "PUT", "/probe/cache/bad%20key", "x").status, 500) << "invalid keys are refused";
    auto prefix = http(port, "DELETE", "/probe/cache-prefix/" + ns + ":v1:");
    EXPECT_EQ(prefix.status, 200);
    EXPECT_NE(prefix.body.find("\"deleted\":1"), std::string::npos) << prefix.body;
    EXPECT_EQ(http(port, "GET", "/probe/cache/" + key).status, 404);
    EXPECT_TRUE(raw.execute<Poco::Redis::BulkString>(get).isNull());
    auto stats = http(port, "GET", "/probe/cache-stats");
    EXPECT_NE(stats.body.find("\"l2_state\":1"), std::string::npos) << stats.body;

    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    reaper.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << readFile(dir / "host.log");
    if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

TEST(CacheRealHost, PluginExportsOnlyTheEntrySymbol) {
    const std::string cmd =
        std::string("nm -D --defined-only '") + VALORY_PLUGINS_DIR + "/cache/libcache.so'";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_TRUE(p);
    std::string out;
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    ASSERT_EQ(::pclose(p), 0);
    std::istringstream lines(out);
    std::string line;
    std::vector<std::string> symbols;
    while (std::getline(lines, line))
        if (!line.empty()) symbols.push_back(line.substr(line.rfind(' ') + 1));
    ASSERT_EQ(symbols.size(), 1u) << out;
    EXPECT_EQ(symbols[0], "valory_plugin_entry_v1");
}

}  // namespace
