// The valory-host process as integration tests drive it: one process per test with its own
// folder, config and port (port 0 + --port-file), and raw HTTP/1.1 on one socket so tests see
// connection-level behaviour. Shared by host_process_test.cpp and hostile_input_test.cpp.
#pragma once

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

namespace valory::it {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

template <class P>
inline bool waitFor(P pred, std::chrono::milliseconds limit) {
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
inline RawResponse readResponse(Poco::Net::StreamSocket& s, bool checkClose, bool noBody = false) {
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

inline bool iequalsAscii(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

inline Poco::Net::StreamSocket connect(std::uint16_t port) {
    return Poco::Net::StreamSocket(Poco::Net::SocketAddress("127.0.0.1", port));
}

inline void sendAll(Poco::Net::StreamSocket& s, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        int n = s.sendBytes(data.data() + sent, static_cast<int>(data.size() - sent));
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
}

inline RawResponse get(std::uint16_t port, const std::string& target, bool checkClose = false) {
    auto s = connect(port);
    sendAll(s, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    return readResponse(s, checkClose);
}

}  // namespace valory::it
