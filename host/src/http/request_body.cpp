#include "http/request_body.hpp"

#include "http/http_exchange.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>

#include <istream>
#include <vector>

namespace valory::host {

namespace {

constexpr std::size_t kMaxChunkLine = 4096;  // size, extensions and CRLF
constexpr std::size_t kMaxTrailer = 8192;

BodyResult fail(BodyStatus s, std::string message) {
    return BodyResult{s, std::move(message)};
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Every value of a header that may be repeated (NameValueCollection keeps equal names adjacent).
std::vector<std::string> allValues(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
    std::vector<std::string> out;
    for (auto it = request.find(name); it != request.end() && iequals(it->first, name); ++it)
        out.push_back(it->second);
    return out;
}

/// Reads from the connection exactly as many bytes as asked, never more, so a pipelined request
/// behind the body stays in the session's buffer for Poco to parse next.
class ExactReader {
  public:
    explicit ExactReader(Poco::Net::HTTPSession& session) : session_(session) {}

    /// Appends up to n bytes; returns how many arrived before the peer stopped.
    std::size_t read(std::string& out, std::uint64_t n) {
        Poco::Net::HTTPFixedLengthInputStream in(session_, static_cast<std::streamsize>(n));
        in.exceptions(std::ios::badbit);  // a receive timeout surfaces as Poco::TimeoutException
        char buf[8192];
        std::size_t got = 0;
        while (got < n) {
            in.read(buf, static_cast<std::streamsize>(std::min<std::uint64_t>(sizeof buf, n - got)));
            const auto k = static_cast<std::size_t>(in.gcount());
            if (k == 0) break;
            out.append(buf, k);
            got += k;
        }
        return got;
    }

    /// One line without its CRLF (a bare LF is accepted, RFC 9112 §2.2); false at EOF or too long.
    bool line(std::string& out, std::size_t max) {
        out.clear();
        std::string c;
        while (out.size() <= max) {
            c.clear();
            if (read(c, 1) != 1) return false;
            if (c[0] == '\n') {
                if (!out.empty() && out.back() == '\r') out.pop_back();
                return true;
            }
            out.push_back(c[0]);
        }
        return false;
    }

  private:
    Poco::Net::HTTPSession& session_;
};

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

BodyResult readChunked(ExactReader& reader, std::uint64_t limit, std::string& out) {
    std::string line;
    for (;;) {
        if (!reader.line(line, kMaxChunkLine))
            return line.size() > kMaxChunkLine ? fail(BodyStatus::malformed, "chunk size line too long")
                                               : fail(BodyStatus::incomplete, "chunked body ended early");
        std::string_view sizeText = line;
        if (auto semi = sizeText.find(';'); semi != std::string_view::npos)
            sizeText = sizeText.substr(0, semi);
        sizeText = trimmed(sizeText);
        if (sizeText.empty() || sizeText.size() > 16)
            return fail(BodyStatus::malformed, "invalid chunk size");
        std::uint64_t size = 0;
        for (char c : sizeText) {
            const int d = hexDigit(c);
            if (d < 0) return fail(BodyStatus::malformed, "invalid chunk size");
            size = size * 16 + static_cast<std::uint64_t>(d);  // ≤ 16 digits: cannot wrap
        }
        if (size == 0) break;
        if (size > limit || out.size() > limit - size)
            return fail(BodyStatus::tooLarge,
                        "request body exceeds the limit of " + std::to_string(limit) + " bytes");
        if (reader.read(out, size) != size) return fail(BodyStatus::incomplete, "chunked body ended early");
        if (!reader.line(line, 1) || !line.empty())
            return fail(BodyStatus::malformed, "chunk data not followed by CRLF");
    }
    // Trailer fields (ignored) up to the empty line that ends the message.
    std::size_t trailer = 0;
    for (;;) {
        if (!reader.line(line, kMaxTrailer)) return fail(BodyStatus::incomplete, "chunked body ended early");
        if (line.empty()) return {};
        trailer += line.size();
        if (trailer > kMaxTrailer) return fail(BodyStatus::malformed, "chunked trailer too large");
    }
}

}  // namespace

BodyResult checkFraming(const Poco::Net::HTTPServerRequest& request, std::uint64_t limit) {
    const auto te = allValues(request, "Transfer-Encoding");
    const auto cl = allValues(request, "Content-Length");
    if (!te.empty()) {
        // Only "chunked", alone: a coding we cannot decode would leave its body to be read as the
        // next request (RFC 9112 §6.1: 501). With Content-Length too it is a smuggling attempt.
        std::vector<std::string_view> codings;
        for (const auto& v : te) {
            std::string_view rest = v;
            while (!rest.empty()) {
                auto comma = rest.find(',');
                auto c = trimmed(rest.substr(0, comma));
                if (!c.empty()) codings.push_back(c);
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            }
        }
        if (codings.size() != 1 || !iequals(codings[0], "chunked"))
            return fail(BodyStatus::unsupported, "only Transfer-Encoding: chunked is supported");
        if (!cl.empty()) return fail(BodyStatus::malformed, "Transfer-Encoding and Content-Length together");
        return {};
    }
    std::optional<std::uint64_t> length;
    for (const auto& v : cl) {
        auto t = trimmed(v);
        if (t.empty() || t.size() > 19 || t.find_first_not_of("0123456789") != std::string_view::npos)
            return fail(BodyStatus::malformed, "Content-Length must be a non-negative decimal number");
        const std::uint64_t n = std::stoull(std::string(t));
        if (length && *length != n) return fail(BodyStatus::malformed, "conflicting Content-Length headers");
        length = n;
    }
    if (length && *length > limit)
        return fail(BodyStatus::tooLarge,
                    "request body exceeds the limit of " + std::to_string(limit) + " bytes");
    return {};
}

BodyResult readBody(Poco::Net::HTTPServerRequest& request, std::uint64_t limit, std::string& out) {
    auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    const bool chunked = request.has("Transfer-Encoding");
    if (!chunked && !request.hasContentLength()) return {};
    try {
        if (chunked) {
            if (!impl) return fail(BodyStatus::unsupported, "chunked body on an unknown request type");
            ExactReader reader(impl->session());
            return readChunked(reader, limit, out);
        }
        const auto want = static_cast<std::uint64_t>(request.getContentLength64());
        std::size_t got = 0;
        if (impl) {
            ExactReader reader(impl->session());
            got = reader.read(out, want);
        } else {
            std::istream& in = request.stream();
            char buf[8192];
            while (in.read(buf, sizeof buf) || in.gcount() > 0)
                out.append(buf, static_cast<std::size_t>(in.gcount()));
            got = out.size();
        }
        if (got != want)
            return fail(BodyStatus::incomplete, "request body is shorter than its Content-Length (" +
                                                    std::to_string(got) + " of " + std::to_string(want) +
                                                    " bytes)");
        return {};
    } catch (const Poco::TimeoutException&) {
        return fail(BodyStatus::timedOut, "the request body stalled past the read timeout");
    } catch (const Poco::Exception& e) {
        return fail(BodyStatus::incomplete, "the connection failed while reading the body");
    } catch (const std::ios::failure&) {
        return fail(BodyStatus::incomplete, "the connection failed while reading the body");
    }
}

int bodyHttpStatus(BodyStatus s) {
    switch (s) {
        case BodyStatus::ok:
            return 200;
        case BodyStatus::tooLarge:
            return 413;
        case BodyStatus::incomplete:
        case BodyStatus::malformed:
            return 400;
        case BodyStatus::unsupported:
            return 501;
        case BodyStatus::timedOut:
            return 408;
    }
    return 400;
}

const char* bodyErrorCode(BodyStatus s) {
    switch (s) {
        case BodyStatus::ok:
            return "ok";
        case BodyStatus::tooLarge:
            return "payload_too_large";
        case BodyStatus::incomplete:
        case BodyStatus::malformed:
            return "bad_request";
        case BodyStatus::unsupported:
            return "not_implemented";
        case BodyStatus::timedOut:
            return "request_timeout";
    }
    return "bad_request";
}

}  // namespace valory::host
