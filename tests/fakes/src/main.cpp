// valory-fake-upstreams: fake Twitch (id + Helix) and fake HenrikDev on loopback.
//
//   valory-fake-upstreams [--host 127.0.0.1] [--port 0] [--port-file F] [--seed seed.json]
//                         [--tls-cert cert.pem --tls-key key.pem [--tls-port 0] [--tls-port-file F]]
//                         [--threads 64]
//
// Serves every route family on each listener: /oauth2/* (id.twitch.tv), /helix/* (api.twitch.tv),
// /valorant/* (api.henrikdev.xyz) and /__control/* (test knobs, see README.md). Runs until
// SIGINT/SIGTERM.
#include "fake_upstreams.hpp"

#include <Poco/DeflatingStream.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

using valory::fakes::FakeUpstreams;
using valory::fakes::Incoming;
using valory::fakes::Json;
using valory::fakes::Reply;

namespace {

std::string gzip(const std::string& body) {
    std::ostringstream out;
    {
        Poco::DeflatingOutputStream z(out, Poco::DeflatingStreamBuf::STREAM_GZIP);
        z << body;
        z.close();
    }
    return out.str();
}

class Handler : public Poco::Net::HTTPRequestHandler {
  public:
    Handler(FakeUpstreams& fake, std::string listener) : fake_(fake), listener_(std::move(listener)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
        Incoming in;
        in.method = req.getMethod();
        in.target = req.getURI();
        in.listener = listener_;
        const auto q = in.target.find('?');
        const std::string rawPath = in.target.substr(0, q);
        size_t pos = 1;
        while (pos <= rawPath.size()) {
            size_t slash = rawPath.find('/', pos);
            if (slash == std::string::npos) slash = rawPath.size();
            std::string seg;
            Poco::URI::decode(rawPath.substr(pos, slash - pos), seg, false);
            if (!seg.empty() || slash < rawPath.size()) in.segments.push_back(seg);
            in.path += "/" + seg;
            pos = slash + 1;
        }
        if (in.path.empty()) in.path = "/";
        if (q != std::string::npos) {
            const std::string raw = in.target.substr(q + 1);
            size_t p = 0;
            while (p <= raw.size()) {
                size_t amp = raw.find('&', p);
                if (amp == std::string::npos) amp = raw.size();
                const std::string part = raw.substr(p, amp - p);
                if (!part.empty()) {
                    const auto eq = part.find('=');
                    std::string k, v;
                    Poco::URI::decode(part.substr(0, eq), k, true);
                    if (eq != std::string::npos) Poco::URI::decode(part.substr(eq + 1), v, true);
                    in.query.emplace_back(std::move(k), std::move(v));
                }
                p = amp + 1;
            }
        }
        for (const auto& [k, v] : req) in.headers.emplace_back(k, v);
        {
            std::ostringstream body;
            Poco::StreamCopier::copyStream(req.stream(), body);
            in.body = body.str();
        }

        Reply r = fake_.handle(in);
        if (r.delay.count() > 0) std::this_thread::sleep_for(r.delay);

        resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(r.status));
        for (const auto& [k, v] : r.headers) resp.add(k, v);
        std::string body = std::move(r.body);
        const std::string accept = req.get("Accept-Encoding", "");
        if (r.gzipAllowed && body.size() > 0 && accept.find("gzip") != std::string::npos && !r.truncate) {
            body = gzip(body);
            resp.set("Content-Encoding", "gzip");
            resp.set("Vary", "Accept-Encoding");
            fake_.noteGzip();
        }
        if (!body.empty() || r.status != 302) resp.setContentType(r.contentType);
        resp.setContentLength(static_cast<std::streamsize>(body.size()));
        if (r.truncate) {
            resp.setKeepAlive(false);
            std::ostream& out = resp.send();
            out.write(body.data(), static_cast<std::streamsize>(body.size() / 2));
            out.flush();
            return;  // the connection closes with the body short of its Content-Length
        }
        std::ostream& out = resp.send();
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
    }

  private:
    FakeUpstreams& fake_;
    std::string listener_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    Factory(FakeUpstreams& fake, std::string listener) : fake_(fake), listener_(std::move(listener)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(fake_, listener_);
    }

  private:
    FakeUpstreams& fake_;
    std::string listener_;
};

void writePortFile(const std::string& path, int port) {
    if (path.empty()) return;
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp);
        f << port << "\n";
    }
    std::rename(tmp.c_str(), path.c_str());
}

[[noreturn]] void usage(const char* msg) {
    std::cerr << "valory-fake-upstreams: " << msg
              << "\nusage: valory-fake-upstreams [--host H] [--port N] [--port-file F] [--seed FILE]"
                 " [--tls-cert PEM --tls-key PEM [--tls-port N] [--tls-port-file F]] [--threads N]\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1", portFile, tlsPortFile, seedFile, tlsCert, tlsKey;
    int port = 0, tlsPort = 0, threads = 64;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) usage(("missing value for " + a).c_str());
            return argv[++i];
        };
        if (a == "--host")
            host = next();
        else if (a == "--port")
            port = std::stoi(next());
        else if (a == "--port-file")
            portFile = next();
        else if (a == "--seed")
            seedFile = next();
        else if (a == "--tls-cert")
            tlsCert = next();
        else if (a == "--tls-key")
            tlsKey = next();
        else if (a == "--tls-port")
            tlsPort = std::stoi(next());
        else if (a == "--tls-port-file")
            tlsPortFile = next();
        else if (a == "--threads")
            threads = std::stoi(next());
        else if (a == "--help" || a == "-h")
            usage("help");
        else
            usage(("unknown argument " + a).c_str());
    }
    if (tlsCert.empty() != tlsKey.empty()) usage("--tls-cert and --tls-key go together");

    // Block the stop signals before any thread starts, then wait for them on the main thread.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    FakeUpstreams fake;
    try {
        if (!seedFile.empty()) {
            std::ifstream f(seedFile);
            if (!f) usage(("cannot read seed file " + seedFile).c_str());
            fake.seed(Json::parse(f, nullptr, true, true));
        }
    } catch (const std::exception& e) {
        std::cerr << "valory-fake-upstreams: bad seed: " << e.what() << "\n";
        return 2;
    }

    Poco::ThreadPool pool(4, threads, 60);
    auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
    params->setMaxThreads(threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);  // unlimited
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    params->setServerName("valory-fake-upstreams");

    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), 256);
    Poco::Net::HTTPServer server(new Factory(fake, "http"), pool, socket, params);
    std::unique_ptr<Poco::Net::HTTPServer> tlsServer;
    if (!tlsCert.empty()) {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr ctx(new Poco::Net::Context(Poco::Net::Context::SERVER_USE, tlsKey, tlsCert,
                                                           "", Poco::Net::Context::VERIFY_NONE));
        Poco::Net::SecureServerSocket tlsSocket(
            Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(tlsPort)), 256, ctx);
        tlsServer =
            std::make_unique<Poco::Net::HTTPServer>(new Factory(fake, "https"), pool, tlsSocket, params);
    }
    fake.setConnectionCounter([&server, &tlsServer]() {
        Json j{{"http", server.totalConnections()}, {"http_current", server.currentConnections()}};
        if (tlsServer) j["https"] = tlsServer->totalConnections();
        return j;
    });
    server.start();
    if (tlsServer) tlsServer->start();
    writePortFile(portFile, server.port());
    if (tlsServer) writePortFile(tlsPortFile, tlsServer->port());
    std::cerr << "valory-fake-upstreams: http://" << host << ":" << server.port();
    if (tlsServer) std::cerr << " https://" << host << ":" << tlsServer->port();
    std::cerr << std::endl;

    int sig = 0;
    sigwait(&set, &sig);
    std::cerr << "valory-fake-upstreams: signal " << sig << ", stopping" << std::endl;
    server.stopAll(true);
    if (tlsServer) tlsServer->stopAll(true);
    pool.joinAll();
    if (tlsServer) Poco::Net::uninitializeSSL();
    return 0;
}
