// Draining a stopping plugin's routes: in-flight handlers finish, new requests get 503 +
// Retry-After, other owners are untouched; a restart takes the routes back; removal gives 404.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

using valory::host::Router;

namespace {

valory_status named(void* user, const valory_request*, valory_response* resp, valory_error*) {
    resp->status = 200;
    resp->body = static_cast<const char*>(user);
    return VALORY_OK;
}

struct Call {
    Poco::Net::NameValueCollection headers;
    valory_request req;
    valory_response resp;
    Router::Outcome outcome;
};

std::unique_ptr<Call> call(const Router& router, const std::string& target) {
    auto c = std::make_unique<Call>();
    c->req.method = "GET";
    c->req.target = target;
    c->req.rawPath = target;
    c->req.headerSource = &c->headers;
    router.handle(c->req, c->resp, c->outcome);
    return c;
}

char kOld[] = "old";
char kNew[] = "new";
char kOther[] = "other";

}  // namespace

TEST(RouterDrain, DrainedRoutesAnswer503UntilTakenBackOrRemoved) {
    Router r;
    r.setRetryAfter(7);
    std::string msg;
    ASSERT_EQ(r.addRoute("p", "GET", "/p/x", named, kOld, nullptr, msg), VALORY_OK);
    ASSERT_EQ(r.addRoute("p", "GET", "/p/y", named, kOld, nullptr, msg), VALORY_OK);
    ASSERT_EQ(r.addRoute("q", "GET", "/q/x", named, kOther, nullptr, msg), VALORY_OK);
    EXPECT_EQ(r.drainOwnedBy("p"), 2u);
    auto c = call(r, "/p/x");
    EXPECT_EQ(c->resp.status, 503);
    ASSERT_NE(c->resp.findHeader("Retry-After"), nullptr);
    EXPECT_EQ(*c->resp.findHeader("Retry-After"), "7");
    EXPECT_EQ(c->outcome.owner, "p");
    EXPECT_EQ(call(r, "/q/x")->resp.body, "other");
    // Another owner cannot take a drained route; its owner can (a restart).
    EXPECT_EQ(r.addRoute("q", "GET", "/p/x", named, kOther, nullptr, msg), VALORY_ERR_CONFLICT);
    ASSERT_EQ(r.addRoute("p", "GET", "/p/x", named, kNew, nullptr, msg), VALORY_OK) << msg;
    EXPECT_EQ(call(r, "/p/x")->resp.body, "new");
    // What the restarted plugin did not register again goes: 404.
    EXPECT_EQ(r.removeDrainingOwnedBy("p"), 1u);
    EXPECT_EQ(call(r, "/p/y")->resp.status, 404);
    EXPECT_EQ(call(r, "/p/x")->resp.status, 200);
    EXPECT_EQ(r.routesOf("p"), (std::vector<std::string>{"GET /p/x"}));
    EXPECT_EQ(r.removeAllOwnedBy("p"), 1u);
    EXPECT_EQ(call(r, "/p/x")->resp.status, 404);
}

TEST(RouterDrain, DrainWaitsForInFlightHandlersWhileNewRequestsGet503) {
    Router r;
    std::string msg;
    static std::atomic<int> phase{0};
    static std::atomic<int> calls{0};
    auto slow = [](void*, const valory_request*, valory_response* resp, valory_error*) -> valory_status {
        if (calls.fetch_add(1) > 0) {  // only the first call blocks (a call before the drain began)
            resp->status = 200;
            return VALORY_OK;
        }
        phase = 1;
        while (phase.load() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        resp->status = 200;
        return VALORY_OK;
    };
    ASSERT_EQ(r.addRoute("p", "GET", "/slow", slow, nullptr, nullptr, msg), VALORY_OK);
    int slowStatus = 0;
    std::thread client([&] { slowStatus = call(r, "/slow")->resp.status; });
    while (phase.load() != 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::atomic<bool> drained{false};
    std::thread drainer([&] {
        r.drainOwnedBy("p");
        drained = true;
    });
    // The drain cannot finish while the handler runs; a new request meanwhile gets 503.
    bool saw503 = false;
    for (int i = 0; i < 200 && !saw503; ++i) {
        saw503 = call(r, "/slow")->resp.status == 503;
        if (!saw503) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_TRUE(saw503);
    EXPECT_FALSE(drained.load());
    phase = 2;
    drainer.join();
    client.join();
    EXPECT_TRUE(drained.load());
    EXPECT_EQ(slowStatus, 200);  // the in-flight request finished normally
}
