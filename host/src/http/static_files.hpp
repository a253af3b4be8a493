// Static files of a plugin's mount: ETag, Last-Modified, 304, pre-gzipped .gz siblings,
// immutable caching for fingerprinted mounts, no '..'.
#pragma once

#include "http/http_exchange.hpp"

#include <string>

namespace valory::host {

struct StaticMount;

class StaticFiles {
  public:
    /// Serves `relative` (decoded, below the mount) into `resp` (status, headers, filePath).
    static void serve(const StaticMount& mount, const std::string& relative, const valory_request& req,
                      valory_response& resp);
    /// Content type by extension ("application/octet-stream" when unknown).
    static std::string contentTypeFor(const std::string& path);
    /// HTTP date (RFC 7231) of a Unix time.
    static std::string httpDate(long long unixSeconds);
    /// Parses an HTTP date; -1 when invalid.
    static long long parseHttpDate(const std::string& text);
};

}  // namespace valory::host
