#include "http/http_server.hpp"

#include "config/secret_masker.hpp"
#include "events.hpp"
#include "http/http_exchange.hpp"
#include "http/request_body.hpp"
#include "http/router.hpp"
#include "metrics_registry.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace valory::host {

struct HttpServer::Shared {
    ServerSettings settings;
    Router* router = nullptr;
    Events* events = nullptr;
    MetricsRegistry* metrics = nullptr;
    std::uint32_t rejectedFamily = 0;
    std::string instanceId;
    std::atomic<std::uint64_t> counter{0};
    std::atomic<bool>* draining = nullptr;
    std::atomic<int>* inflight = nullptr;
    Poco::Net::HTTPServer* server = nullptr;

    bool trusted(const std::string& ip) const {
        return std::find(settings.trustedProxies.begin(), settings.trustedProxies.end(), ip) !=
               settings.trustedProxies.end();
    }
    void countRejected(const char* reason) {
        if (metrics && rejectedFamily) metrics->counterAdd(rejectedFamily, {reason});
    }
};

namespace {

std::string trim(std::string s) {
    auto notSpace = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
    s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
    return s;
}

std::string formatSeconds(std::chrono::steady_clock::duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", std::chrono::duration<double>(d).count());
    return buf;
}

class RequestHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit RequestHandler(std::shared_ptr<HttpServer::Shared> shared) : shared_(std::move(shared)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        const auto t0 = std::chrono::steady_clock::now();
        shared_->inflight->fetch_add(1, std::memory_order_acq_rel);
        struct Guard {
            std::atomic<int>* n;
            ~Guard() { n->fetch_sub(1, std::memory_order_acq_rel); }
        } guard{shared_->inflight};

        valory_request req;
        valory_response resp;
        Router::Outcome outcome;
        req.method = request.getMethod();
        req.target = request.getURI();
        const auto q = req.target.find('?');
        req.rawPath = req.target.substr(0, q);
        if (q != std::string::npos) req.rawQuery = req.target.substr(q + 1);
        if (req.rawPath.empty() || req.rawPath.front() != '/') {
            // Absolute-form targets ("http://host/path") are reduced to their path.
            auto scheme = req.rawPath.find("://");
            auto slash = scheme == std::string::npos ? std::string::npos : req.rawPath.find('/', scheme + 3);
            req.rawPath = slash == std::string::npos ? "/" : req.rawPath.substr(slash);
        }
        req.headerSource = &request;
        fillAddresses(request, req);

        const bool draining = shared_->draining->load(std::memory_order_acquire);
        if (draining) response.setKeepAlive(false);

        // Framing first (before a byte of the body is read), then the body exactly as framed.
        // Anything but a whole, well-framed body is answered here and the connection closed, so
        // a handler never sees a partial body and no body byte is parsed as the next request.
        const std::uint64_t limit = shared_->settings.maxBodyBytes;
        BodyResult body = checkFraming(request, limit);
        if (body.ok()) body = readBody(request, limit, req.body);
        if (body.ok() && request.getVersion() == Poco::Net::HTTPMessage::HTTP_1_1 && !request.has("Host"))
            body = BodyResult{BodyStatus::malformed, "an HTTP/1.1 request needs a Host header"};
        if (!body.ok()) {
            resp.jsonError(bodyHttpStatus(body.status), bodyErrorCode(body.status), body.message);
            response.setKeepAlive(false);
            shared_->countRejected(body.status == BodyStatus::tooLarge ? "body_too_large" : "bad_framing");
            req.body.clear();
            req.route = "<unmatched>";
            resp.headOnly = req.method == "HEAD";
            resp.setHeader("X-Process-Time", formatSeconds(std::chrono::steady_clock::now() - t0));
        } else {
            try {
                shared_->router->handle(req, resp, outcome);
            } catch (const std::exception& e) {
                // The router guards handlers itself; this is the host's own failure (e.g. bad_alloc).
                Poco::Logger::get("host").error(std::string("request ") + req.method + " " + req.rawPath +
                                                " failed in the host: " + e.what());
                resp.jsonError(500, "internal", "the host failed to handle this request");
                resp.headOnly = req.method == "HEAD";
            }
        }
        // A stop that began while this request ran: tell the client this connection ends here.
        if (!draining && shared_->draining->load(std::memory_order_acquire)) response.setKeepAlive(false);
        const std::uint64_t bytesOut = send(response, resp, req, outcome);
        publish(req, resp, outcome, t0, bytesOut);
    }

  private:
    void fillAddresses(Poco::Net::HTTPServerRequest& request, valory_request& req) {
        const Poco::Net::SocketAddress& peer = request.clientAddress();
        req.peer = peer.toString();
        const std::string peerIp = peer.host().toString();
        req.client = peerIp;
        const bool fromProxy = !shared_->settings.trustedProxies.empty() && shared_->trusted(peerIp);
        // HTTP/1.0 may omit Host (HAProxy's default health check does); getHost() would throw.
        if (request.has("Host")) req.hostName = request.getHost();
        if (fromProxy) {
            if (request.has("X-Forwarded-For")) {
                // Walk from the right, skipping trusted proxies.
                std::string xff = request.get("X-Forwarded-For");
                std::vector<std::string> hops;
                std::size_t pos = 0;
                while (pos <= xff.size()) {
                    auto comma = xff.find(',', pos);
                    if (comma == std::string::npos) comma = xff.size();
                    hops.push_back(trim(xff.substr(pos, comma - pos)));
                    pos = comma + 1;
                }
                for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
                    if (it->empty()) continue;
                    req.client = *it;
                    if (!shared_->trusted(*it)) break;
                }
            }
            if (request.has("X-Forwarded-Proto")) {
                std::string proto = trim(request.get("X-Forwarded-Proto"));
                if (proto == "https" || proto == "http") req.scheme = proto;
            }
            if (request.has("X-Forwarded-Host")) req.hostName = trim(request.get("X-Forwarded-Host"));
            if (request.has("X-Request-Id")) req.requestId = request.get("X-Request-Id").substr(0, 128);
        }
        if (req.requestId.empty()) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s-%llx", shared_->instanceId.c_str(),
                          static_cast<unsigned long long>(
                              shared_->counter.fetch_add(1, std::memory_order_relaxed) + 1));
            req.requestId = buf;
        }
    }

    std::uint64_t send(Poco::Net::HTTPServerResponse& response, valory_response& resp,
                       const valory_request& req, const Router::Outcome& outcome) {
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(resp.status));
        std::vector<std::string> dropped;
        struct Report {
            std::vector<std::string>& names;
            const valory_request& req;
            const Router::Outcome& outcome;
            ~Report() {
                if (names.empty()) return;
                std::string list;
                for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
                Poco::Logger::get(outcome.owner.empty() ? std::string("host") : outcome.owner)
                    .warning(
                        "response to " + req.method + " " + req.route + " (request " + req.requestId +
                        "): dropped header(s) with an invalid name or a CR/LF/NUL in the value: " + list);
            }
        } report{dropped, req, outcome};
        for (const auto& [name, value] : resp.headers) {
            if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
                iequals(name, "Connection"))
                continue;  // the host frames the body itself
            if (!isToken(name) || !isSafeHeaderValue(value)) {
                // A CR/LF/NUL (e.g. from a request header Poco decoded from RFC 2047) would let
                // the peer write its own header lines into our response: dropped, never sent.
                dropped.push_back(isToken(name) ? name : "<invalid name>");
                continue;
            }
            if (iequals(name, "Content-Type"))
                response.setContentType(value);
            else
                response.add(name, value);
        }
        const bool noBody = resp.headOnly || resp.status == 304 || resp.status == 204 || resp.status < 200;
        if (!resp.filePath.empty()) {
            std::error_code ec;
            const auto size = std::filesystem::file_size(resp.filePath, ec);
            std::ifstream file(resp.filePath, std::ios::binary);
            if (ec || !file) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                const std::string body = R"({"error":"not_found","message":"file vanished"})";
                response.setContentType("application/json");
                response.setContentLength(static_cast<std::streamsize>(body.size()));
                response.sendBuffer(body.data(), body.size());
                return body.size();
            }
            if (!response.has("Content-Type")) response.setContentType(resp.fileContentType);
            // A 304 carries the length the 200 would have (RFC 9110); the body is never written.
            response.setContentLength64(static_cast<Poco::UInt64>(size));
            std::ostream& out = response.send();
            if (noBody) return 0;
            Poco::StreamCopier::copyStream(file, out);
            return size;
        }
        // Every response is framed: without a length Poco would close the keep-alive connection.
        // 204 gets "Content-Length: 0"; 304 the length of the body the handler would have sent.
        response.setContentLength64(resp.status == 204 || resp.status < 200 ? 0 : resp.body.size());
        if (noBody) {
            response.send();
            return 0;
        }
        response.sendBuffer(resp.body.data(), resp.body.size());
        return resp.body.size();
    }

    void publish(const valory_request& req, const valory_response& resp, const Router::Outcome& outcome,
                 std::chrono::steady_clock::time_point t0, std::uint64_t bytesOut) {
        Events* events = shared_->events;
        if (!events || !events->hasSubscribers(VALORY_EVENT_REQUEST_FINISHED)) return;
        valory_request_finished_event ev{};
        ev.struct_size = sizeof ev;
        ev.method = str(req.method);
        ev.route = str(outcome.route);
        ev.status = resp.status;
        ev.duration_us = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
                .count());
        ev.bytes_in = req.body.size();
        ev.bytes_out = bytesOut;
        ev.client_address = str(req.client);
        ev.plugin_id = str(outcome.owner);
        ev.request_id = str(req.requestId);
        events->publish(VALORY_EVENT_REQUEST_FINISHED, &ev);
    }

    std::shared_ptr<HttpServer::Shared> shared_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit HandlerFactory(std::shared_ptr<HttpServer::Shared> shared) : shared_(std::move(shared)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override {
        // Poco sends "100 Continue" between this call and the handler. A body the handler would
        // refuse (too large, badly framed) must not be invited: drop the expectation so the
        // client gets the 413/400 first (RFC 9110 §10.1.1).
        if (request.getExpectContinue() && !checkFraming(request, shared_->settings.maxBodyBytes).ok())
            const_cast<Poco::Net::HTTPServerRequest&>(request).erase("Expect");
        return new RequestHandler(shared_);
    }

  private:
    std::shared_ptr<HttpServer::Shared> shared_;
};

/// Over capacity (the accept queue is full) answers 503 with Retry-After instead of Poco's silent drop.
class CapacityFilter : public Poco::Net::TCPServerConnectionFilter {
  public:
    explicit CapacityFilter(std::shared_ptr<HttpServer::Shared> shared) : shared_(std::move(shared)) {}

    bool accept(const Poco::Net::StreamSocket& socket) override {
        Poco::Net::HTTPServer* server = shared_->server;
        if (!server) return true;
        const bool draining = shared_->draining->load(std::memory_order_acquire);
        if (!draining && server->queuedConnections() < static_cast<int>(shared_->settings.maxQueued))
            return true;
        shared_->countRejected(draining ? "draining" : "over_capacity");
        try {
            Poco::Net::StreamSocket s(socket);
            s.setSendTimeout(Poco::Timespan(1, 0));
            // Read what the client already sent so closing does not reset the connection before
            // it reads our answer.
            char buf[4096];
            if (s.poll(Poco::Timespan(0, 50000), Poco::Net::Socket::SELECT_READ)) {
                s.setReceiveTimeout(Poco::Timespan(0, 50000));
                (void)s.receiveBytes(buf, sizeof buf);
            }
            const std::string body =
                draining ? R"({"error":"unavailable","message":"the server is shutting down"})"
                         : R"({"error":"unavailable","message":"the server is over capacity, retry later"})";
            const std::string reply =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                "Retry-After: " +
                std::to_string(shared_->settings.retryAfterS) +
                "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
            s.sendBytes(reply.data(), static_cast<int>(reply.size()));
            s.shutdownSend();
            if (s.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ))
                (void)s.receiveBytes(buf, sizeof buf);
        } catch (const Poco::Exception& e) {
            Poco::Logger::get("host").debug("503 reply failed: " + e.displayText());
        }
        return false;
    }

  private:
    std::shared_ptr<HttpServer::Shared> shared_;
};

}  // namespace

HttpServer::HttpServer(const ServerSettings& settings, Router& router, Events& events,
                       MetricsRegistry* metrics, std::string instanceId)
    : shared_(std::make_shared<Shared>()) {
    shared_->settings = settings;
    shared_->router = &router;
    shared_->events = &events;
    shared_->metrics = metrics;
    shared_->instanceId = std::move(instanceId);
    shared_->draining = &draining_;
    shared_->inflight = &inflight_;
    if (metrics) {
        MetricsRegistry::FamilyDef def;
        def.kind = VALORY_METRIC_COUNTER;
        def.name = "valory_http_rejected_total";
        def.help = "Requests or connections the host answered itself with 503 or 413";
        def.labelNames = {"reason"};
        std::string message;
        metrics->define("host", def, shared_->rejectedFamily, message);
    }
}

HttpServer::~HttpServer() {
    stop();
}

std::uint64_t HttpServer::raiseFileLimit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit wanted = rl;
        wanted.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &wanted) == 0) rl = wanted;
    }
    return static_cast<std::uint64_t>(rl.rlim_cur);
}

std::uint16_t HttpServer::start() {
    const ServerSettings& s = shared_->settings;
    // The pool is ours alone (never ThreadPool::defaultPool()); a little headroom so a thread that
    // is just going idle does not make the dispatcher refuse a connection.
    pool_ = std::make_unique<Poco::ThreadPool>(1, static_cast<int>(s.threads) + 2, 60);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(static_cast<int>(s.threads));
    params->setMaxQueued(static_cast<int>(s.maxQueued));
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(static_cast<long>(s.keepAliveTimeoutS), 0));
    params->setMaxKeepAliveRequests(static_cast<int>(s.maxKeepAliveRequests));
    params->setTimeout(Poco::Timespan(static_cast<long>(s.requestTimeoutS), 0));
    params->setServerName("valory-host");
    params->setSoftwareVersion("");

    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(s.host, s.port), /*reuseAddress=*/true);
    socket.listen(1024);
    const std::uint16_t port = socket.address().port();

    server_ = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(shared_), *pool_, socket, params);
    shared_->server = server_.get();
    server_->setConnectionFilter(new CapacityFilter(shared_));
    server_->start();
    started_ = true;
    return port;
}

void HttpServer::stop() {
    if (!started_) return;
    started_ = false;
    Poco::Logger& log = Poco::Logger::get("host");
    draining_.store(true, std::memory_order_release);
    server_->stop();  // no new connections
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(shared_->settings.drainDeadlineS);
    // Open keep-alive connections get "Connection: close" on their next response. Wait until they
    // are gone; idle keep-alive connections (nothing in flight for a moment) need not be waited for.
    int idleRounds = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        if (server_->currentConnections() == 0) break;
        idleRounds = inflight_.load(std::memory_order_acquire) == 0 ? idleRounds + 1 : 0;
        if (idleRounds >= 5) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const int left = server_->currentConnections();
    const int busy = inflight_.load();
    if (busy > 0)
        log.warning("drain deadline reached with " + std::to_string(busy) +
                    " request(s) in flight; closing connections");
    else if (left > 0)
        log.information("closing " + std::to_string(left) + " idle keep-alive connection(s)");
    server_->stopAll(true);
    shared_->server = nullptr;
    server_.reset();
    pool_->joinAll();
}

}  // namespace valory::host
