#include "plugins/dependency_resolver.hpp"

#include <gtest/gtest.h>

using valory::host::DependencyResolver;
using valory::host::Manifest;

namespace {

Manifest plugin(const std::string& id, std::vector<std::string> requires_ = {},
                std::vector<std::string> provides = {}, std::vector<std::string> optional = {}) {
    Manifest m;
    m.id = id;
    m.version = "1.0.0";
    m.abiMajor = 1;
    for (const auto& r : requires_) m.requires_.push_back({r, 1, 0});
    for (const auto& o : optional) m.optional.push_back({o, 1, 0});
    for (const auto& p : provides) m.provides.push_back({p, 1, 0});
    return m;
}

std::vector<const Manifest*> ptrs(const std::vector<Manifest>& ms) {
    std::vector<const Manifest*> out;
    for (const auto& m : ms) out.push_back(&m);
    return out;
}

}  // namespace

TEST(DependencyResolver, OrdersProvidersFirst) {
    std::vector<Manifest> ms = {plugin("overlays", {"sql", "riot"}),
                                plugin("riot", {"http.client"}, {"riot"}), plugin("persistence", {}, {"sql"}),
                                plugin("monitoring")};
    DependencyResolver r;
    r.addHostService("http.client", 1, 0);
    auto res = r.resolve(ptrs(ms));
    EXPECT_TRUE(res.refused.empty());
    std::vector<std::string> expected = {"monitoring", "persistence", "riot", "overlays"};
    EXPECT_EQ(res.order, expected);
    EXPECT_EQ(res.providerOf["http.client/1"], "host");
}

TEST(DependencyResolver, MissingRequiredServiceRefusesTransitively) {
    std::vector<Manifest> ms = {plugin("a", {"missing"}, {"a"}), plugin("b", {"a"}), plugin("c")};
    auto res = DependencyResolver().resolve(ptrs(ms));
    EXPECT_EQ(res.refused["a"], "requires service 'missing/1', which no enabled plugin provides");
    EXPECT_EQ(res.refused["b"], "requires 'a/1' from plugin 'a', which was refused");
    EXPECT_EQ(res.order, std::vector<std::string>{"c"});
}

TEST(DependencyResolver, OptionalDependencyOrdersButDoesNotRequire) {
    std::vector<Manifest> ms = {plugin("app", {}, {}, {"cache", "absent"}), plugin("cache", {}, {"cache"})};
    auto res = DependencyResolver().resolve(ptrs(ms));
    EXPECT_TRUE(res.refused.empty());
    EXPECT_EQ(res.order, (std::vector<std::string>{"cache", "app"}));
}

TEST(DependencyResolver, CycleIsRefusedWithItsPath) {
    std::vector<Manifest> ms = {plugin("a", {"b"}, {"a"}), plugin("b", {"a"}, {"b"}), plugin("c", {"a"}),
                                plugin("d")};
    auto res = DependencyResolver().resolve(ptrs(ms));
    EXPECT_EQ(res.refused["a"], "dependency cycle: a -> b -> a");
    EXPECT_EQ(res.refused["b"], "dependency cycle: a -> b -> a");
    EXPECT_EQ(res.refused["c"], "depends on plugin 'a', which was refused");
    EXPECT_EQ(res.order, std::vector<std::string>{"d"});
}

TEST(DependencyResolver, MinorTooOld) {
    std::vector<Manifest> ms = {plugin("p", {}, {"svc"}), plugin("q")};
    ms[1].requires_.push_back({"svc", 1, 3});
    auto res = DependencyResolver().resolve(ptrs(ms));
    EXPECT_EQ(res.refused["q"], "requires 'svc/1' minor >= 3, plugin 'p' provides svc/1.0");
}

TEST(DependencyResolver, DuplicateProviderRefused) {
    std::vector<Manifest> ms = {plugin("a", {}, {"svc"}), plugin("b", {}, {"svc"})};
    auto res = DependencyResolver().resolve(ptrs(ms));
    EXPECT_EQ(res.refused["b"], "provides 'svc/1', also provided by plugin 'a'");
    EXPECT_EQ(res.order, std::vector<std::string>{"a"});
}

TEST(DependencyResolver, ProviderRefusedEarlierIsNamed) {
    Manifest refused = plugin("persistence", {}, {"sql"});
    std::vector<Manifest> ms = {plugin("overlays", {"sql"})};
    auto res = DependencyResolver().resolve(ptrs(ms), {{"persistence", &refused}});
    EXPECT_EQ(res.refused["overlays"], "requires 'sql/1' from plugin 'persistence', which was refused");
}

TEST(DependencyResolver, OptionalDependencyOnACycleStartsWithoutIt) {
    std::vector<Manifest> ms = {plugin("a", {"b"}, {"a"}), plugin("b", {"a"}, {"b"}),
                                plugin("c", {}, {}, {"a"})};
    auto res = DependencyResolver().resolve(ptrs(ms));
    EXPECT_EQ(res.refused.count("c"), 0u);
    EXPECT_EQ(res.order, std::vector<std::string>{"c"});
}
