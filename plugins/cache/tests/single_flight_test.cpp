// SingleFlight on its own: one leader per key, followers get the leader's outcome, bounded waits.
// No timing assertions: the only clock bounds are generous limits that keep a broken test from hanging.
#include "single_flight.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

using valory::plugins::cache::SingleFlight;
using namespace std::chrono_literals;

constexpr auto kLongWait = std::chrono::milliseconds(30'000);

struct Result {
    bool led = false;
    bool timedOut = false;
    SingleFlight::Outcome outcome;
};

/// Spins (bounded) until `pred` holds.
template <class Pred>
bool eventually(Pred pred) {
    const auto until = std::chrono::steady_clock::now() + kLongWait;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

/// `callers` threads join `key` at once. Nobody completes before all have joined, so exactly one
/// leads; it runs `compute` and completes with its outcome, the others wait for it.
std::vector<Result> concurrentCalls(SingleFlight& sf, const std::string& key, int callers,
                                    const std::function<SingleFlight::Outcome()>& compute) {
    std::atomic<int> joined{0};
    std::vector<Result> results(static_cast<std::size_t>(callers));
    std::vector<std::thread> threads;
    for (int i = 0; i < callers; ++i)
        threads.emplace_back([&, i] {
            Result& r = results[static_cast<std::size_t>(i)];
            SingleFlight::Ticket t = sf.join(key);
            joined.fetch_add(1);
            if (t.leader()) {
                r.led = true;
                EXPECT_TRUE(eventually([&] { return joined.load() == callers; }));
                r.outcome = compute();
                t.complete(r.outcome);
                return;
            }
            const SingleFlight::Outcome* o = t.wait(kLongWait);
            if (!o) {
                r.timedOut = true;
                return;
            }
            r.outcome = *o;
        });
    for (auto& t : threads) t.join();
    return results;
}

TEST(SingleFlight, FirstJoinLeadsLaterJoinsOfTheSameKeyFollow) {
    SingleFlight sf;
    SingleFlight::Ticket leader = sf.join("a");
    EXPECT_TRUE(leader.leader());
    EXPECT_EQ(sf.inFlight(), 1u);
    {
        SingleFlight::Ticket follower = sf.join("a");
        EXPECT_FALSE(follower.leader());
        SingleFlight::Ticket other = sf.join("b");  // another key: its own flight
        EXPECT_TRUE(other.leader());
        EXPECT_EQ(sf.inFlight(), 2u);
        other.complete({VALORY_OK, {}, "b", 0});
        EXPECT_EQ(sf.inFlight(), 1u);
    }
    leader.complete({VALORY_OK, {}, "a", 0});
    EXPECT_EQ(sf.inFlight(), 0u);
}

TEST(SingleFlight, ConcurrentCallersComputeOnceAndAllGetTheValue) {
    SingleFlight sf;
    std::atomic<int> computes{0};
    const auto results = concurrentCalls(sf, "k", 8, [&] {
        computes.fetch_add(1);
        return SingleFlight::Outcome{VALORY_OK, {}, "value", 3};
    });
    EXPECT_EQ(computes.load(), 1);
    int leaders = 0;
    for (const auto& r : results) {
        leaders += r.led ? 1 : 0;
        EXPECT_FALSE(r.timedOut);
        EXPECT_EQ(r.outcome.status, VALORY_OK);
        EXPECT_EQ(r.outcome.value, "value");
        EXPECT_EQ(r.outcome.flags, 3u);
    }
    EXPECT_EQ(leaders, 1);
    EXPECT_EQ(sf.inFlight(), 0u);
}

TEST(SingleFlight, AnErrorReachesEveryWaiter) {
    SingleFlight sf;
    std::atomic<int> computes{0};
    const auto results = concurrentCalls(sf, "k", 5, [&] {
        computes.fetch_add(1);
        return SingleFlight::Outcome{VALORY_ERR_UNAVAILABLE, "upstream down", {}, 0};
    });
    EXPECT_EQ(computes.load(), 1);
    for (const auto& r : results) {
        EXPECT_FALSE(r.timedOut);
        EXPECT_EQ(r.outcome.status, VALORY_ERR_UNAVAILABLE);
        EXPECT_EQ(r.outcome.message, "upstream down");
        EXPECT_TRUE(r.outcome.value.empty());
    }
    EXPECT_EQ(sf.inFlight(), 0u);
}

TEST(SingleFlight, ACallAfterCompletionLeadsANewFlight) {
    SingleFlight sf;
    std::atomic<int> computes{0};
    auto compute = [&] {
        const int n = computes.fetch_add(1) + 1;
        return SingleFlight::Outcome{VALORY_OK, {}, "v" + std::to_string(n), 0};
    };
    auto first = concurrentCalls(sf, "k", 3, compute);
    auto second = concurrentCalls(sf, "k", 3, compute);
    EXPECT_EQ(computes.load(), 2);
    for (const auto& r : first) EXPECT_EQ(r.outcome.value, "v1");
    for (const auto& r : second) EXPECT_EQ(r.outcome.value, "v2");

    SingleFlight::Ticket alone = sf.join("k");  // nobody in flight: leads again
    EXPECT_TRUE(alone.leader());
    alone.complete({VALORY_OK, {}, "v3", 0});
}

TEST(SingleFlight, AFollowerStopsWaitingAfterItsTimeoutAndTheFlightGoesOn) {
    SingleFlight sf;
    SingleFlight::Ticket leader = sf.join("k");
    SingleFlight::Ticket follower = sf.join("k");
    ASSERT_FALSE(follower.leader());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(follower.wait(20ms), nullptr);  // leader never completed in time
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
    EXPECT_EQ(sf.inFlight(), 1u);  // the timeout did not end the flight

    SingleFlight::Ticket late = sf.join("k");
    ASSERT_FALSE(late.leader());
    std::thread completer([&] { leader.complete({VALORY_OK, {}, "done", 0}); });
    const SingleFlight::Outcome* o = late.wait(kLongWait);
    completer.join();
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->value, "done");
    // The timed-out follower may still read the outcome once it is there.
    const SingleFlight::Outcome* again = follower.wait(0ms);
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->value, "done");
}

TEST(SingleFlight, ALeaderThatNeverCompletesReleasesItsFollowersWithAnError) {
    SingleFlight sf;
    std::optional<SingleFlight::Ticket> leader(sf.join("k"));
    SingleFlight::Ticket follower = sf.join("k");
    ASSERT_TRUE(leader->leader());
    std::thread dropper([&] { leader.reset(); });  // e.g. the compute threw
    const SingleFlight::Outcome* o = follower.wait(kLongWait);
    dropper.join();
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->status, VALORY_ERR_INTERNAL);
    EXPECT_EQ(o->message, "the computing caller failed unexpectedly");
    EXPECT_EQ(sf.inFlight(), 0u);
}

TEST(SingleFlight, AMovedTicketCompletesOnce) {
    SingleFlight sf;
    SingleFlight::Ticket a = sf.join("k");
    SingleFlight::Ticket b(std::move(a));
    EXPECT_TRUE(b.leader());
    EXPECT_FALSE(a.leader());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    SingleFlight::Ticket follower = sf.join("k");
    b.complete({VALORY_OK, {}, "x", 0});
    b.complete({VALORY_ERR_INTERNAL, "ignored", {}, 0});  // a second complete() is a no-op
    const SingleFlight::Outcome* o = follower.wait(kLongWait);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->status, VALORY_OK);
    EXPECT_EQ(o->value, "x");
}

}  // namespace
