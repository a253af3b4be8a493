// The inbound HTTP server: Poco HTTPServer on the host's own thread pool, keep-alive and timeouts
// from config, 503 + Retry-After over capacity (never a silent drop), 413 over the body limit
// (connection closed), graceful drain on stop, request-finished events.
#pragma once

#include "config/config.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace valory::host {

class Router;
class Events;
class MetricsRegistry;

class HttpServer {
  public:
    HttpServer(const ServerSettings& settings, Router& router, Events& events, MetricsRegistry* metrics,
               std::string instanceId);
    ~HttpServer();

    /// Binds and starts serving; returns the bound port (useful with port 0). Throws on bind errors.
    std::uint16_t start();
    /// Graceful stop: no new connections, Connection: close on open ones, wait until they are gone
    /// (or nothing is in flight) up to the drain deadline, then close the rest.
    void stop();

    bool draining() const { return draining_.load(std::memory_order_acquire); }
    int inflight() const { return inflight_.load(std::memory_order_acquire); }

    /// Raises RLIMIT_NOFILE to the hard limit; returns the new soft limit.
    static std::uint64_t raiseFileLimit();

    // Used by the request handler and the connection filter.
    struct Shared;

  private:
    std::shared_ptr<Shared> shared_;
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    std::atomic<bool> draining_{false};
    std::atomic<int> inflight_{0};
    bool started_ = false;
};

}  // namespace valory::host
