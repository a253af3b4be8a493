// One table of routing and percent-decoding cases, run against the host's router
// (host/tests/router_conformance_test.cpp) and the test kit's (router_conformance_test.cpp here),
// so a plugin tested with the fake host is routed as the real host routes it. The expectations are
// the host's behaviour; add a case here and both tests check it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace valory::conformance {

using Pairs = std::vector<std::pair<std::string, std::string>>;

/// Registered in this order (GET /api/overlay/new after the {id} template: the literal still wins).
inline const Pairs& routes() {
    static const Pairs r = {
        {"GET", "/api/overlay/{id}"}, {"GET", "/api/overlay/new"}, {"POST", "/api/overlay/{id}"},
        {"GET", "/files/{rest*}"},    {"GET", "/canonical/"},      {"GET", "/plain"},
        {"GET", "/caf%C3%A9"},        {"GET", "/items/{a}/{b}"},
    };
    return r;
}

struct RouteCase {
    std::string method, target;
    int status;                 // 200: the handler of `route` ran
    std::string route;          // matched template; "<unmatched>" when none
    Pairs params = {};          // path parameters, decoded (200 only)
    std::string path = {};      // decoded request path (200 only)
    Pairs query = {};           // decoded query parameters in order (200 only)
    std::string location = {};  // Location of a 307
};

inline const std::vector<RouteCase>& routeCases() {
    static const std::vector<RouteCase> c = {
        {"GET", "/api/overlay/42", 200, "/api/overlay/{id}", {{"id", "42"}}, "/api/overlay/42"},
        {"GET", "/api/overlay/new", 200, "/api/overlay/new", {}, "/api/overlay/new"},
        {"POST", "/api/overlay/new", 200, "/api/overlay/{id}", {{"id", "new"}}, "/api/overlay/new"},
        {"HEAD", "/api/overlay/7", 200, "/api/overlay/{id}", {{"id", "7"}}, "/api/overlay/7"},
        // Segments are split before decoding: %2F stays inside its segment.
        {"GET", "/api/overlay/a%2Fb", 200, "/api/overlay/{id}", {{"id", "a/b"}}, "/api/overlay/a/b"},
        {"GET",
         "/api/overlay/hello%20world",
         200,
         "/api/overlay/{id}",
         {{"id", "hello world"}},
         "/api/overlay/hello world"},
        {"GET",
         "/api/overlay/%E2%82%AC",
         200,
         "/api/overlay/{id}",
         {{"id", "\xE2\x82\xAC"}},
         "/api/overlay/\xE2\x82\xAC"},
        // '+' is a space only in queries; invalid or short escapes are kept verbatim.
        {"GET", "/api/overlay/a+b", 200, "/api/overlay/{id}", {{"id", "a+b"}}, "/api/overlay/a+b"},
        {"GET", "/api/overlay/%zz", 200, "/api/overlay/{id}", {{"id", "%zz"}}, "/api/overlay/%zz"},
        {"GET", "/api/overlay/x%4", 200, "/api/overlay/{id}", {{"id", "x%4"}}, "/api/overlay/x%4"},
        {"GET",
         "/api/overlay/5?q=a+b%26c&q=2&flag&=v&e=%3D",
         200,
         "/api/overlay/{id}",
         {{"id", "5"}},
         "/api/overlay/5",
         {{"q", "a b&c"}, {"q", "2"}, {"flag", ""}, {"", "v"}, {"e", "="}}},
        {"DELETE", "/api/overlay/1", 405, "<unmatched>"},
        // {rest*}: one or more segments, decoded then joined; a trailing slash is kept.
        {"GET", "/files/a/b/c.txt", 200, "/files/{rest*}", {{"rest", "a/b/c.txt"}}, "/files/a/b/c.txt"},
        {"GET", "/files/a%2Fb/c", 200, "/files/{rest*}", {{"rest", "a/b/c"}}, "/files/a/b/c"},
        {"GET", "/files/dir/", 200, "/files/{rest*}", {{"rest", "dir/"}}, "/files/dir/"},
        {"GET", "/files/", 200, "/files/{rest*}", {{"rest", "/"}}, "/files/"},
        {"GET", "/files", 404, "<unmatched>"},
        // One trailing-slash rule: the other form of a registered path is redirected (query kept).
        {"GET", "/canonical/", 200, "/canonical/", {}, "/canonical/"},
        {"GET", "/canonical", 307, "<unmatched>", {}, {}, {}, "/canonical/"},
        {"GET", "/canonical?x=1", 307, "<unmatched>", {}, {}, {}, "/canonical/?x=1"},
        {"GET", "/plain/", 307, "<unmatched>", {}, {}, {}, "/plain"},
        {"GET", "/plain", 200, "/plain", {}, "/plain"},
        // Literal template segments are decoded too.
        {"GET", "/caf%C3%A9", 200, "/caf%C3%A9", {}, "/caf\xC3\xA9"},
        {"GET", "/items/1/2", 200, "/items/{a}/{b}", {{"a", "1"}, {"b", "2"}}, "/items/1/2"},
        {"GET", "/items/1", 404, "<unmatched>"},
        {"GET", "/items//2", 404, "<unmatched>"},
        {"GET", "/nothing", 404, "<unmatched>"},
    };
    return c;
}

struct TemplateCase {
    std::string method, pattern;
    bool accepted;
};

/// add_route on an empty router: which templates and methods the host accepts.
inline const std::vector<TemplateCase>& templateCases() {
    static const std::vector<TemplateCase> c = {
        {"GET", "/", true},           {"GET", "/ok/{id}", true},
        {"PUT", "/ok/{id}/x/", true}, {"GET", "/all/{rest*}", true},
        {"GET", "no-slash", false},   {"GET", "/a//b", false},
        {"GET", "/{rest*}/x", false}, {"GET", "/r/{rest*}/", false},
        {"GET", "/{1bad}", false},    {"GET", "/{id}/{id}", false},
        {"GET", "/a{b}", false},      {"GET", "/q?x=1", false},
        {"GET", "/{}", false},        {"HEAD", "/h", false},
        {"get", "/lower", false},     {"", "/empty-method", false},
    };
    return c;
}

}  // namespace valory::conformance
