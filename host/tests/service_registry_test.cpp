#include "plugins/service_registry.hpp"
#include "events.hpp"
#include "metrics_registry.hpp"

#include <gtest/gtest.h>

using valory::host::Events;
using valory::host::MetricsRegistry;
using valory::host::ServiceRegistry;

TEST(ServiceRegistry, RegisterAcquireRelease) {
    ServiceRegistry reg;
    static const int vtable = 1;
    std::string msg;
    ASSERT_EQ(reg.registerService("sqlp", "sql", 1, 2, &vtable, nullptr, msg), VALORY_OK);
    EXPECT_EQ(reg.registerService("other", "sql", 1, 0, &vtable, nullptr, msg), VALORY_ERR_CONFLICT);
    EXPECT_EQ(msg, "service 'sql/1' is already registered by 'sqlp'");
    valory_service_ref* ref = nullptr;
    valory_service out{};
    out.struct_size = sizeof out;
    EXPECT_EQ(reg.acquire("app", "sql", 1, 3, &ref, &out, msg), VALORY_ERR_VERSION);
    EXPECT_EQ(reg.acquire("app", "sql", 2, 0, &ref, &out, msg), VALORY_ERR_NOT_FOUND);
    ASSERT_EQ(reg.acquire("app", "sql", 1, 1, &ref, &out, msg), VALORY_OK);
    EXPECT_EQ(out.vtable, &vtable);
    EXPECT_EQ(out.minor, 2u);
    EXPECT_EQ(reg.holdersOf("sql/1"), std::vector<std::string>{"app"});
    reg.release(ref);
    EXPECT_TRUE(reg.holdersOf("sql/1").empty());
}

TEST(ServiceRegistry, ForcedReleaseThenLateReleaseIsSafe) {
    ServiceRegistry reg;
    static const int vtable = 1;
    std::string msg;
    reg.registerHostService("http.client", 1, 0, &vtable, nullptr);
    EXPECT_EQ(reg.ownerOf("http.client/1"), "host");
    valory_service_ref* ref = nullptr;
    valory_service out{};
    ASSERT_EQ(reg.acquire("app", "http.client", 1, 0, &ref, &out, msg), VALORY_OK);
    EXPECT_EQ(reg.releaseAllHeldBy("app"), 1u);
    EXPECT_TRUE(reg.holdersOf("http.client/1").empty());
    reg.release(ref);  // a destructor running later must not double free
    reg.release(ref);
}

TEST(Events, NoSubscriberNoDelivery) {
    Events events;
    EXPECT_FALSE(events.hasSubscribers(VALORY_EVENT_REQUEST_FINISHED));
    static int delivered = 0;
    auto fn = [](void*, valory_event_type, const void*) { ++delivered; };
    auto* sub = events.subscribe("m", VALORY_EVENT_REQUEST_FINISHED, fn, nullptr);
    ASSERT_NE(sub, nullptr);
    valory_request_finished_event ev{};
    events.publish(VALORY_EVENT_REQUEST_FINISHED, &ev);
    events.publish(VALORY_EVENT_JOB_FINISHED, &ev);
    EXPECT_EQ(delivered, 1);
    EXPECT_EQ(events.removeAllOwnedBy("m"), 1u);
    events.publish(VALORY_EVENT_REQUEST_FINISHED, &ev);
    EXPECT_EQ(delivered, 1);
}

TEST(MetricsRegistry, FamiliesLabelsHistogramsVisit) {
    MetricsRegistry m;
    std::uint32_t c = 0, h = 0, again = 0;
    std::string msg;
    ASSERT_EQ(m.define("p", {VALORY_METRIC_COUNTER, "reqs_total", "help", {"route"}, {}}, c, msg), VALORY_OK);
    ASSERT_EQ(m.define("q", {VALORY_METRIC_COUNTER, "reqs_total", "help", {"route"}, {}}, again, msg),
              VALORY_OK);
    EXPECT_EQ(c, again);
    EXPECT_EQ(m.define("q", {VALORY_METRIC_GAUGE, "reqs_total", "help", {"route"}, {}}, again, msg),
              VALORY_ERR_CONFLICT);
    ASSERT_EQ(m.define("p", {VALORY_METRIC_HISTOGRAM, "lat", "help", {}, {0.1, 1}}, h, msg), VALORY_OK);
    m.counterAdd(c, {"/a"}, 2);
    m.counterAdd(c, {"/a"}, 1);
    m.counterAdd(c, {"/a", "extra"}, 1);  // wrong label count: dropped
    m.histogramObserve(h, {}, 0.05);
    m.histogramObserve(h, {}, 5);
    EXPECT_EQ(m.droppedSamples(), 1u);
    struct Seen {
        double counter = 0;
        std::vector<std::uint64_t> buckets;
        std::uint64_t count = 0;
    } seen;
    m.visit(
        [](void* user, const valory_metric_sample* s) {
            auto* seen = static_cast<Seen*>(user);
            if (s->kind == VALORY_METRIC_COUNTER) seen->counter = s->value;
            if (s->kind == VALORY_METRIC_HISTOGRAM) {
                seen->buckets.assign(s->bucket_counts, s->bucket_counts + s->bucket_count + 1);
                seen->count = s->count;
            }
        },
        &seen);
    EXPECT_EQ(seen.counter, 3);
    EXPECT_EQ(seen.buckets, (std::vector<std::uint64_t>{1, 1, 2}));
    EXPECT_EQ(seen.count, 2u);
}
