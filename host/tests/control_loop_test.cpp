// The control thread's queue: tasks run one at a time on the running thread, callers get results,
// and callers waiting at shutdown are released (not left hanging).
#include "admin_api.hpp"
#include "control_loop.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using valory::host::AdminApi;
using valory::host::ControlLoop;

TEST(ControlLoop, RunsTasksOnTheLoopThreadOneAtATime) {
    ControlLoop loop;
    std::thread::id loopThread;
    std::atomic<int> running{0}, maxRunning{0};
    std::thread runner([&] {
        loopThread = std::this_thread::get_id();
        loop.run();
    });
    std::vector<std::thread> callers;
    std::atomic<int> sum{0};
    for (int i = 1; i <= 8; ++i)
        callers.emplace_back([&, i] {
            auto r = loop.call<int>([&, i] {
                const int now = running.fetch_add(1) + 1;
                int seen = maxRunning.load();
                while (now > seen && !maxRunning.compare_exchange_weak(seen, now)) {
                }
                EXPECT_EQ(std::this_thread::get_id(), loopThread);
                running.fetch_sub(1);
                return i;
            });
            ASSERT_TRUE(r.has_value());
            sum += *r;
        });
    for (auto& c : callers) c.join();
    EXPECT_EQ(sum.load(), 36);
    EXPECT_EQ(maxRunning.load(), 1);
    loop.requestStop("test");
    runner.join();
    EXPECT_EQ(loop.stopReason(), "test");
    EXPECT_FALSE(loop.post([] {}));
    EXPECT_FALSE(loop.call<int>([] { return 1; }).has_value());
}

TEST(ControlLoop, CallersQueuedAtShutdownGetNoResult) {
    ControlLoop loop;
    std::atomic<bool> release{false};
    std::thread runner([&] { loop.run(); });
    // The first task blocks the loop; the second is still queued when the loop stops.
    loop.post([&] {
        while (!release.load()) std::this_thread::yield();
    });
    std::optional<int> queued = 42;
    std::thread caller([&] { queued = loop.call<int>([] { return 7; }); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    loop.requestStop("SIGTERM");
    release = true;
    runner.join();
    caller.join();
    EXPECT_FALSE(queued.has_value());
}

TEST(AdminApi, ConstantTimeEqualsComparesWholeStrings) {
    EXPECT_TRUE(AdminApi::constantTimeEquals("secret-token", "secret-token"));
    EXPECT_FALSE(AdminApi::constantTimeEquals("secret-token", "secret-tokeN"));
    EXPECT_FALSE(AdminApi::constantTimeEquals("secret-token", "secret-token2"));
    EXPECT_FALSE(AdminApi::constantTimeEquals("secret-token", "secret"));
    EXPECT_FALSE(AdminApi::constantTimeEquals("", "x"));
    EXPECT_TRUE(AdminApi::constantTimeEquals("", ""));
}
