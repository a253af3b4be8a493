// With cache/1 (L1 + Redis) on two hosts sharing PostgreSQL and Redis: the public overlay is
// served from cache, and a settings change is visible on the next request on every host (the
// changed overlay's exact key is evicted; other overlays stay cached).
#include "overlays_stack.hpp"

#include <chrono>
#include <functional>
#include <thread>

using namespace valory::it;
using namespace valory::it::overlays;

namespace {
// Another host's L1 copy is evicted by cache/1's Redis invalidation message, which travels
// asynchronously: wait for it (bounded), instead of racing it on a loaded machine.
nlohmann::json eventually(const std::function<nlohmann::json()>& read, const nlohmann::json& want) {
    nlohmann::json got;
    for (int i = 0; i < 100; ++i) {
        got = read();
        if (got == want) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return got;
}
}  // namespace

TEST(OverlaysCache, ChangeIsVisibleOnTheNextRequestOnEveryHost) {
    StackOptions o;
    o.cache = true;
    Stack stack("cache2hosts", o);
    stack.startHost("a");
    stack.startHost("b");
    Browser alice(stack.port(0));
    ASSERT_EQ(stack.login(alice, "magicx").status, 302);
    Browser bob(stack.port(0));
    ASSERT_EQ(stack.login(bob, "nrk_plays").status, 302);
    const std::string idA = alice.get("/api/users/me").json()["overlay_id"];
    const std::string idB = bob.get("/api/users/me").json()["overlay_id"];

    // warm both hosts' caches
    for (int h = 0; h < 2; ++h) {
        ASSERT_EQ(call(stack.port(h), "GET", "/api/overlay/" + idA).json()["win_color"], "#00FFE3");
        ASSERT_EQ(call(stack.port(h), "GET", "/api/overlay/" + idB).json()["win_color"], "#00FFE3");
    }
    // served from the cache: a row changed behind the plugin's back is not seen...
    stack.sql("UPDATE overlays SET lose_color = '#111111' WHERE id = '" + idB + "'");
    for (int h = 0; h < 2; ++h)
        EXPECT_EQ(call(stack.port(h), "GET", "/api/overlay/" + idB).json()["lose_color"], "#FF7986")
            << "host " << h << " did not serve the cached document";

    // ...but a change through the API is seen at once on both hosts
    ASSERT_EQ(alice.post("/api/users/me/overlay", R"({"winColor": "#ABCDEF"})").status, 200);
    for (int h = 0; h < 2; ++h)
        EXPECT_EQ(
            eventually([&] { return call(stack.port(h), "GET", "/api/overlay/" + idA).json()["win_color"]; },
                       "#ABCDEF"),
            "#ABCDEF")
            << "host " << h;
    // exact-key eviction: bob's overlay is still the cached document (no prefix wipe)
    EXPECT_EQ(call(stack.port(1), "GET", "/api/overlay/" + idB).json()["lose_color"], "#FF7986");

    // a Riot ID change is part of the document too
    Browser alice2(stack.port(1));
    alice2.setCookie("Authorization", alice.cookie("Authorization"));  // the session works on every host
    ASSERT_EQ(alice2.post("/api/users/me/riotid", R"({"riot_id": "MAGICX#1337"})").status, 200);
    EXPECT_EQ(eventually([&] { return call(stack.port(0), "GET", "/api/overlay/" + idA).json()["riot_id"]; },
                         "MAGICX#1337"),
              "MAGICX#1337");

    Reply ping = call(stack.port(0), "GET", "/api/utils/ping");
    EXPECT_EQ(ping.json()["redis_connected"], true) << ping.body;
    EXPECT_EQ(call(stack.port(0), "GET", "/api/utils/health").json()["checks"]["cache"], "ok");
}

TEST(OverlaysCache, LogoutOnOneHostEndsTheSessionOnAll) {
    StackOptions o;
    o.cache = true;
    Stack stack("cachelogout", o);
    stack.startHost("a");
    stack.startHost("b");
    Browser b(stack.port(0));
    ASSERT_EQ(stack.login(b, "magicx").status, 302);
    Browser other(stack.port(1));
    other.setCookie("Authorization", b.cookie("Authorization"));
    ASSERT_EQ(other.get("/api/users/me").status, 200);
    ASSERT_EQ(b.post("/api/auth/logout", "").status, 200);
    EXPECT_EQ(other.get("/api/users/me").status, 401);
}
