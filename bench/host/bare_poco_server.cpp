// bare_poco_server: the baseline of bench/host — a bare Poco HTTPServer answering one route with the
// same bytes as the bench_hello plugin behind valory-host, with the same thread pool size, keep-alive
// settings and response headers (it computes and sends X-Process-Time like the host's router, and
// sends an X-Request-Id of the same length when asked to), so the difference measured is the host's
// dispatch (router, plugin ABI, wrapper), not bytes on the wire.
//
//   bare_poco_server [--port N] [--port-file F] [--threads N] [--max-queued N]
//                    [--keep-alive-timeout S] [--max-keep-alive-requests N] [--header "Name: value"]...
//                    [--process-time] [--request-id]
//
// GET /bench/hello -> 200 "Hello, bench!" (text/plain; charset=utf-8); anything else -> 404 JSON.
// Port 0 binds an ephemeral port; the bound port is written to --port-file (atomically).
// Stops on SIGINT/SIGTERM.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>

namespace {

struct Options {
    int port = 0;
    std::string portFile;
    int threads = 16;
    int maxQueued = 64;
    int keepAliveTimeoutS = 10;
    int maxKeepAliveRequests = 0;  // 0 = unlimited
    bool processTime = false;
    bool requestId = false;
    std::vector<std::pair<std::string, std::string>> headers;
};

constexpr char kBody[] = "Hello, bench!";  // 13 bytes, same as the bench_hello plugin

class HelloHandler : public Poco::Net::HTTPRequestHandler {
  public:
    explicit HelloHandler(const Options& options) : options_(options) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        const auto start = std::chrono::steady_clock::now();
        const bool hello = (request.getMethod() == "GET" || request.getMethod() == "HEAD") &&
                           request.getURI() == "/bench/hello";
        std::string body =
            hello ? std::string(kBody) : std::string(R"({"error":"not_found","message":"no route"})");
        response.setStatusAndReason(hello ? Poco::Net::HTTPResponse::HTTP_OK
                                          : Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.setContentType(hello ? "text/plain; charset=utf-8" : "application/json");
        for (const auto& [name, value] : options_.headers) response.set(name, value);
        if (options_.requestId) {
            // Same length as a generated 32-hex-digit id.
            static std::atomic<unsigned long long> counter{0};
            char id[40];
            std::snprintf(id, sizeof id, "%032llx", counter.fetch_add(1, std::memory_order_relaxed));
            response.set("X-Request-Id", id);
        }
        if (options_.processTime) {
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            char text[32];
            std::snprintf(text, sizeof text, "%.6f", seconds);
            response.set("X-Process-Time", text);
        }
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        if (request.getMethod() == "HEAD") {
            response.send();
        } else {
            response.sendBuffer(body.data(), body.size());
        }
    }

  private:
    const Options& options_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(const Options& options) : options_(options) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new HelloHandler(options_);
    }

  private:
    const Options& options_;
};

[[noreturn]] void usage(const char* message) {
    std::cerr << "bare_poco_server: " << message << "\n"
              << "usage: bare_poco_server [--port N] [--port-file F] [--threads N] [--max-queued N]\n"
                 "       [--keep-alive-timeout S] [--max-keep-alive-requests N] [--header 'Name: value']...\n"
                 "       [--process-time] [--request-id]\n";
    std::exit(2);
}

int toInt(const char* s, const char* what) {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (!end || *end != '\0' || v < 0 || v > 1000000) usage(what);
    return static_cast<int>(v);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&](const char* what) -> const char* {
            if (i + 1 >= argc) usage(what);
            return argv[++i];
        };
        if (a == "--port")
            o.port = toInt(next("--port needs a value"), "bad --port");
        else if (a == "--port-file")
            o.portFile = next("--port-file needs a value");
        else if (a == "--threads")
            o.threads = toInt(next("--threads needs a value"), "bad --threads");
        else if (a == "--max-queued")
            o.maxQueued = toInt(next("--max-queued needs a value"), "bad --max-queued");
        else if (a == "--keep-alive-timeout")
            o.keepAliveTimeoutS =
                toInt(next("--keep-alive-timeout needs a value"), "bad --keep-alive-timeout");
        else if (a == "--max-keep-alive-requests")
            o.maxKeepAliveRequests = toInt(next("--max-keep-alive-requests needs a value"), "bad value");
        else if (a == "--process-time")
            o.processTime = true;
        else if (a == "--request-id")
            o.requestId = true;
        else if (a == "--header") {
            std::string h = next("--header needs a value");
            auto colon = h.find(':');
            if (colon == std::string::npos) usage("--header wants 'Name: value'");
            std::string value = h.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            o.headers.emplace_back(h.substr(0, colon), value);
        } else if (a == "--help" || a == "-h")
            usage("help");
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.port > 65535) usage("--port out of range");
    if (o.threads < 1) usage("--threads must be >= 1");
    return o;
}

void writePortFile(const std::string& path, int port) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << port << "\n";
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse(argc, argv);

    // Block the stop signals in every thread; the main thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        Poco::ThreadPool pool("bare", options.threads, options.threads);
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(options.threads);
        params->setMaxQueued(options.maxQueued);
        params->setKeepAlive(true);
        params->setKeepAliveTimeout(Poco::Timespan(options.keepAliveTimeoutS, 0));
        params->setMaxKeepAliveRequests(options.maxKeepAliveRequests);

        Poco::Net::ServerSocket socket(
            Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(options.port)), 256);
        Poco::Net::HTTPServer server(new Factory(options), pool, socket, params);
        server.start();
        const int port = socket.address().port();
        if (!options.portFile.empty()) writePortFile(options.portFile, port);
        std::cerr << "bare_poco_server: listening on 127.0.0.1:" << port << " with " << options.threads
                  << " threads\n";

        int sig = 0;
        sigwait(&signals, &sig);
        std::cerr << "bare_poco_server: signal " << sig << ", stopping\n";
        server.stopAll(true);
        pool.joinAll();
    } catch (const std::exception& e) {
        std::cerr << "bare_poco_server: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
