// The fake host's routing and decoding, written to answer as the real host's router does
// (host/src/http/router.cpp): path templates with {param} and a trailing {rest*}, segments split
// before they are percent-decoded (so %2F stays inside one segment), the most specific template
// wins, and a path that only matches in its other trailing-slash form is redirected.
// tests/router_conformance_test.cpp and host/tests/router_conformance_test.cpp run one table of
// cases against this code and the host's, so the two cannot drift apart unnoticed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace valory::testkit::detail {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

/// Percent-decodes `in` ('+' kept unless `plusIsSpace`); invalid escapes are kept verbatim.
std::string percentDecode(std::string_view in, bool plusIsSpace = false);
/// Splits and decodes "a=1&b=2&a=3" keeping order and repeats ('+' is a space).
StringPairs parseQuery(std::string_view query);
/// Parses one Cookie header value "a=1; b=2" (quotes around a value are removed).
void parseCookies(std::string_view header, StringPairs& out);

/// A raw request path split into decoded segments: "/a/b%2Fc/" is {"a", "b/c"} + trailing slash.
struct RequestPath {
    std::vector<std::string> segments;
    bool trailing = false;
    static RequestPath split(std::string_view rawPath);
};

/// A parsed path template ("/api/overlay/{id}", "/files/{rest*}").
struct PathTemplate {
    enum Kind { Literal = 0, Param = 1, Rest = 2 };
    struct Segment {
        Kind kind = Literal;
        std::string text;  ///< decoded literal text or parameter name
    };
    std::vector<Segment> segments;
    bool trailingSlash = false;

    bool hasRest() const { return !segments.empty() && segments.back().kind == Rest; }
    /// Parses a template; false with `message` when the real host would refuse it.
    static bool parse(const std::string& text, PathTemplate& out, std::string& message);
    /// Matches a path (with `trailing` in place of the path's own); fills params on success.
    bool match(const RequestPath& path, bool trailing, StringPairs* params) const;
    /// Lexicographic specificity, segment by segment: literal before param before rest.
    bool moreSpecificThan(const PathTemplate& other) const;
};

/// An upper-case token of at most 20 letters, as the host accepts for add_route.
bool validMethod(const std::string& method);

}  // namespace valory::testkit::detail
