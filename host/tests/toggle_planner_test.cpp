// The run-time toggle planner: stop/start order, consumers first, refusals with their reasons.
#include "plugins/toggle_planner.hpp"

#include <gtest/gtest.h>

using valory::host::PlanInput;
using valory::host::PlanNode;
using valory::host::planToggle;

namespace {

using Ids = std::vector<std::string>;

/// persistence (sql/1) <- overlays (requires sql/1, optional cache/1) ; cache (cache/1, optional sql/1)
/// ; riot requires http.client/1 (host) ; monitoring on its own. All running.
PlanInput deployment() {
    PlanInput in;
    in.hostServices = {"http.client/1"};
    in.nodes = {
        PlanNode{"cache", {}, {"sql/1"}, {"cache/1"}, true},
        PlanNode{"monitoring", {}, {}, {}, true},
        PlanNode{"overlays", {"sql/1", "riot/1"}, {"cache/1"}, {}, true},
        PlanNode{"persistence", {}, {}, {"sql/1"}, true},
        PlanNode{"riot", {"http.client/1"}, {}, {"riot/1"}, true},
    };
    for (const auto& n : in.nodes) in.desired.insert(n.id);
    return in;
}

}  // namespace

TEST(TogglePlanner, NoChangeStopsAndStartsNothing) {
    auto plan = planToggle(deployment());
    ASSERT_TRUE(plan.ok());
    EXPECT_TRUE(plan.stop.empty());
    EXPECT_TRUE(plan.start.empty());
}

TEST(TogglePlanner, DisablingAProviderWithARequiredDependentIsRefusedWithTheReason) {
    auto in = deployment();
    in.desired.erase("persistence");
    auto plan = planToggle(in);
    ASSERT_FALSE(plan.ok());
    ASSERT_EQ(plan.refusals.size(), 1u);
    EXPECT_EQ(plan.refusals[0],
              "cannot disable 'persistence': 'overlays' requires its service 'sql/1' and stays enabled; "
              "disable 'overlays' as well, or keep 'persistence' enabled");
    EXPECT_TRUE(plan.stop.empty());
}

TEST(TogglePlanner, DisablingAProviderStopsConsumersFirstAndRestartsOptionalOnes) {
    auto in = deployment();
    in.desired.erase("cache");
    auto plan = planToggle(in);
    ASSERT_TRUE(plan.ok()) << plan.refusals[0];
    // overlays holds cache/1 (optional): it stops before cache and starts again without it.
    EXPECT_EQ(plan.stop, (Ids{"overlays", "cache"}));
    EXPECT_EQ(plan.disable, (Ids{"cache"}));
    EXPECT_EQ(plan.start, (Ids{"overlays"}));
}

TEST(TogglePlanner, DisablingAProviderTogetherWithItsDependentStopsBoth) {
    auto in = deployment();
    in.desired.erase("persistence");
    in.desired.erase("overlays");
    auto plan = planToggle(in);
    ASSERT_TRUE(plan.ok()) << plan.refusals[0];
    // cache uses sql/1 optionally: stopped before persistence, started again without it.
    EXPECT_EQ(plan.stop, (Ids{"overlays", "cache", "persistence"}));
    EXPECT_EQ(plan.disable, (Ids{"overlays", "persistence"}));
    EXPECT_EQ(plan.start, (Ids{"cache"}));
}

TEST(TogglePlanner, RestartingAProviderRestartsItsConsumersTransitively) {
    auto in = deployment();
    in.restart = {"persistence"};
    auto plan = planToggle(in);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.stop, (Ids{"overlays", "cache", "persistence"}));
    EXPECT_TRUE(plan.disable.empty());
    EXPECT_EQ(plan.start, (Ids{"persistence", "cache", "overlays"}));
}

TEST(TogglePlanner, RestartingALeafTouchesOnlyIt) {
    auto in = deployment();
    in.restart = {"monitoring"};
    auto plan = planToggle(in);
    EXPECT_EQ(plan.stop, (Ids{"monitoring"}));
    EXPECT_EQ(plan.start, (Ids{"monitoring"}));
}

TEST(TogglePlanner, EnablingAProviderRestartsItsRunningOptionalConsumers) {
    auto in = deployment();
    in.nodes[0].running = false;  // cache is off
    in.desired.insert("cache");
    in.startable = {"cache"};
    auto plan = planToggle(in);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.stop, (Ids{"overlays"}));
    EXPECT_EQ(plan.start, (Ids{"cache", "overlays"}));
}

TEST(TogglePlanner, EnablingAConsumerWithoutItsProviderIsRefused) {
    auto in = deployment();
    for (auto& n : in.nodes)
        if (n.id == "overlays" || n.id == "persistence") n.running = false;
    in.desired.erase("persistence");
    in.startable = {"overlays"};
    auto plan = planToggle(in);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.refusals[0],
              "'overlays' requires 'sql/1' from 'persistence', which is not enabled; enable 'persistence' as "
              "well");
}

TEST(TogglePlanner, EnablingBothAtOnceStartsProviderFirst) {
    auto in = deployment();
    for (auto& n : in.nodes)
        if (n.id == "overlays" || n.id == "persistence") n.running = false;
    in.startable = {"overlays", "persistence"};
    auto plan = planToggle(in);
    ASSERT_TRUE(plan.ok()) << plan.refusals[0];
    // cache lists sql/1 as optional: restarted after persistence is back.
    EXPECT_EQ(plan.stop, (Ids{"cache"}));
    EXPECT_EQ(plan.start, (Ids{"persistence", "cache", "overlays"}));
}

TEST(TogglePlanner, DesiredButNotStartableFailedPluginIsLeftAlone) {
    auto in = deployment();
    for (auto& n : in.nodes)
        if (n.id == "monitoring") n.running = false;  // failed at start-up, still enabled
    in.restart = {"riot"};
    auto plan = planToggle(in);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan.stop, (Ids{"overlays", "riot"}));
    EXPECT_EQ(plan.start, (Ids{"riot", "overlays"}));
}

TEST(TogglePlanner, TwoProvidersOfOneServiceAreRefused) {
    auto in = deployment();
    in.nodes.push_back(PlanNode{"persistence2", {}, {}, {"sql/1"}, false});
    in.desired.insert("persistence2");
    in.startable = {"persistence2"};
    auto plan = planToggle(in);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(
        plan.refusals[0],
        "service 'sql/1' would be provided by both 'persistence' and 'persistence2'; enable only one of "
        "them");
}

TEST(TogglePlanner, CyclesAreRefused) {
    PlanInput in;
    in.nodes = {PlanNode{"a", {"b/1"}, {}, {"a/1"}, false}, PlanNode{"b", {"a/1"}, {}, {"b/1"}, false}};
    in.desired = {"a", "b"};
    in.startable = {"a", "b"};
    auto plan = planToggle(in);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.refusals[0], "dependency cycle among: a, b");
}

TEST(TogglePlanner, UnknownPluginIsRefused) {
    auto in = deployment();
    in.desired.insert("nope");
    auto plan = planToggle(in);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.refusals[0], "plugin 'nope' is not known (no readable manifest)");
}
