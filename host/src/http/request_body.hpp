// Reading a request body exactly as its framing says (RFC 9112 §6), so a short, stalled or
// malformed body never reaches a handler as if it were whole, and no byte of it is left on the
// connection to be parsed as the next request.
#pragma once

#include <cstdint>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace valory::host {

enum class BodyStatus {
    ok,
    tooLarge,     ///< 413: over the configured limit (declared or counted as it arrives)
    incomplete,   ///< 400: the peer stopped sending before the framing said the body ends
    malformed,    ///< 400: Content-Length not a number, repeated differently, or bad chunk syntax
    unsupported,  ///< 501: a transfer coding other than exactly "chunked"
    timedOut,     ///< 408: the body stalled past the read timeout
};

struct BodyResult {
    BodyStatus status = BodyStatus::ok;
    std::string message;  ///< for the client; never contains request bytes
    bool ok() const { return status == BodyStatus::ok; }
};

/// Checks the head's framing before anything is read: Content-Length is 1*DIGIT and agrees when
/// repeated, Transfer-Encoding is exactly "chunked" and never comes with Content-Length, and the
/// declared length is within `limit`.
BodyResult checkFraming(const Poco::Net::HTTPServerRequest& request, std::uint64_t limit);

/// Reads the whole body into `out` (at most `limit` bytes); call after checkFraming said ok.
/// Chunked bodies are decoded here, strictly, and not by Poco (whose decoder reports a truncated
/// or malformed body as a normal end).
BodyResult readBody(Poco::Net::HTTPServerRequest& request, std::uint64_t limit, std::string& out);

/// Status code and error code for a failed result ("payload_too_large", "bad_request", ...).
int bodyHttpStatus(BodyStatus s);
const char* bodyErrorCode(BodyStatus s);

}  // namespace valory::host
