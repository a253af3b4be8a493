// Regressions of the hardening issue (item 7): callbacks that call back into the host, and error
// messages a plugin left without a NUL or cut inside a UTF-8 sequence.
#include "errors.hpp"
#include "events.hpp"
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <unistd.h>

using namespace std::chrono_literals;
using valory::host::Events;
using valory::host::Router;

namespace {

/// Runs `fn` on another thread; a deadlock fails the test (and ends the process, which cannot
/// join a thread that never returns) instead of hanging until the CTest timeout.
template <class F>
void mustReturn(F fn, const char* what) {
    auto done = std::async(std::launch::async, fn);
    if (done.wait_for(10s) != std::future_status::ready) {
        ADD_FAILURE() << what << " deadlocked";
        std::fflush(nullptr);
        ::_exit(1);
    }
    done.get();
}

struct SelfRemoving {
    Events* events = nullptr;
    valory_subscription* sub = nullptr;
    int calls = 0;
};

void unsubscribeSelf(void* user, valory_event_type, const void*) {
    auto* s = static_cast<SelfRemoving*>(user);
    ++s->calls;
    s->events->unsubscribe(s->sub);
}

void subscribeAnother(void* user, valory_event_type type, const void*) {
    auto* s = static_cast<SelfRemoving*>(user);
    ++s->calls;
    if (s->calls == 1)
        s->events->subscribe(
            "p", type, [](void*, valory_event_type, const void*) {}, nullptr);
}

struct Slow {
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
};

void slowSubscriber(void* user, valory_event_type, const void*) {
    auto* s = static_cast<Slow*>(user);
    s->entered = true;
    while (!s->release) std::this_thread::sleep_for(1ms);
    s->finished = true;
}

}  // namespace

TEST(Events, SubscriberMayUnsubscribeItselfDuringDelivery) {
    Events events;
    SelfRemoving s{&events};
    s.sub = events.subscribe("p", VALORY_EVENT_REQUEST_FINISHED, unsubscribeSelf, &s);
    ASSERT_NE(s.sub, nullptr);
    mustReturn([&] { events.publish(VALORY_EVENT_REQUEST_FINISHED, nullptr); },
               "publish → unsubscribe(self)");
    EXPECT_EQ(s.calls, 1);
    EXPECT_FALSE(events.hasSubscribers(VALORY_EVENT_REQUEST_FINISHED));
    events.publish(VALORY_EVENT_REQUEST_FINISHED, nullptr);
    EXPECT_EQ(s.calls, 1);
}

TEST(Events, SubscriberMaySubscribeDuringDelivery) {
    Events events;
    SelfRemoving s{&events};
    events.subscribe("p", VALORY_EVENT_REQUEST_FINISHED, subscribeAnother, &s);
    mustReturn([&] { events.publish(VALORY_EVENT_REQUEST_FINISHED, nullptr); }, "publish → subscribe");
    EXPECT_EQ(events.removeAllOwnedBy("p"), 2u);
}

TEST(Events, UnsubscribeFromAnotherThreadWaitsForTheRunningDelivery) {
    Events events;
    Slow slow;
    auto* sub = events.subscribe("p", VALORY_EVENT_REQUEST_FINISHED, slowSubscriber, &slow);
    std::thread publisher([&] { events.publish(VALORY_EVENT_REQUEST_FINISHED, nullptr); });
    while (!slow.entered) std::this_thread::sleep_for(1ms);
    std::thread releaser([&] {
        std::this_thread::sleep_for(50ms);
        slow.release = true;
    });
    events.unsubscribe(sub);
    EXPECT_TRUE(slow.finished) << "unsubscribe returned while the subscriber still ran";
    publisher.join();
    releaser.join();
}

TEST(Events, RemoveAllOwnedByWaitsForTheRunningDelivery) {
    Events events;
    Slow slow;
    events.subscribe("p", VALORY_EVENT_REQUEST_FINISHED, slowSubscriber, &slow);
    std::thread publisher([&] { events.publish(VALORY_EVENT_REQUEST_FINISHED, nullptr); });
    while (!slow.entered) std::this_thread::sleep_for(1ms);
    std::thread releaser([&] {
        std::this_thread::sleep_for(50ms);
        slow.release = true;
    });
    EXPECT_EQ(events.removeAllOwnedBy("p"), 1u);
    EXPECT_TRUE(slow.finished) << "the plugin could be destroyed while its subscriber ran";
    publisher.join();
    releaser.join();
}

namespace {
struct OwnRoute {
    Router* router = nullptr;
    valory_route* route = nullptr;
    valory_status removed = VALORY_ERR_INTERNAL;
};

valory_status removeOwnRoute(void* user, const valory_request*, valory_response* resp, valory_error*) {
    auto* o = static_cast<OwnRoute*>(user);
    std::string msg;
    o->removed = o->router->removeRoute("p", o->route, msg);
    resp->status = 200;
    return VALORY_OK;
}
}  // namespace

TEST(Router, HandlerMayRemoveItsOwnRoute) {
    Router router;
    OwnRoute o{&router};
    std::string msg;
    ASSERT_EQ(router.addRoute("p", "GET", "/once", removeOwnRoute, &o, &o.route, msg), VALORY_OK) << msg;
    mustReturn(
        [&] {
            Poco::Net::NameValueCollection headers;
            valory_request req;
            valory_response resp;
            Router::Outcome outcome;
            req.method = "GET";
            req.target = req.rawPath = "/once";
            req.headerSource = &headers;
            router.handle(req, resp, outcome);
            EXPECT_EQ(resp.status, 200);
        },
        "handler → removeRoute(own route)");
    EXPECT_EQ(o.removed, VALORY_OK);
}

TEST(ErrorMessage, ReadsWithinCapacityAndDropsACutUtf8Sequence) {
    valory_error err;
    valory_error_init(&err);
    std::memset(err.message, 'x', sizeof err.message);  // no NUL anywhere
    EXPECT_EQ(valory::host::errorMessage(err).size(), sizeof err.message);

    valory_error_init(&err);
    std::strcpy(err.message, "caf\xC3\xA9");  // whole "é"
    EXPECT_EQ(valory::host::errorMessage(err), "caf\xC3\xA9");
    std::strcpy(err.message, "caf\xC3");  // cut after the lead byte
    EXPECT_EQ(valory::host::errorMessage(err), "caf");
    std::strcpy(err.message, "a\xF0\x9F\x98");  // 3 of the 4 bytes of an emoji
    EXPECT_EQ(valory::host::errorMessage(err), "a");
    std::strcpy(err.message, "a\xF0\x9F\x98\x80");
    EXPECT_EQ(valory::host::errorMessage(err), "a\xF0\x9F\x98\x80");
}
