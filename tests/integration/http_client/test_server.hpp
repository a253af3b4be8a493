// Loopback servers for the http.client tests: a Poco HTTP(S) server whose answers come from a
// std::function and which counts requests and TCP connections, and a raw TCP server that sends
// canned bytes (malformed or truncated answers).
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace valory::test {

struct SeenRequest {
    std::string method;
    std::string uri;
    std::string body;
    std::string clientId;  // X-Client header, if any
    std::string acceptEncoding;
    std::chrono::system_clock::time_point at;
    std::chrono::steady_clock::time_point atSteady;
};

class TestHttpServer {
  public:
    using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&,
                                       const SeenRequest&)>;

    /// Plain HTTP when `tls` is null, else HTTPS with that server context.
    explicit TestHttpServer(Handler handler, Poco::Net::Context::Ptr tls = nullptr, int threads = 32)
        : handler_(std::move(handler)), pool_(2, threads) {
        auto params = new Poco::Net::HTTPServerParams;
        params->setKeepAlive(true);
        params->setMaxKeepAliveRequests(1000);
        params->setKeepAliveTimeout(Poco::Timespan(10, 0));
        params->setMaxThreads(threads);
        params->setMaxQueued(256);
        Poco::Net::SocketAddress addr("127.0.0.1", 0);
        Poco::Net::ServerSocket socket =
            tls ? Poco::Net::SecureServerSocket(addr, 64, tls) : Poco::Net::ServerSocket(addr);
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), pool_, socket, params);
        server_->start();
        port_ = socket.address().port();
    }

    ~TestHttpServer() { stop(); }

    void stop() {
        if (!server_) return;
        releaseAll();
        server_->stopAll(true);
        pool_.joinAll();
        server_.reset();
    }

    uint16_t port() const { return port_; }
    std::string url(const std::string& path = "/", const std::string& host = "127.0.0.1",
                    bool https = false) const {
        return std::string(https ? "https" : "http") + "://" + host + ":" + std::to_string(port_) + path;
    }
    int connections() const { return server_ ? server_->totalConnections() : 0; }
    int requests() const { return requests_.load(); }
    int maxInFlight() const { return maxInFlight_.load(); }
    std::vector<SeenRequest> seen() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }

    /// Blocks a handler until release() (or the bound), for slow-server tests.
    void hold(std::chrono::milliseconds bound) {
        std::unique_lock lock(gateMutex_);
        gateCv_.wait_for(lock, bound, [&] { return released_; });
    }
    void releaseAll() {
        {
            std::lock_guard lock(gateMutex_);
            released_ = true;
        }
        gateCv_.notify_all();
    }

  private:
    class RequestHandler : public Poco::Net::HTTPRequestHandler {
      public:
        explicit RequestHandler(TestHttpServer& s) : s_(s) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
            int now = ++s_.inFlight_;
            int prev = s_.maxInFlight_.load();
            while (now > prev && !s_.maxInFlight_.compare_exchange_weak(prev, now)) {
            }
            SeenRequest seen;
            seen.method = req.getMethod();
            seen.uri = req.getURI();
            seen.clientId = req.get("X-Client", "");
            seen.acceptEncoding = req.get("Accept-Encoding", "");
            seen.at = std::chrono::system_clock::now();
            seen.atSteady = std::chrono::steady_clock::now();
            std::string body;
            char buf[4096];
            while (req.stream().read(buf, sizeof buf) || req.stream().gcount() > 0)
                body.append(buf, req.stream().gcount());
            seen.body = body;
            {
                std::lock_guard lock(s_.mutex_);
                s_.seen_.push_back(seen);
            }
            ++s_.requests_;
            s_.handler_(req, resp, seen);
            --s_.inFlight_;
        }

      private:
        TestHttpServer& s_;
    };

    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
      public:
        explicit Factory(TestHttpServer& s) : s_(s) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new RequestHandler(s_);
        }

      private:
        TestHttpServer& s_;
    };

    Handler handler_;
    Poco::ThreadPool pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    uint16_t port_ = 0;
    std::atomic<int> requests_{0};
    std::atomic<int> inFlight_{0};
    std::atomic<int> maxInFlight_{0};
    mutable std::mutex mutex_;
    std::vector<SeenRequest> seen_;
    std::mutex gateMutex_;
    std::condition_variable gateCv_;
    bool released_ = false;
};

/// Accepts connections, reads one request head, writes `reply` (raw bytes) and closes. With a
/// `drip` interval the reply goes out one byte per interval (a peer that never finishes).
class RawTcpServer {
  public:
    explicit RawTcpServer(std::string reply, std::chrono::milliseconds drip = std::chrono::milliseconds(0))
        : reply_(std::move(reply)), drip_(drip), socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        port_ = socket_.address().port();
        thread_ = std::thread([this] { run(); });
    }
    ~RawTcpServer() {
        stop_ = true;
        try {
            Poco::Net::StreamSocket wake(Poco::Net::SocketAddress("127.0.0.1", port_));
        } catch (const std::exception&) {  // the listener may already be gone; nothing to report here
        }
        thread_.join();
    }
    uint16_t port() const { return port_; }
    int connections() const { return connections_.load(); }
    std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    void run() {
        while (!stop_) {
            try {
                Poco::Net::StreamSocket s = socket_.acceptConnection();
                if (stop_) break;
                ++connections_;
                s.setReceiveTimeout(Poco::Timespan(5, 0));
                std::string head;
                char buf[1024];
                while (head.find("\r\n\r\n") == std::string::npos) {
                    int n = s.receiveBytes(buf, sizeof buf);
                    if (n <= 0) break;
                    head.append(buf, static_cast<std::size_t>(n));
                }
                if (drip_.count() > 0) {
                    for (std::size_t i = 0; i < reply_.size() && !stop_; ++i) {
                        s.sendBytes(reply_.data() + i, 1);
                        std::this_thread::sleep_for(drip_);
                    }
                } else if (!reply_.empty()) {
                    s.sendBytes(reply_.data(), static_cast<int>(reply_.size()));
                }
                s.shutdownSend();
                s.close();
            } catch (const std::exception&) {
                // a client that went away mid-exchange: next connection
            }
        }
    }

    std::string reply_;
    std::chrono::milliseconds drip_;
    Poco::Net::ServerSocket socket_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

}  // namespace valory::test
