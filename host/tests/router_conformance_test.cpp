// The host's half of the routing conformance test: the cases of
// sdk/testkit/tests/router_conformance_cases.hpp, run against Router (the fake host's half runs the
// same table against the test kit).
#include "http/http_exchange.hpp"
#include "http/router.hpp"

#include <gtest/gtest.h>

#include "../../sdk/testkit/tests/router_conformance_cases.hpp"

namespace {

using valory::conformance::Pairs;

struct Seen {
    bool ran = false;
    std::string path;
    Pairs params;
    std::string rawQuery;
};

valory_status record(void* user, const valory_request* req, valory_response* resp, valory_error*) {
    auto* seen = static_cast<Seen*>(user);
    seen->ran = true;
    seen->path = req->path;
    seen->params = req->params;
    seen->rawQuery = req->rawQuery;
    resp->status = 200;
    return VALORY_OK;
}

valory_status noop(void*, const valory_request*, valory_response*, valory_error*) {
    return VALORY_OK;
}

}  // namespace

TEST(RouterConformance, RoutesAndDecodesAsTheTable) {
    valory::host::Router router;
    Seen seen;
    std::string msg;
    for (const auto& [method, pattern] : valory::conformance::routes())
        ASSERT_EQ(router.addRoute("conformance", method, pattern, record, &seen, nullptr, msg), VALORY_OK)
            << msg;
    for (const auto& c : valory::conformance::routeCases()) {
        SCOPED_TRACE(c.method + " " + c.target);
        seen = Seen{};
        Poco::Net::NameValueCollection headers;
        valory_request req;
        valory_response resp;
        valory::host::Router::Outcome outcome;
        req.method = c.method;
        req.target = c.target;
        const auto q = c.target.find('?');
        req.rawPath = c.target.substr(0, q);
        if (q != std::string::npos) req.rawQuery = c.target.substr(q + 1);
        req.headerSource = &headers;
        router.handle(req, resp, outcome);
        EXPECT_EQ(resp.status, c.status);
        EXPECT_EQ(outcome.route, c.route);
        EXPECT_EQ(seen.ran, c.status == 200);
        if (c.status == 200) {
            EXPECT_EQ(seen.path, c.path);
            EXPECT_EQ(seen.params, c.params);
            // The host's query_params() is parseQuery() of the raw query.
            EXPECT_EQ(valory::host::parseQuery(seen.rawQuery), c.query);
        }
        const std::string* location = resp.findHeader("Location");
        EXPECT_EQ(location ? *location : std::string(), c.location);
    }
}

TEST(RouterConformance, AcceptsAndRefusesTemplatesAsTheTable) {
    for (const auto& c : valory::conformance::templateCases()) {
        SCOPED_TRACE(c.method + " " + c.pattern);
        valory::host::Router router;
        std::string msg;
        valory_status s = router.addRoute("conformance", c.method, c.pattern, noop, nullptr, nullptr, msg);
        EXPECT_EQ(s, c.accepted ? VALORY_OK : VALORY_ERR_INVALID_ARGUMENT) << msg;
    }
}
