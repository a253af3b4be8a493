// Runs the real valory-host for a test: spawns it with a config, waits for its port file, sends
// HTTP requests, reads its log (stdout + stderr, one file) and stops it with SIGTERM.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace valory::abitest {

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names, last value
    std::string error;                           // transport error, empty when a response arrived
};

class HostProcess {
  public:
    // Starts `binary args...` with extra environment variables; output goes to logPath.
    HostProcess(const std::string& binary, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env, std::string logPath, std::string portFile);
    ~HostProcess();  // SIGKILL if still running
    HostProcess(const HostProcess&) = delete;
    HostProcess& operator=(const HostProcess&) = delete;

    // Waits until the port file holds a port (true) or the process exits / the time is up (false).
    bool waitReady(std::chrono::seconds timeout);
    int port() const { return port_; }
    HttpResult get(const std::string& target) const;

    std::string log() const;
    // Polls until a log line matches `regex` (ECMAScript, case-insensitive); returns that line.
    std::optional<std::string> waitForLogLine(const std::string& regex, std::chrono::seconds timeout) const;
    static std::optional<std::string> findLine(const std::string& text, const std::string& regex);

    // SIGTERM and wait; returns the exit code (128 + signal when killed by a signal), nullopt on timeout.
    std::optional<int> stop(std::chrono::seconds timeout);
    // Waits for the process to exit by itself.
    std::optional<int> waitExit(std::chrono::seconds timeout);
    bool running();

  private:
    pid_t pid_ = -1;
    int exitCode_ = -1;
    bool exited_ = false;
    int port_ = 0;
    std::string logPath_, portFile_;
};

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& content);

}  // namespace valory::abitest
