// twitch/1 and riot/1 through the real valory-host (real plugins, real http.client/1) against the
// real valory-fake-upstreams process. The upstreams_probe plugin exposes the service calls as
// /probe/* routes. Numbers the issue asks for are printed as "[ numbers  ]" lines.
#include <gtest/gtest.h>

#include <Poco/File.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "valory_fakes/fake_process.hpp"

using namespace valory::fakes::testing;
using nlohmann::json;

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

class Upstreams : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { fake_ = new ServerProcess(VALORY_FAKE_BIN, {"--seed", VALORY_FAKE_SEED}); }
    static void TearDownTestSuite() {
        delete fake_;
        fake_ = nullptr;
    }

    void SetUp() override {
        fakeControl().reset();
        fakeControl().post("ratelimit", {{"service", "henrik"}, {"limit", 100000}, {"window_s", 60}});
        startHost(json::object());
    }
    void TearDown() override { host_.reset(); }

    void startHost(const json& extraHttpClient, bool withCache = false) {
        host_.reset();
        dir_ = tempDir();
        json httpClient = {{"max_attempts", 3},
                           {"backoff_base_ms", 50},
                           {"backoff_cap_ms", 500},
                           {"default_deadline_ms", 10000}};
        for (auto& [k, v] : extraHttpClient.items()) httpClient[k] = v;
        const std::string fake = fake_->baseUrl();
        json cfg = {{"server", {{"host", "127.0.0.1"}, {"port", 0}, {"threads", 160}, {"max_queued", 512}}},
                    {"plugin_path", {VALORY_PLUGINS_DIR, VALORY_PROBE_PLUGINS_DIR}},
                    {"data_dir", dir_ + "/data"},
                    {"logging", {{"level", "warning"}}},
                    {"http_client", httpClient},
                    {"plugins",
                     {{"twitch",
                       {{"settings",
                         {{"client_id", kClientId},
                          {"client_secret", {{"env", "VALORY_TEST_TWITCH_SECRET"}}},
                          {"id_base_url", fake + "/oauth2"},
                          {"helix_base_url", fake + "/helix"},
                          {"redirect_uri", "http://localhost:8080/auth/twitch/callback"},
                          {"deadline_ms", 10000}}}}},
                      {"riot",
                       {{"settings",
                         {{"base_url", fake + "/valorant"},
                          {"api_key", {{"env", "VALORY_TEST_HENRIK_KEY"}}},
                          {"deadline_ms", 10000}}}}},
                      {"upstreams_probe", json::object()}}}};
        if (withCache) cfg["plugins"]["cache"] = {{"settings", {{"url", ""}}}};  // cache/1 on L1 only
        const std::string cfgPath = dir_ + "/valory.jsonc";
        std::ofstream(cfgPath) << "// written by upstreams_integration_test\n" << cfg.dump(2);
        host_ = std::make_unique<ServerProcess>(
            VALORY_HOST_BIN, std::vector<std::string>{"--config", cfgPath, "--port", "0"}, false,
            std::map<std::string, std::string>{{"VALORY_TEST_TWITCH_SECRET", kSecret},
                                               {"VALORY_TEST_HENRIK_KEY", kKey}});
    }

    static FakeControl fakeControl() { return FakeControl(fake_->port()); }
    SimpleResponse probe(const std::string& target) { return simpleCall(host_->port(), "GET", target); }

    static std::string loginQuery(int n) {
        std::string q;
        char buf[40];
        for (int i = 0; i < n; ++i) {
            std::snprintf(buf, sizeof buf, "%slogin=streamer%04d", i ? "&" : "", i);
            q += buf;
        }
        return q;
    }
    static std::string nrkPuuid() {
        auto r =
            simpleCall(fake_->port(), "GET", "/valorant/v1/account/Nrk/sun", {}, {{"Authorization", kKey}});
        return r.json()["data"]["puuid"].get<std::string>();
    }

    static ServerProcess* fake_;
    std::string dir_;
    std::unique_ptr<ServerProcess> host_;
};
ServerProcess* Upstreams::fake_ = nullptr;

TEST_F(Upstreams, TwitchBatches250LoginsInto3HelixRequests) {
    auto r = probe("/probe/twitch/users?" + loginQuery(250));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["users"].size(), 250u);
    EXPECT_TRUE(r.json()["missing_logins"].empty());
    const auto users = fakeControl().requests("/helix/users");
    EXPECT_EQ(users, 3);
    EXPECT_EQ(fakeControl().requests("/oauth2/token"), 1);

    auto s = probe("/probe/twitch/streams?" + loginQuery(250));
    ASSERT_EQ(s.status, 200) << s.body;
    EXPECT_EQ(s.json()["streams"].size(), 84u);  // every third generated streamer is live
    EXPECT_EQ(s.json()["offline_logins"].size(), 166u);
    EXPECT_EQ(fakeControl().requests("/helix/streams"), 3);
    // repeated keys, never comma lists
    for (const auto& e : fakeControl().log("helix_users"))
        EXPECT_EQ(e["query"].get<std::string>().find("%2C"), std::string::npos);
    std::printf(
        "[ numbers  ] 250 logins -> %lld Helix /users + %lld /streams requests, %lld app token request(s)\n",
        static_cast<long long>(users), static_cast<long long>(fakeControl().requests("/helix/streams")),
        static_cast<long long>(fakeControl().requests("/oauth2/token")));
}

TEST_F(Upstreams, AppTokenRenewedOnceOn401) {
    ASSERT_EQ(probe("/probe/twitch/users?login=magicx").status, 200);
    fakeControl().post("tokens/expire", {{"kind", "app"}});
    auto r = probe("/probe/twitch/users?login=MagicX");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["users"][0]["display_name"], "MAGICX");
    EXPECT_EQ(fakeControl().requests("/oauth2/token"), 2);
    EXPECT_EQ(fakeControl().requests("/helix/users"), 3);  // ok, 401, retry ok

    // A Helix that refuses every token: one renewal, one repeat, then a typed error.
    fakeControl().reset();
    fakeControl().mode({{"family", "helix_users"}, {"mode", "expired-401"}, {"count", -1}});
    auto bad = probe("/probe/twitch/users?login=magicx");
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(bad.json()["error"], "unauthorized");
    EXPECT_EQ(fakeControl().requests("/helix/users"), 2);
    EXPECT_EQ(fakeControl().requests("/oauth2/token"), 1);
}

TEST_F(Upstreams, Helix429HonouredNoRequestBeforeReset) {
    ASSERT_EQ(probe("/probe/twitch/users?login=magicx").status, 200);  // token first
    fakeControl().reset();
    fakeControl().mode({{"family", "helix_users"}, {"mode", "429"}, {"reset_after_s", 2}, {"count", 1}});
    auto r = probe("/probe/twitch/users?login=nrk_plays&deadline_ms=10000");
    ASSERT_EQ(r.status, 200) << r.body;
    auto log = fakeControl().log("helix_users");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["status"], 429);
    EXPECT_EQ(log[1]["status"], 200);
    const int64_t early = fakeControl().counters()["early_429"].get<int64_t>();
    EXPECT_EQ(early, 0);
    std::printf(
        "[ numbers  ] Helix 429 (reset in 2 s): requests sent before the reset = %lld, retry after %lld ms\n",
        static_cast<long long>(early),
        static_cast<long long>(log[1]["t_ms"].get<int64_t>() - log[0]["t_ms"].get<int64_t>()));
}

TEST_F(Upstreams, HenrikStorm429NoRequestBeforeReset) {
    const std::string puuid = nrkPuuid();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "429"}, {"reset_after_s", 2}, {"count", 1}});
    std::vector<std::thread> viewers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 20; ++i)
        viewers.emplace_back([&] {
            if (probe("/probe/riot/rank?puuid=" + puuid + "&region=eu&fresh=1&deadline_ms=15000").status ==
                200)
                ++ok;
        });
    for (auto& t : viewers) t.join();
    EXPECT_EQ(ok.load(), 20);
    const int64_t early = fakeControl().counters()["early_429"].get<int64_t>();
    EXPECT_EQ(early, 0);
    std::printf(
        "[ numbers  ] HenrikDev 429 storm, 20 concurrent viewers: requests before the reset = %lld, mmr "
        "requests = %lld\n",
        static_cast<long long>(early), static_cast<long long>(fakeControl().family("henrik_mmr")));
}

TEST_F(Upstreams, WaitBeyondDeadlineIsImmediateRateLimited) {
    const std::string puuid = nrkPuuid();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "429"}, {"reset_after_s", 30}, {"count", 1}});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu&deadline_ms=3000");
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.status, 429) << r.body;
    EXPECT_EQ(r.json()["error"], "rate_limited");
    EXPECT_GE(r.json()["detail"].get<int64_t>(), 25000);
    EXPECT_EQ(fakeControl().family("henrik_mmr"), 1);  // no second attempt
    std::printf(
        "[ numbers  ] 429 with reset in 30 s, deadline 3 s: rate_limited after %lld ms, wait reported %lld "
        "ms\n",
        static_cast<long long>(ms), static_cast<long long>(r.json()["detail"].get<int64_t>()));
}

TEST_F(Upstreams, ServerErrorsRetriedThenUnavailable) {
    const std::string puuid = nrkPuuid();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "5xx"}, {"status", 503}, {"count", -1}});
    auto r = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu");
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.json()["error"], "unavailable");
    EXPECT_EQ(fakeControl().family("henrik_mmr"), 3);  // max_attempts 3
    // recovers with the next call once HenrikDev does
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "5xx"}, {"status", 502}, {"count", 1}});
    auto ok = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu");
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json()["tier_name"], "Diamond 3");
}

TEST_F(Upstreams, CodeExchangeIsNeverRetried) {
    auto a = probe("/probe/twitch/authorize?state=xyz123");
    ASSERT_EQ(a.status, 200) << a.body;
    const std::string url = a.json()["url"];
    // play the browser: follow the authorize URL on the fake, which redirects with a code
    auto redirect = simpleCall(fake_->port(), "GET", url.substr(url.find("/oauth2/")));
    ASSERT_EQ(redirect.status, 302) << redirect.body;
    const std::string loc = redirect.headers.get("Location");
    ASSERT_NE(loc.find("state=xyz123"), std::string::npos);
    const std::string code = loc.substr(loc.find("code=") + 5, 30);

    fakeControl().mode({{"family", "twitch_token"}, {"mode", "5xx"}, {"status", 503}, {"count", 1}});
    auto fail = probe("/probe/twitch/exchange?code=" + code);
    EXPECT_EQ(fail.status, 503) << fail.body;
    EXPECT_EQ(fakeControl().requests("/oauth2/token"), 1);  // one attempt only

    auto ok = probe("/probe/twitch/exchange?code=" + code);
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json()["user"]["login"], "magicx");
    EXPECT_EQ(ok.body.find("access_token"), std::string::npos);

    auto reuse = probe("/probe/twitch/exchange?code=" + code);
    EXPECT_EQ(reuse.status, 401);
    EXPECT_NE(reuse.json()["message"].get<std::string>().find("invalid grant"), std::string::npos);
    EXPECT_EQ(fakeControl().requests("/oauth2/token"), 3);
    EXPECT_EQ(fakeControl().counters()["code_reuse"], 1);
}

TEST_F(Upstreams, MalformedAndTruncatedAnswersAreClearUpstreamErrors) {
    const std::string puuid = nrkPuuid();
    fakeControl().mode({{"family", "helix_users"}, {"mode", "malformed"}, {"count", 1}});
    auto t = probe("/probe/twitch/users?login=magicx");
    EXPECT_EQ(t.status, 502) << t.body;
    EXPECT_EQ(t.json()["error"], "upstream");
    EXPECT_NE(t.json()["message"].get<std::string>().find("malformed JSON"), std::string::npos) << t.body;

    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "malformed"}, {"count", 1}});
    auto h = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu");
    EXPECT_EQ(h.status, 502) << h.body;
    EXPECT_EQ(h.json()["error"], "upstream");

    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "truncated"}, {"count", -1}});
    auto cut = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu&fresh=1");
    EXPECT_EQ(cut.status, 502) << cut.body;
    EXPECT_EQ(cut.json()["error"], "upstream");
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "normal"}});

    // the host and both plugins keep serving
    EXPECT_EQ(probe("/probe/twitch/users?login=magicx").status, 200);
    EXPECT_EQ(probe("/probe/riot/rank?puuid=" + puuid + "&region=eu").status, 200);
    EXPECT_TRUE(host_->running());
}

TEST_F(Upstreams, SlowUpstreamBoundedByDeadline) {
    const std::string puuid = nrkPuuid();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "slow"}, {"slow_s", 8}, {"count", -1}});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu&deadline_ms=1500");
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.status, 504) << r.body;
    EXPECT_EQ(r.json()["error"], "timeout");
    std::printf("[ numbers  ] upstream answering after 8 s, deadline 1.5 s: timeout after %lld ms\n",
                static_cast<long long>(ms));
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "normal"}});
}

TEST_F(Upstreams, HundredConcurrentViewersOfOnePlayerMakeOneUpstreamCall) {
    const std::string puuid = nrkPuuid();
    fakeControl().reset();
    fakeControl().post("ratelimit", {{"service", "henrik"}, {"limit", 100000}, {"window_s", 60}});
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "slow"}, {"slow_s", 1}, {"count", -1}});
    std::vector<std::thread> viewers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 100; ++i)
        viewers.emplace_back([&] {
            auto r = probe("/probe/riot/rank?puuid=" + puuid + "&region=eu");
            if (r.status == 200 && r.json()["tier_name"] == "Diamond 3") ++ok;
        });
    for (auto& t : viewers) t.join();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "normal"}});
    const int64_t calls = fakeControl().family("henrik_mmr");
    EXPECT_EQ(ok.load(), 100);
    EXPECT_EQ(calls, 1);
    std::printf(
        "[ numbers  ] 100 concurrent viewers of one player (no cache plugin) -> %lld upstream MMR call(s)\n",
        static_cast<long long>(calls));
}

TEST_F(Upstreams, WithTheCachePluginViewersStillCostOneUpstreamCall) {
#ifndef VALORY_HAVE_CACHE_PLUGIN
    GTEST_FAIL() << "the cache plugin is not part of this build tree";
#else
    startHost(json::object(), /*withCache=*/true);
    const std::string puuid = nrkPuuid();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "slow"}, {"slow_s", 1}, {"count", -1}});
    std::vector<std::thread> viewers;
    std::atomic<int> ok{0};
    for (int i = 0; i < 100; ++i)
        viewers.emplace_back([&] {
            if (probe("/probe/riot/rank?puuid=" + puuid + "&region=eu").status == 200) ++ok;
        });
    for (auto& t : viewers) t.join();
    fakeControl().mode({{"family", "henrik_mmr"}, {"mode", "normal"}});
    // later viewers are served from cache/1 without any upstream call
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(probe("/probe/riot/rank?puuid=" + puuid + "&region=eu").status, 200);
    const int64_t calls = fakeControl().family("henrik_mmr");
    EXPECT_EQ(ok.load(), 100);
    EXPECT_EQ(calls, 1);
    std::printf("[ numbers  ] 150 viewers of one player with cache/1 -> %lld upstream MMR call(s)\n",
                static_cast<long long>(calls));
#endif
}

TEST_F(Upstreams, KeepAliveConnectionsPer1000SequentialRequests) {
    const std::string puuid = nrkPuuid();
    const int64_t before = fakeControl().connections();
    int ok = 0;
    for (int i = 0; i < 1000; ++i)
        if (probe("/probe/riot/rank?puuid=" + puuid + "&region=eu&fresh=1").status == 200) ++ok;
    // the test's own control calls open connections too: subtract them (1 per call below)
    const int64_t after = fakeControl().connections();
    const int64_t opened = after - before - 1;
    EXPECT_EQ(ok, 1000);
    EXPECT_EQ(fakeControl().family("henrik_mmr"), 1000);
    EXPECT_LE(opened, 10);
    EXPECT_GE(fakeControl().counters()["gzip_responses"].get<int64_t>(),
              1000);  // gzip bodies decoded by http.client/1
    std::printf(
        "[ numbers  ] 1000 sequential upstream requests to one host -> %lld connection(s) opened, all "
        "gzip-encoded\n",
        static_cast<long long>(opened));
}

TEST_F(Upstreams, RiotRecordsThroughTheHost) {
    auto cafe = probe("/probe/riot/rank?name=Caf%C3%A9%20Cr%C3%A8me&tag=%C3%89T%C3%89");
    ASSERT_EQ(cafe.status, 200) << cafe.body;
    EXPECT_EQ(cafe.json()["tier_name"], "Gold 2");
    EXPECT_TRUE(cafe.json()["last_change"].is_null());
    EXPECT_EQ(cafe.json()["name"], "Café Crème");

    auto newbie = probe("/probe/riot/rank?name=newbie&tag=0001");
    ASSERT_EQ(newbie.status, 200) << newbie.body;
    EXPECT_EQ(newbie.json()["status"], "placements");
    EXPECT_EQ(newbie.json()["region"], "ap");

    auto norank = probe("/probe/riot/rank?name=NoRank&tag=404");
    ASSERT_EQ(norank.status, 200) << norank.body;
    EXPECT_EQ(norank.json()["status"], "no_data");

    auto nobody = probe("/probe/riot/rank?name=nobody&tag=0000");
    EXPECT_EQ(nobody.status, 404);
    EXPECT_EQ(nobody.json()["detail"], 22);

    auto magic = probe("/probe/riot/matches?name=MAGICX&tag=1337");
    ASSERT_EQ(magic.status, 200) << magic.body;
    EXPECT_EQ(magic.json()["wins"], 3);
    EXPECT_EQ(magic.json()["losses"], 1);
    EXPECT_EQ(magic.json()["draws"], 1);
    EXPECT_EQ(magic.json()["matches"][0]["result"], "loss");

    auto lb = probe("/probe/riot/rank?name=MAGICX&tag=1337");
    EXPECT_EQ(lb.json()["leaderboard_rank"], 4210);
    EXPECT_EQ(lb.json()["season"]["winrate"], 57);

    // a streamer's own key is sent instead of the server key; a bad one is a typed error
    auto badKey = probe("/probe/riot/account?name=Nrk&tag=sun&key=HDEV-not-a-key&fresh=1");
    EXPECT_EQ(badKey.status, 401) << badKey.body;
    auto ownKey =
        probe("/probe/riot/account?name=Nrk&tag=sun&key=HDEV-00000000-0000-4000-8000-0000streamer&fresh=1");
    EXPECT_EQ(ownKey.status, 200) << ownKey.body;
}

}  // namespace

namespace {

// config/demo.jsonc as the README run command uses it: the fake seeded with the demo seed, the
// profile's plugins and settings, `valory-host run riot rank "MAGICX#1337"` prints seeded data.
// (data_dir/plugin_path are pointed into the build tree; file references made absolute.)
TEST(UpstreamsDemo, DemoProfileServesSeededDataThroughTheFakes) {
    ServerProcess fake(VALORY_FAKE_BIN, {"--seed", VALORY_FAKE_SEED});
    std::ifstream in(std::string(VALORY_SOURCE_DIR) + "/config/demo.jsonc");
    ASSERT_TRUE(in.good());
    json cfg = json::parse(in, nullptr, true, /*ignore_comments=*/true);
    const std::string dir = tempDir();
    cfg["data_dir"] = dir + "/data";
    cfg["plugin_path"] = json::array({VALORY_PLUGINS_DIR});
    cfg["server"]["port"] = 0;
    // The servers scripts/run.sh starts (PostgreSQL, Redis) are not part of this test: keep the
    // upstream plugins and the cache's in-process level.
    cfg["plugins"].erase("persistence");
    cfg["plugins"].erase("overlays");  // needs sql/1 (tests/integration/overlays covers the demo's API)
    cfg["plugins"].erase("chat");      // needs overlays/1
    cfg["plugins"].erase("hello");
    cfg["plugins"]["cache"]["settings"]["url"] = "";
    for (auto& [id, p] : cfg["plugins"].items()) {
        if (!p.contains("settings")) continue;
        for (auto& [k, v] : p["settings"].items())
            if (v.is_object() && v.contains("file"))
                v["file"] = std::string(VALORY_SOURCE_DIR) + "/config/" + v["file"].get<std::string>();
    }
    const std::string cfgPath = dir + "/demo.jsonc";
    std::ofstream(cfgPath) << cfg.dump(2);

    auto run = [&](std::vector<std::string> args) {
        Poco::Pipe out;
        Poco::Process::Args a = {"--config", cfgPath, "run"};
        a.insert(a.end(), args.begin(), args.end());
        auto h = Poco::Process::launch(VALORY_HOST_BIN, a, nullptr, &out, nullptr,
                                       Poco::Process::Env{{"VALORY_FAKE_UPSTREAMS_URL", fake.baseUrl()}});
        Poco::PipeInputStream s(out);
        std::ostringstream text;
        Poco::StreamCopier::copyStream(s, text);
        const int rc = h.wait();
        return std::make_pair(rc, text.str());
    };
    auto [rc, text] = run({"riot", "rank", "MAGICX#1337"});
    ASSERT_EQ(rc, 0) << text;
    const auto start = text.find('{');
    ASSERT_NE(start, std::string::npos) << text;
    json rank = json::parse(text.substr(start));
    EXPECT_EQ(rank["tier_name"], "Immortal 1");
    EXPECT_EQ(rank["rr"], 41);
    EXPECT_EQ(rank["leaderboard_rank"], 4210);

    auto [rc2, streams] = run({"twitch", "streams", "magicx", "cafecreme"});
    ASSERT_EQ(rc2, 0) << streams;
    json s = json::parse(streams.substr(streams.find('{')));
    EXPECT_EQ(s["streams"].size(), 1u);
    EXPECT_EQ(s["offline_logins"], json::array({"cafecreme"}));
}

}  // namespace
