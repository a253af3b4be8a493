// Absolute http(s) URL parsing for the outbound client. The request target (path + query) is kept
// byte for byte as the caller encoded it: re-encoding (as Poco::URI does) would turn %2F into '/'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace valory::host {

struct Endpoint {
    std::string scheme;  // "http" or "https"
    std::string host;    // lower-case; IPv6 without brackets
    uint16_t port = 0;

    bool secure() const { return scheme == "https"; }
    /// Pool and metrics key: "https://api.twitch.tv:443".
    std::string key() const;
    /// "host:port" as used in metrics labels ("[::1]:8080" for IPv6).
    std::string authority() const;
};

struct ParsedUrl {
    Endpoint endpoint;
    std::string target;  // "/path?query" (fragment dropped), "/" when empty
};

/// Parses an absolute http:// or https:// URL. Returns nullopt and sets `why` when malformed:
/// other schemes, user info, empty host, bad port, spaces or control characters.
std::optional<ParsedUrl> parseUrl(std::string_view url, std::string& why);

}  // namespace valory::host
