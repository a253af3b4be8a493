// Test helpers for Redis: the shared fixture instance (CTest fixture `redis`) and private instances
// (for tests that kill, restart or pause the server), both through tests/support/redis_launcher.sh.
// The CTest ENVIRONMENT of a test carries VALORY_REDIS_ENV_FILE (see redis.cmake); that file names
// the launcher too. Missing pieces throw std::runtime_error with a message saying what to do; tests
// turn that into a failure, never a skip.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace valory::testsupport {

inline std::map<std::string, std::string> readEnvFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(
            "Redis env file '" + path +
            "' missing: run the test through ctest (fixture 'redis', which needs redis-server)");
    std::map<std::string, std::string> kv;
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return kv;
}

inline std::string envOrThrow(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        throw std::runtime_error(
            std::string(name) +
            " is not set: run the test through ctest (it is set by tests/support/redis.cmake)");
    return v;
}

/// URL of the shared fixture instance (redis://127.0.0.1:<port>).
inline std::string sharedRedisUrl() {
    auto kv = readEnvFile(envOrThrow("VALORY_REDIS_ENV_FILE"));
    auto it = kv.find("VALORY_REDIS_URL");
    if (it == kv.end() || it->second.empty())
        throw std::runtime_error("Redis env file has no VALORY_REDIS_URL");
    return it->second;
}

/// A private Redis instance owned by one test; stopped and removed on destruction.
class PrivateRedis {
  public:
    PrivateRedis() {
        launcher_ = readEnvFile(envOrThrow("VALORY_REDIS_ENV_FILE")).at("VALORY_REDIS_LAUNCHER");
        char tmpl[] = "/tmp/valory-redis-env.XXXXXX";
        int fd = mkstemp(tmpl);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        close(fd);
        envFile_ = tmpl;
        run("start");
        auto kv = readEnvFile(envFile_);
        url_ = kv.at("VALORY_REDIS_URL");
        port_ = std::stoi(kv.at("VALORY_REDIS_PORT"));
    }
    ~PrivateRedis() {
        std::string cmd = "bash '" + launcher_ + "' stop '" + envFile_ + "' >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            // Best effort in a destructor; the folder is under /tmp.
        }
    }
    PrivateRedis(const PrivateRedis&) = delete;
    PrivateRedis& operator=(const PrivateRedis&) = delete;

    const std::string& url() const noexcept { return url_; }
    int port() const noexcept { return port_; }
    void kill() { run("kill"); }
    void restart() { run("restart"); }
    /// Runs redis-cli against this instance (e.g. "CLIENT PAUSE 2000 ALL").
    void cli(const std::string& args) const {
        std::string cmd = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + args + " >/dev/null";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("redis-cli " + args + " failed");
    }

  private:
    void run(const std::string& what) {
        std::string cmd = "bash '" + launcher_ + "' " + what + " '" + envFile_ + "' >/dev/null";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("redis_launcher.sh " + what + " failed (is redis-server installed?)");
    }
    std::string launcher_, envFile_, url_;
    int port_ = 0;
};

}  // namespace valory::testsupport
