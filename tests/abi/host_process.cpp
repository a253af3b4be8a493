#include "host_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <cctype>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace valory::abitest {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeFile(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << content;
}

HostProcess::HostProcess(const std::string& binary, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env, std::string logPath,
                         std::string portFile)
    : logPath_(std::move(logPath)), portFile_(std::move(portFile)) {
    if (access(binary.c_str(), X_OK) != 0) throw std::runtime_error("valory-host not built: " + binary);
    std::vector<std::string> argStore{binary};
    argStore.insert(argStore.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argStore) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envStore;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        if (!env.count(kv.substr(0, kv.find('=')))) envStore.push_back(kv);
    }
    for (auto& [k, v] : env) envStore.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : envStore) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, logPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawn(&pid_, binary.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("posix_spawn " + binary + ": " + std::strerror(rc));
}

HostProcess::~HostProcess() {
    if (running()) {
        kill(pid_, SIGKILL);
        waitExit(std::chrono::seconds(10));
    }
}

bool HostProcess::running() {
    if (exited_ || pid_ <= 0) return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exited_ = true;
        exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }
    return true;
}

std::optional<int> HostProcess::waitExit(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exitCode_;
}

std::optional<int> HostProcess::stop(std::chrono::seconds timeout) {
    if (running()) kill(pid_, SIGTERM);
    return waitExit(timeout);
}

bool HostProcess::waitReady(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::string text = readFile(portFile_);
        if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) && text.back() == '\n') {
            port_ = std::stoi(text);
            if (port_ > 0) return true;
        }
        if (!running()) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

HttpResult HostProcess::get(const std::string& target) const {
    HttpResult out;
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
        session.setTimeout(Poco::Timespan(30, 0));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, target,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        std::istream& in = session.receiveResponse(resp);
        Poco::StreamCopier::copyToString(in, out.body);
        out.status = static_cast<int>(resp.getStatus());
        for (auto& [k, v] : resp) {
            std::string key = k;
            for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[key] = v;
        }
    } catch (const std::exception& e) {
        out.error = e.what();
    }
    return out;
}

std::string HostProcess::log() const {
    return readFile(logPath_);
}

std::optional<std::string> HostProcess::findLine(const std::string& text, const std::string& regex) {
    std::regex re(regex, std::regex::ECMAScript | std::regex::icase);
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (std::regex_search(line, re)) return line;
    return std::nullopt;
}

std::optional<std::string> HostProcess::waitForLogLine(const std::string& regex,
                                                       std::chrono::seconds timeout) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        if (auto line = findLine(log(), regex)) return line;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
}

}  // namespace valory::abitest
