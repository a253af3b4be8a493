// The structured access log: one JSON object per line, to stdout or a file. It carries only what
// the request-finished event carries — the route *template*, never the raw path, query, headers
// or cookies — so tokens in URLs or headers cannot reach it.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include <valory/events.h>

namespace valory::plugins::monitoring {

class AccessLog {
  public:
    /// "stdout" or a file path (opened for append; std::runtime_error when it cannot be).
    explicit AccessLog(const std::string& target);
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;

    void write(const valory_request_finished_event& ev);
    /// The line write() would produce (without the trailing newline); `nowMs` = Unix time in ms.
    static std::string line(const valory_request_finished_event& ev, long long nowMs);

  private:
    std::mutex mutex_;
    std::FILE* file_ = nullptr;
    bool owned_ = false;
};

}  // namespace valory::plugins::monitoring
