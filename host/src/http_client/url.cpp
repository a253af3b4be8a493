#include "url.hpp"

#include <charconv>

namespace valory::host {

std::string Endpoint::key() const {
    return scheme + "://" + authority();
}

std::string Endpoint::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + std::to_string(port);
}

namespace {
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

std::optional<ParsedUrl> parseUrl(std::string_view url, std::string& why) {
    for (unsigned char c : url) {
        if (c <= 0x20 || c == 0x7f) {
            why = "URL contains a space or control character";
            return std::nullopt;
        }
    }
    auto sep = url.find("://");
    if (sep == std::string_view::npos) {
        why = "URL must be absolute (http:// or https://)";
        return std::nullopt;
    }
    ParsedUrl out;
    for (char c : url.substr(0, sep)) out.endpoint.scheme.push_back(lower(c));
    if (out.endpoint.scheme != "http" && out.endpoint.scheme != "https") {
        why = "unsupported URL scheme '" + out.endpoint.scheme + "' (only http and https)";
        return std::nullopt;
    }
    std::string_view rest = url.substr(sep + 3);
    auto end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (authority.find('@') != std::string_view::npos) {
        why = "user info in URLs is not supported (send an Authorization header)";
        return std::nullopt;
    }
    std::string_view host;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            why = "unterminated IPv6 address in URL";
            return std::nullopt;
        }
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                why = "malformed authority in URL";
                return std::nullopt;
            }
            port = after.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (host.empty()) {
        why = "URL has no host";
        return std::nullopt;
    }
    for (char c : host) out.endpoint.host.push_back(lower(c));
    if (port.empty()) {
        out.endpoint.port = out.endpoint.secure() ? 443 : 80;
    } else {
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
            why = "bad port in URL";
            return std::nullopt;
        }
        out.endpoint.port = static_cast<uint16_t>(value);
    }
    tail = tail.substr(0, tail.find('#'));
    if (tail.empty())
        out.target = "/";
    else if (tail.front() == '?')
        out.target = "/" + std::string(tail);
    else
        out.target = std::string(tail);
    return out;
}

}  // namespace valory::host
