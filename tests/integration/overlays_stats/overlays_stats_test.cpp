// Rank data, sessions, showcase, chat and the cluster-wide job lock through the real valory-host
// (persistence, twitch, riot, overlays, chat) with a real PostgreSQL database per test and the
// fake Twitch/HenrikDev process. Streamers and overlays are seeded straight into the database.
#include <gtest/gtest.h>

#include <Poco/TemporaryFile.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "pg_test_support.hpp"
#include "valory_fakes/fake_process.hpp"

using namespace valory::fakes::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

const std::string kClientId = "valorydemoclientid00000000000";
const std::string kSecret = "valorydemosecret0000000000000";
const std::string kKey = "HDEV-00000000-0000-4000-8000-00000000demo";

std::string tempDir() {
    Poco::TemporaryFile dir;
    dir.keepUntilExit();
    dir.createDirectories();
    return dir.path();
}

template <class P>
bool waitUntil(P pred, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(100ms);
    }
    return true;
}

class OverlaysStats : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { fake_ = new ServerProcess(VALORY_FAKE_BIN, {"--seed", VALORY_FAKE_SEED}); }
    static void TearDownTestSuite() {
        delete fake_;
        fake_ = nullptr;
    }
    void SetUp() override {
        control().reset();
        control().post("ratelimit", {{"service", "henrik"}, {"limit", 100000}, {"window_s", 60}});
        const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dsn_ = valory::plugins::persistence::test::testDatabase("ovs_" + std::to_string(++seq_));
        (void)name;
    }
    void TearDown() override { hosts_.clear(); }

    static FakeControl control() { return FakeControl(fake_->port()); }

    /// Starts one more host on the test's database; `overlays` settings are merged in.
    ServerProcess& startHost(const json& overlays = json::object(), const json& chat = json::object()) {
        const std::string dir = tempDir(), fake = fake_->baseUrl();
        json ov = {
            {"session_secret", {{"env", "VALORY_TEST_SESSION_SECRET"}}},
            {"cookie_secure", false},
            {"stats_refresh_s", 1},
            {"showcase_logins", {"MagicX", "NRK_PLAYS", "cafecreme", "radiantqueen", "nosuchstreamer"}}};
        for (auto& [k, v] : overlays.items()) ov[k] = v;
        json cfg = {{"server", {{"host", "127.0.0.1"}, {"port", 0}, {"threads", 160}, {"max_queued", 512}}},
                    {"plugin_path", {VALORY_PLUGINS_DIR}},
                    {"data_dir", dir + "/data"},
                    {"logging", {{"level", "warning"}}},
                    {"http_client", {{"max_attempts", 2}, {"backoff_base_ms", 50}, {"backoff_cap_ms", 200}}},
                    {"plugins",
                     {{"persistence", {{"settings", {{"dsn", dsn_}, {"pool_size", 8}}}}},
                      {"twitch",
                       {{"settings",
                         {{"client_id", kClientId},
                          {"client_secret", {{"env", "VALORY_TEST_TWITCH_SECRET"}}},
                          {"id_base_url", fake + "/oauth2"},
                          {"helix_base_url", fake + "/helix"},
                          {"redirect_uri", "http://localhost:8080/api/auth/callback"},
                          {"deadline_ms", 5000}}}}},
                      {"riot",
                       {{"settings",
                         {{"base_url", fake + "/valorant"},
                          {"api_key", {{"env", "VALORY_TEST_HENRIK_KEY"}}},
                          {"deadline_ms", 3000},
                          {"rank_ttl_s", 1},
                          {"matches_ttl_s", 1}}}}},
                      {"overlays", {{"settings", ov}}},
                      {"chat", {{"settings", chat}}}}}};
        const std::string path = dir + "/valory.jsonc";
        std::ofstream(path) << "// written by overlays_stats_test\n" << cfg.dump(2);
        hosts_.push_back(std::make_unique<ServerProcess>(
            VALORY_HOST_BIN, std::vector<std::string>{"--config", path, "--port", "0"}, false,
            std::map<std::string, std::string>{{"VALORY_TEST_TWITCH_SECRET", kSecret},
                                               {"VALORY_TEST_HENRIK_KEY", kKey},
                                               {"VALORY_TEST_SESSION_SECRET", std::string(40, 's')}}));
        return *hosts_.back();
    }

    /// A streamer with an overlay; returns the overlay id.
    std::string seedStreamer(const std::string& login, const std::string& twitchId,
                             const std::string& riotId) {
        pqxx::connection c(dsn_);
        pqxx::work w(c);
        auto u = w.exec_params1(
            "INSERT INTO users (username, twitch_id, riot_id) VALUES ($1, $2, NULLIF($3, '')) RETURNING id",
            login, twitchId, riotId);
        auto o =
            w.exec_params1("INSERT INTO overlays (user_id) VALUES ($1) RETURNING id::text", u[0].as<int>());
        w.commit();
        return o[0].as<std::string>();
    }
    /// A HenrikDev player of our own, so tests do not share matches.
    static void seedPlayer(const std::string& name, const std::string& tag, int tier, int rr) {
        control().post("seed?merge=1",
                       {{"henrik",
                         {{"players",
                           {{{"name", name},
                             {"tag", tag},
                             {"account_level", 77},
                             {"mmr",
                              {{"tier", tier},
                               {"rr", rr},
                               {"last_change", 12},
                               {"peak", {{"tier", tier + 1}, {"rr", 10}, {"season", "e9a3"}}},
                               {"seasonal", {{{"season", "e10a5"}, {"wins", 6}, {"games", 10}}}}}},
                             {"matches", json::array()}}}}}}});
    }
    SimpleResponse get(const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& h = {}, size_t host = 0) {
        return simpleCall(hosts_.at(host)->port(), "GET", target, {}, h);
    }

    static ServerProcess* fake_;
    static int seq_;
    std::string dsn_;
    std::vector<std::unique_ptr<ServerProcess>> hosts_;
};
ServerProcess* OverlaysStats::fake_ = nullptr;
int OverlaysStats::seq_ = 0;

TEST_F(OverlaysStats, StatsAnswerWithEtagAnd304AndValidateTheId) {
    seedPlayer("Etag Player", "ET1", 18, 40);
    startHost();
    const auto id = seedStreamer("etagger", "90001", "Etag Player#ET1");
    auto r = get("/api/overlay/" + id + "/stats");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto s = r.json();
    EXPECT_EQ(s["status"], "ok");
    EXPECT_EQ(s["riot_id"], "Etag Player#ET1");
    EXPECT_EQ(s["tier"], (json{{"id", 18}, {"name", "Diamond 1"}}));
    EXPECT_EQ(s["rr"], 40);
    EXPECT_EQ(s["last_change"], 12);
    EXPECT_EQ(s["level"], 77);
    EXPECT_EQ(s["peak"]["tier"]["id"], 19);
    EXPECT_EQ(s["season_winrate"], 60);
    EXPECT_FALSE(s["stale"].get<bool>());
    EXPECT_TRUE(s["updated_at"].is_string());
    const std::string etag = r.headers.get("ETag", "");
    ASSERT_FALSE(etag.empty());
    auto again = get("/api/overlay/" + id + "/stats", {{"If-None-Match", etag}});
    // the snapshot may have been rebuilt (1 s interval): then a new tag, else 304
    if (again.status == 304) {
        EXPECT_TRUE(again.body.empty());
    } else {
        EXPECT_EQ(again.status, 200);
        EXPECT_NE(again.headers.get("ETag", ""), etag);
    }
    EXPECT_EQ(get("/api/overlay/not-a-uuid/stats").status, 422);
    auto bad = get("/api/overlay/not-a-uuid/stats").json();
    EXPECT_EQ(bad["detail"][0]["loc"][1], "overlay_id");
    auto missing = get("/api/overlay/00000000-0000-4000-8000-000000000000/stats");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.json()["detail"], "Overlay not found");
    // an overlay without a Riot ID is a document, not an error
    const auto unlinked = seedStreamer("unlinked", "90002", "");
    EXPECT_EQ(get("/api/overlay/" + unlinked + "/stats").json()["status"], "unlinked");
}

TEST_F(OverlaysStats, WonAndLostMatchesMoveTheSessionCounters) {
    seedPlayer("Session Player", "SP1", 14, 50);
    startHost();
    const auto id = seedStreamer("sessioner", "90003", "Session Player#SP1");
    auto first = get("/api/overlay/" + id + "/stats").json();
    EXPECT_EQ(first["session"]["wins"], 0);
    EXPECT_EQ(first["session"]["since"], "none");  // no recent match: no session running

    control().post("match", {{"name", "Session Player"}, {"tag", "SP1"}, {"result", "win"}});
    json s;
    ASSERT_TRUE(waitUntil([&] {
        s = get("/api/overlay/" + id + "/stats").json();
        return s["session"]["wins"] == 1;
    })) << s.dump();
    EXPECT_EQ(s["session"]["losses"], 0);
    EXPECT_EQ(s["session"]["since"], "idle_gap");
    EXPECT_EQ(s["rr"], 70);
    EXPECT_EQ(s["last_five"], json::array({"win"}));

    control().post("match", {{"name", "Session Player"}, {"tag", "SP1"}, {"result", "loss"}});
    ASSERT_TRUE(waitUntil([&] {
        s = get("/api/overlay/" + id + "/stats").json();
        return s["session"]["losses"] == 1;
    })) << s.dump();
    EXPECT_EQ(s["session"]["wins"], 1);
    EXPECT_EQ(s["rr"], 52);
    EXPECT_EQ(s["last_change"], -18);
    EXPECT_EQ(s["last_five"], (json{"loss", "win"}));
    // the chat line reads the same numbers through overlays/1
    auto chat = get("/api/chat/Sessioner");
    EXPECT_EQ(chat.status, 200);
    EXPECT_EQ(chat.headers.getContentType(), "text/plain; charset=utf-8");
    EXPECT_EQ(chat.body, "Gold 3 · 52 RR · today 1W 1L");
}

TEST_F(OverlaysStats, LiveStreamStartsTheSession) {
    seedPlayer("Live Player", "LP1", 9, 10);
    control().post("seed?merge=1", {{"twitch", {{"users", {{{"id", "90004"}, {"login", "liveplayer"}}}}}}});
    startHost();
    const auto id = seedStreamer("liveplayer", "90004", "Live Player#LP1");
    // a win an hour ago belongs to the idle-gap session...
    const auto hourAgo = std::chrono::duration_cast<std::chrono::seconds>(
                             (std::chrono::system_clock::now() - 1h).time_since_epoch())
                             .count();
    std::time_t t = static_cast<std::time_t>(hourAgo);
    char iso[40];
    std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
    control().post("match",
                   {{"name", "Live Player"}, {"tag", "LP1"}, {"result", "win"}, {"started_at", iso}});
    json s;
    ASSERT_TRUE(waitUntil([&] {
        s = get("/api/overlay/" + id + "/stats").json();
        return s["session"]["wins"] == 1;
    })) << s.dump();
    // ...until the stream goes live now: the session starts with the stream
    control().post("live", {{"login", "liveplayer"}, {"live", true}, {"viewer_count", 5}});
    ASSERT_TRUE(waitUntil([&] {
        s = get("/api/overlay/" + id + "/stats").json();
        return s["session"]["since"] == "stream";
    })) << s.dump();
    EXPECT_EQ(s["session"]["wins"], 0);
    control().post("match", {{"name", "Live Player"}, {"tag", "LP1"}, {"result", "draw"}});
    ASSERT_TRUE(waitUntil([&] {
        s = get("/api/overlay/" + id + "/stats").json();
        return s["session"]["draws"] == 1;
    })) << s.dump();
    EXPECT_EQ(s["session"]["wins"], 0);
    control().post("live", {{"login", "liveplayer"}, {"live", false}});
}

TEST_F(OverlaysStats, HenrikFailuresServeTheLastGoodValuesWithTheirAge) {
    seedPlayer("Fragile Player", "FP1", 21, 33);
    startHost();
    const auto id = seedStreamer("fragile", "90005", "Fragile Player#FP1");
    auto good = get("/api/overlay/" + id + "/stats").json();
    ASSERT_EQ(good["status"], "ok") << good.dump();
    for (const json& mode : {json{{"family", "henrik"}, {"mode", "5xx"}, {"status", 503}, {"count", -1}},
                             json{{"family", "henrik"}, {"mode", "429"}, {"reset_after_s", 5}, {"count", -1}},
                             json{{"family", "henrik"}, {"mode", "slow"}, {"slow_s", 6}, {"count", -1}}}) {
        control().mode(mode);
        json s;
        ASSERT_TRUE(waitUntil([&] {
            auto r = get("/api/overlay/" + id + "/stats");
            if (r.status != 200) return false;
            s = r.json();
            return s["stale"] == true;
        })) << mode.dump()
            << " " << s.dump();
        EXPECT_EQ(s["status"], "ok");
        EXPECT_EQ(s["rr"], 33);
        EXPECT_EQ(s["tier"]["id"], 21);
        EXPECT_TRUE(s["age_s"].is_number_integer());
        EXPECT_EQ(s["updated_at"], good["updated_at"]);
        control().mode({{"family", "henrik"}, {"mode", "normal"}});
        control().reset();
        control().post("ratelimit", {{"service", "henrik"}, {"limit", 100000}, {"window_s", 60}});
        ASSERT_TRUE(
            waitUntil([&] { return get("/api/overlay/" + id + "/stats").json()["stale"] == false; }, 40s));
        good = get("/api/overlay/" + id + "/stats").json();
    }
}

TEST_F(OverlaysStats, HundredConcurrentViewersCostOneUpstreamCall) {
    seedPlayer("Popular Player", "PP1", 24, 5);
    startHost({{"stats_refresh_s", 60}});
    const auto id = seedStreamer("popular", "90006", "Popular Player#PP1");
    control().reset();
    std::vector<std::thread> viewers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 100; ++i)
        viewers.emplace_back([&] {
            if (get("/api/overlay/" + id + "/stats").status == 200) ++ok;
        });
    for (auto& t : viewers) t.join();
    EXPECT_EQ(ok.load(), 100);
    const auto c = control().counters();
    EXPECT_EQ(c["families"].value("henrik_mmr", 0), 1) << c.dump();
    EXPECT_EQ(c["families"].value("henrik_account", 0), 1) << c.dump();
    EXPECT_EQ(c["families"].value("henrik_matches", 0), 1) << c.dump();
    std::printf("[ numbers  ] 100 concurrent viewers of one player -> %d MMR, %d account, %d matches calls\n",
                c["families"].value("henrik_mmr", 0), c["families"].value("henrik_account", 0),
                c["families"].value("henrik_matches", 0));
}

TEST_F(OverlaysStats, ShowcaseSortsFiltersMatchesCaseAndKeepsTheLastGoodList) {
    startHost();
    auto r = get("/api/streamers/");
    ASSERT_EQ(r.status, 200) << r.body;
    auto list = r.json();
    ASSERT_EQ(list.size(), 5u);
    std::vector<std::string> names;
    for (const auto& s : list) names.push_back(s["username"]);
    // live first by viewers (nrk_plays 5321, magicx 1490, radiantqueen 220), then offline
    EXPECT_EQ(names[0], "NRK_PLAYS");
    EXPECT_EQ(names[1], "MagicX");  // the configured spelling, matched case-insensitively
    EXPECT_EQ(names[2], "radiantqueen");
    EXPECT_EQ(list[1]["live"], true);
    EXPECT_EQ(list[1]["viewers"], 1490);
    EXPECT_TRUE(list[3]["viewers"].is_null());
    EXPECT_EQ(get("/api/streamers").status, 307);  // the original's canonical slash

    auto verified = get("/api/streamers/sorted?sort_by=username&sort_order=asc&verified_only=true").json();
    ASSERT_EQ(verified.size(), 2u);
    EXPECT_EQ(verified[0]["username"], "NRK_PLAYS");
    EXPECT_EQ(verified[1]["username"], "radiantqueen");
    EXPECT_EQ(get("/api/streamers/online?limit=2").json().size(), 2u);
    EXPECT_EQ(get("/api/streamers/top?by=viewers&limit=1").json()[0]["username"], "NRK_PLAYS");
    auto mixed = get("/api/streamers/mixed-sort?limit=20&verified_only=false&refresh_cache=false").json();
    EXPECT_EQ(mixed.size(), 5u);
    auto stats = get("/api/streamers/stats").json();
    EXPECT_EQ(stats["total_streamers"], 5);
    EXPECT_EQ(stats["online_streamers"], 3);
    EXPECT_EQ(stats["total_viewers"], 5321 + 1490 + 220);

    auto bad = get("/api/streamers/top?limit=51&by=age");
    EXPECT_EQ(bad.status, 422);
    std::set<std::string> fields;
    const json badBody = bad.json();
    for (const auto& d : badBody["detail"]) fields.insert(d["loc"][1].get<std::string>());
    EXPECT_EQ(fields, (std::set<std::string>{"limit", "by"})) << bad.body;

    // Twitch down: a forced refresh fails and the last good list is served
    control().mode({{"family", "helix"}, {"mode", "5xx"}, {"status", 503}, {"count", -1}});
    auto down = get("/api/streamers/?refresh_cache=true");
    ASSERT_EQ(down.status, 200) << down.body;
    EXPECT_EQ(down.json().size(), 5u);
    EXPECT_EQ(down.json()[0]["username"], "NRK_PLAYS");
    EXPECT_EQ(get("/api/streamers/stats?refresh_cache=true").json()["cache_refreshed"], false);
    control().mode({{"family", "helix"}, {"mode", "normal"}});
}

TEST_F(OverlaysStats, TwoHostsRunTheShowcaseJobOncePerInterval) {
    const json jobs = {{"showcase_refresh_s", 2}, {"showcase_jitter_s", 0}, {"stats_job_interval_s", 3600}};
    startHost(jobs);
    startHost(jobs);
    control().reset();
    ASSERT_TRUE(waitUntil([&] { return control().log("helix_streams").size() >= 4; }, 30s));
    const auto log = control().log("helix_streams");
    // every refresh is one /helix/streams request; no two runs closer than the claim allows
    // (80 % of the interval), although both hosts tick every 2 s
    for (size_t i = 1; i < log.size(); ++i) {
        const auto gap = log[i]["t_ms"].get<int64_t>() - log[i - 1]["t_ms"].get<int64_t>();
        EXPECT_GE(gap, 1500) << "runs " << i - 1 << " and " << i << " only " << gap << " ms apart";
    }
    pqxx::connection c(dsn_);
    pqxx::nontransaction w(c);
    EXPECT_EQ(w.exec1("SELECT count(*) FROM job_runs WHERE job = 'overlays.showcase.refresh'")[0].as<int>(),
              1);
    // both hosts serve the list the job stored
    EXPECT_EQ(get("/api/streamers/", {}, 1).json().size(), 5u);
}

TEST_F(OverlaysStats, RankRefreshJobOnlyForRecentlyAskedOverlays) {
    seedPlayer("Idle Player", "IP1", 12, 1);
    seedPlayer("Busy Player", "BP1", 13, 2);
    startHost({{"stats_job_interval_s", 1}, {"stats_demand_window_s", 60}});
    seedStreamer("idler", "90007", "Idle Player#IP1");
    const auto busy = seedStreamer("busy", "90008", "Busy Player#BP1");
    ASSERT_EQ(get("/api/overlay/" + busy + "/stats").status, 200);
    control().reset();
    // the job keeps the asked-for player fresh without any viewer request...
    ASSERT_TRUE(waitUntil([&] {
        for (const auto& e : control().log("henrik_mmr"))
            if (e["path"].get<std::string>().find("by-puuid") != std::string::npos) return true;
        return false;
    }));
    // ...and never asks HenrikDev about the idle one
    for (const auto& fam : {"henrik_account", "henrik_mmr", "henrik_matches"})
        for (const auto& e : control().log(fam))
            EXPECT_EQ(e["path"].get<std::string>().find("Idle"), std::string::npos) << e.dump();
}

}  // namespace
