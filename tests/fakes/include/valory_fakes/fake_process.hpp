// Test helper: runs valory-fake-upstreams (or any server that writes its port to --port-file) as a
// child process, and talks to its /__control API. Header-only; links Poco::Foundation + Poco::Net.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace valory::fakes::testing {

/// Waits (up to `timeout`) for a file to contain a port number.
inline int waitForPortFile(const std::string& path, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        std::ifstream f(path);
        int port = 0;
        if (f >> port && port > 0) return port;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("timed out waiting for port file " + path);
}

/// A child process that announces its port through --port-file (and optionally --tls-port-file).
class ServerProcess {
  public:
    ServerProcess(const std::string& binary, std::vector<std::string> args, bool tls = false,
                  const std::map<std::string, std::string>& env = {})
        : portFile_(Poco::TemporaryFile::tempName()), tlsPortFile_(Poco::TemporaryFile::tempName()) {
        args.push_back("--port-file");
        args.push_back(portFile_);
        if (tls) {
            args.push_back("--tls-port-file");
            args.push_back(tlsPortFile_);
        }
        Poco::Process::Env e(env.begin(), env.end());
        handle_.emplace(Poco::Process::launch(binary, args, nullptr, nullptr, nullptr, e));
        port_ = waitFor(portFile_, binary);
        if (tls) tlsPort_ = waitFor(tlsPortFile_, binary);
    }
    ~ServerProcess() { stop(); }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    int stop() {
        if (!handle_) return 0;
        Poco::Process::requestTermination(handle_->id());
        const int rc = handle_->wait();
        handle_.reset();
        std::remove(portFile_.c_str());
        std::remove(tlsPortFile_.c_str());
        return rc;
    }

    int port() const { return port_; }
    bool running() const { return handle_ && Poco::Process::isRunning(*handle_); }
    int tlsPort() const { return tlsPort_; }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string tlsBaseUrl(const std::string& host = "localhost") const {
        return "https://" + host + ":" + std::to_string(tlsPort_);
    }

  private:
    int waitFor(const std::string& file, const std::string& binary) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < until) {
            std::ifstream f(file);
            int port = 0;
            if (f >> port && port > 0) return port;
            if (!Poco::Process::isRunning(*handle_)) {
                const int rc = handle_->wait();
                handle_.reset();
                throw std::runtime_error(binary + " exited with status " + std::to_string(rc) +
                                         " before listening");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        throw std::runtime_error("timed out waiting for " + binary + " to write " + file);
    }

    std::string portFile_, tlsPortFile_;
    std::optional<Poco::ProcessHandle> handle_;
    int port_ = 0, tlsPort_ = 0;
};

/// Minimal plain-HTTP call for tests (a new connection per call).
struct SimpleResponse {
    int status = 0;
    std::string body;
    Poco::Net::HTTPResponse headers;
    nlohmann::json json() const { return nlohmann::json::parse(body); }
};

inline SimpleResponse simpleCall(int port, const std::string& method, const std::string& target,
                                 const std::string& body = {},
                                 const std::vector<std::pair<std::string, std::string>>& headers = {},
                                 const std::string& contentType = "application/json") {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    s.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.add(k, v);
    if (!body.empty() || method == "POST") {
        req.setContentType(contentType);
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s.sendRequest(req) << body;
    SimpleResponse r;
    std::istream& in = s.receiveResponse(r.headers);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    r.status = r.headers.getStatus();
    r.body = out.str();
    return r;
}

/// The fake's /__control API.
class FakeControl {
  public:
    explicit FakeControl(int port) : port_(port) {}
    nlohmann::json post(const std::string& what,
                        const nlohmann::json& body = nlohmann::json::object()) const {
        auto r = simpleCall(port_, "POST", "/__control/" + what, body.dump());
        if (r.status != 200) throw std::runtime_error("control " + what + " failed: " + r.body);
        return r.json();
    }
    nlohmann::json get(const std::string& what) const {
        auto r = simpleCall(port_, "GET", "/__control/" + what);
        if (r.status != 200) throw std::runtime_error("control " + what + " failed: " + r.body);
        return r.json();
    }
    void reset() const { post("reset"); }
    void mode(const nlohmann::json& spec) const { post("mode", spec); }
    nlohmann::json counters() const { return get("counters"); }
    int64_t requests(const std::string& path) const {
        auto c = counters();
        return c["requests"].value(path, int64_t{0});
    }
    int64_t family(const std::string& fam) const {
        auto c = counters();
        return c["families"].value(fam, int64_t{0});
    }
    int64_t connections() const { return counters()["connections"].value("http", int64_t{0}); }
    nlohmann::json log(const std::string& family) const { return get("log?family=" + family); }

  private:
    int port_;
};

}  // namespace valory::fakes::testing
