// The request and response objects behind the C ABI's opaque valory_request / valory_response.
// Filled by the HTTP server (or by tests) and read through the valory_http_api functions.
#pragma once

#include <valory/http.h>

#include "strings.hpp"

#include <Poco/Net/NameValueCollection.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct valory_request {
    std::string method;
    std::string target;   ///< raw, as received
    std::string path;     ///< decoded, without query
    std::string rawPath;  ///< percent-encoded path (without query)
    std::string rawQuery;
    std::string route;  ///< matched template or "<unmatched>"
    std::vector<std::pair<std::string, std::string>> params;
    const Poco::Net::NameValueCollection* headerSource = nullptr;
    std::string body;
    std::string peer;
    std::string client;
    std::string scheme = "http";
    std::string hostName;
    std::string requestId;

    // Lazily built views (only the handler's thread reads a request).
    mutable bool queryBuilt = false, headersBuilt = false, cookiesBuilt = false;
    mutable std::vector<std::pair<std::string, std::string>> queryStore, headerStore, cookieStore;
    mutable std::vector<valory_kv> queryKv, headerKv, cookieKv;

    /// First value of a header (case-insensitive), if any.
    std::optional<std::string> header(const std::string& name) const;
};

struct valory_response {
    int32_t status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string filePath;  ///< send_file / static: served instead of body
    std::string fileContentType;
    bool headOnly = false;  ///< HEAD: Content-Length of the would-be body, no body

    void setHeader(const std::string& name, const std::string& value);
    void addHeader(const std::string& name, const std::string& value);
    const std::string* findHeader(const std::string& name) const;
    void removeHeader(const std::string& name);
    /// Replaces everything with a JSON error {"error": code, "message": message}.
    void jsonError(int32_t status, const std::string& code, const std::string& message);
};

namespace valory::host {

/// Percent-decodes `in` ('+' kept unless `plusIsSpace`); invalid escapes are kept verbatim.
std::string percentDecode(std::string_view in, bool plusIsSpace = false);
/// Splits and decodes "a=1&b=2&a=3" keeping order and repeats.
std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view query);
/// Parses one Cookie header value "a=1; b=2".
void parseCookies(std::string_view header, std::vector<std::pair<std::string, std::string>>& out);
/// An RFC 9110 token: what a header name (or a listed header in CORS) must be.
bool isToken(std::string_view s);
/// A header value the host may write: no CR, LF or NUL (they would split or end the header).
bool isSafeHeaderValue(std::string_view s);

}  // namespace valory::host
