// bare_overlay_server: the baseline of bench/overlays — a bare Poco HTTPServer that answers the
// same bytes valory-host answered for each overlay route (body, ETag, Cache-Control, Content-Type,
// 304 on a matching If-None-Match), from a file bench/run records from the host, with the same
// thread pool and keep-alive settings. The difference measured is the host's whole path (router,
// plugin ABI, wrapper, the overlays plugin's snapshot lookup), not bytes on the wire.
//
//   bare_overlay_server --routes FILE [--port N] [--port-file F] [--threads N] [--max-queued N]
//                       [--keep-alive-timeout S] [--max-keep-alive-requests N] [--process-time]
//
// FILE: one route per line, tab-separated: path, ETag, Cache-Control, body (one line of JSON).
// Unknown paths -> 404. Stops on SIGINT/SIGTERM.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_map>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>

namespace {

struct Route {
    std::string etag, cacheControl, body;
};
using Routes = std::unordered_map<std::string, Route>;

bool processTime = false;

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(const Routes& routes) : routes_(routes) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        const auto start = std::chrono::steady_clock::now();
        auto it = routes_.find(req.getURI());
        auto finish = [&] {
            if (!processTime) return;
            char buf[32];
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::snprintf(buf, sizeof buf, "%.6f", s);
            resp.set("X-Process-Time", buf);
        };
        if (it == routes_.end()) {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            resp.setContentType("application/json");
            finish();
            resp.sendBuffer("{\"detail\":\"Not Found\"}", 22);
            return;
        }
        const Route& r = it->second;
        resp.set("ETag", r.etag);
        resp.set("Cache-Control", r.cacheControl);
        if (req.get("If-None-Match", "") == r.etag) {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
            resp.setContentLength(0);
            finish();
            resp.send();
            return;
        }
        resp.setContentType("application/json");
        finish();
        resp.sendBuffer(r.body.data(), r.body.size());
    }

  private:
    const Routes& routes_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(const Routes& routes) : routes_(routes) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(routes_);
    }

  private:
    const Routes& routes_;
};

}  // namespace

int main(int argc, char** argv) {
    std::string routesFile, portFile;
    int port = 0, threads = 16, maxQueued = 64, keepAlive = 10, maxKeepAliveRequests = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "bare_overlay_server: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--routes")
            routesFile = next();
        else if (a == "--port")
            port = std::stoi(next());
        else if (a == "--port-file")
            portFile = next();
        else if (a == "--threads")
            threads = std::stoi(next());
        else if (a == "--max-queued")
            maxQueued = std::stoi(next());
        else if (a == "--keep-alive-timeout")
            keepAlive = std::stoi(next());
        else if (a == "--max-keep-alive-requests")
            maxKeepAliveRequests = std::stoi(next());
        else if (a == "--process-time")
            processTime = true;
        else {
            std::cerr << "bare_overlay_server: unknown argument " << a << "\n";
            return 2;
        }
    }
    Routes routes;
    std::ifstream in(routesFile);
    if (!in) {
        std::cerr << "bare_overlay_server: cannot read --routes " << routesFile << "\n";
        return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
        const auto a = line.find('\t'), b = line.find('\t', a + 1), c = line.find('\t', b + 1);
        if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
        routes[line.substr(0, a)] =
            Route{line.substr(a + 1, b - a - 1), line.substr(b + 1, c - b - 1), line.substr(c + 1)};
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    Poco::ThreadPool pool(threads, threads);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(threads);
    params->setMaxQueued(maxQueued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(keepAlive, 0));
    if (maxKeepAliveRequests > 0) params->setMaxKeepAliveRequests(maxKeepAliveRequests);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
    Poco::Net::HTTPServer server(new Factory(routes), pool, socket, params);
    server.start();
    if (!portFile.empty()) {
        const std::string tmp = portFile + ".tmp";
        std::ofstream(tmp) << socket.address().port() << "\n";
        std::rename(tmp.c_str(), portFile.c_str());
    }
    std::cerr << "bare_overlay_server: " << routes.size()
              << " routes on 127.0.0.1:" << socket.address().port() << "\n";
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
    return 0;
}
