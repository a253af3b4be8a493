// config/demo.jsonc as the README run command uses it (its PostgreSQL is the test's database, the
// cache runs L1 only): the demo streamer is seeded with the fixed overlay id, the public overlay
// answers at once, and logging in through the fake Twitch lands on that same overlay.
#include "overlays_stack.hpp"

using namespace valory::it;
using namespace valory::it::overlays;

namespace {
const std::string kDemoOverlay = "de30de30-0000-4000-8000-000000000001";
}

TEST(OverlaysDemo, DemoProfileServesTheSeededStreamer) {
    valory::fakes::testing::ServerProcess fake(VALORY_FAKE_BIN, {"--seed", VALORY_FAKE_SEED});
    const std::string dsn = valory::plugins::persistence::test::testDatabase("ovl_demo");
    std::ifstream in(std::string(VALORY_SOURCE_DIR) + "/config/demo.jsonc");
    ASSERT_TRUE(in.good());
    json cfg = json::parse(in, nullptr, true, /*ignore_comments=*/true);
    Host host("ovl-demo");
    cfg["data_dir"] = (host.dir() / "data").string();
    cfg["plugin_path"] = json::array({VALORY_PLUGINS_DIR});
    cfg["server"]["port"] = 0;
    cfg["plugins"].erase("hello");
    cfg["plugins"]["cache"]["settings"]["url"] = "";
    for (auto& [id, p] : cfg["plugins"].items()) {
        if (!p.contains("settings")) continue;
        for (auto& [k, v] : p["settings"].items())
            if (v.is_object() && v.contains("file"))
                v["file"] = std::string(VALORY_SOURCE_DIR) + "/config/" + v["file"].get<std::string>();
    }
    std::ofstream(host.config()) << cfg.dump(2);
    ::setenv("VALORY_PG_DSN", dsn.c_str(), 1);
    ::setenv("VALORY_FAKE_UPSTREAMS_URL", fake.baseUrl().c_str(), 1);
    host.start();
    ASSERT_TRUE(host.waitReady(60s)) << host.log();

    Reply pub = call(host.port(), "GET", "/api/overlay/" + kDemoOverlay);
    ASSERT_EQ(pub.status, 200) << pub.body << host.log();
    EXPECT_EQ(pub.json()["riot_id"], "MAGICX#1337");
    EXPECT_EQ(pub.json()["id"], kDemoOverlay);

    Browser b(host.port());
    Reply start = b.get("/api/auth/login/twitch");
    ASSERT_EQ(start.status, 302) << start.body;
    Poco::URI uri(start.header("location"));
    Reply consent = call(fake.port(), "GET", uri.getPathAndQuery());
    ASSERT_EQ(consent.status, 302) << consent.body;
    ASSERT_EQ(b.get(Poco::URI(consent.header("location")).getPathAndQuery()).status, 302);
    auto me = b.get("/api/users/me");
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.json()["username"], "magicx");
    EXPECT_EQ(me.json()["overlay_id"], kDemoOverlay);
    EXPECT_EQ(me.json()["riot_id"], "MAGICX#1337");
}
