// Checks that the fake upstreams behave like the real APIs (external-apis.md §1.14 and the
// HenrikDev checklist): real process, real sockets.
#include "valory_fakes/fake_process.hpp"

#include <Poco/InflatingStream.h>
#include <gtest/gtest.h>

using namespace valory::fakes::testing;
using nlohmann::json;

namespace {

const std::string kClientId = "valorydemoclientid00000000000";
const std::string kSecret = "valorydemosecret0000000000000";
const std::string kKey = "HDEV-00000000-0000-4000-8000-00000000demo";

class FakeTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = new ServerProcess(VALORY_FAKE_BIN, {"--seed", VALORY_FAKE_SEED});
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    void SetUp() override { control().reset(); }
    static FakeControl control() { return FakeControl(server_->port()); }
    static int port() { return server_->port(); }

    static std::string appToken() {
        auto r = simpleCall(
            port(), "POST", "/oauth2/token",
            "client_id=" + kClientId + "&client_secret=" + kSecret + "&grant_type=client_credentials", {},
            "application/x-www-form-urlencoded");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json().at("access_token").get<std::string>();
    }
    static SimpleResponse helix(const std::string& target, const std::string& token) {
        return simpleCall(port(), "GET", target, {},
                          {{"Authorization", "Bearer " + token}, {"Client-Id", kClientId}});
    }
    static SimpleResponse henrik(const std::string& target, const std::string& key = kKey) {
        std::vector<std::pair<std::string, std::string>> h;
        if (!key.empty()) h.emplace_back("Authorization", key);
        return simpleCall(port(), "GET", target, {}, h);
    }

    static ServerProcess* server_;
};
ServerProcess* FakeTest::server_ = nullptr;

TEST_F(FakeTest, AppTokenAcceptsFormOrQueryAndRejectsBadClients) {
    EXPECT_FALSE(appToken().empty());
    auto q = simpleCall(port(), "POST",
                        "/oauth2/token?client_id=" + kClientId + "&client_secret=" + kSecret +
                            "&grant_type=client_credentials");
    EXPECT_EQ(q.status, 200);
    EXPECT_EQ(q.json().at("token_type"), "bearer");
    EXPECT_GT(q.json().at("expires_in").get<int64_t>(), 0);
    auto badId = simpleCall(port(), "POST",
                            "/oauth2/token?client_id=nope&client_secret=x&grant_type=client_credentials");
    EXPECT_EQ(badId.status, 400);
    EXPECT_EQ(badId.json(), (json{{"status", 400}, {"message", "invalid client"}}));
    auto badSecret =
        simpleCall(port(), "POST",
                   "/oauth2/token?client_id=" + kClientId + "&client_secret=x&grant_type=client_credentials");
    EXPECT_EQ(badSecret.status, 403);
}

TEST_F(FakeTest, HelixUsersRepeatedKeysLimitAndRateLimitHeaders) {
    const auto t = appToken();
    auto r = helix("/helix/users?login=MagicX&login=nrk_plays&id=141981764&login=doesnotexist", t);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("data").size(), 3u);
    EXPECT_FALSE(r.json().contains("pagination"));
    EXPECT_EQ(r.headers.get("Ratelimit-Limit"), "800");
    EXPECT_EQ(r.headers.get("Ratelimit-Remaining"), "799");
    EXPECT_GT(std::stoll(r.headers.get("Ratelimit-Reset")), 1700000000LL);
    // comma lists are one (invalid) login
    EXPECT_EQ(helix("/helix/users?login=magicx,nrk_plays", t).status, 400);
    std::string many = "/helix/users?";
    for (int i = 0; i < 101; ++i)
        many += "login=streamer" +
                std::string(i < 10    ? "000"
                            : i < 100 ? "00"
                                      : "0") +
                std::to_string(i) + "&";
    EXPECT_EQ(helix(many, t).status, 400);
    // app token without parameters
    EXPECT_EQ(helix("/helix/users", t).status, 400);
    // missing headers / wrong token
    EXPECT_EQ(simpleCall(port(), "GET", "/helix/users?login=magicx").json().at("message"),
              "OAuth token is missing");
    auto bad = helix("/helix/users?login=magicx", "garbage");
    EXPECT_EQ(bad.status, 401);
    EXPECT_EQ(bad.json(),
              (json{{"error", "Unauthorized"}, {"status", 401}, {"message", "Invalid OAuth token"}}));
}

TEST_F(FakeTest, HelixStreamsOnlyLiveSortedWithFirstAndCursor) {
    const auto t = appToken();
    auto r = helix("/helix/streams?user_login=magicx&user_login=nrk_plays&user_login=cafecreme&first=100", t);
    ASSERT_EQ(r.status, 200);
    auto data = r.json().at("data");
    ASSERT_EQ(data.size(), 2u);
    EXPECT_EQ(data[0].at("user_login"), "nrk_plays");  // more viewers first
    EXPECT_EQ(data[0].at("type"), "live");
    EXPECT_EQ(r.json().at("pagination"), json::object());
    auto page = helix("/helix/streams?first=5", t);
    EXPECT_EQ(page.json().at("data").size(), 5u);
    ASSERT_TRUE(page.json().at("pagination").contains("cursor"));
    auto next =
        helix("/helix/streams?first=5&after=" + page.json()["pagination"]["cursor"].get<std::string>(), t);
    EXPECT_EQ(next.json().at("data").size(), 5u);
    EXPECT_NE(next.json()["data"][0]["id"], page.json()["data"][0]["id"]);
}

TEST_F(FakeTest, AuthorizationCodeIsSingleUse) {
    auto a = simpleCall(port(), "GET",
                        "/oauth2/authorize?client_id=" + kClientId +
                            "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&response_type=code&scope=user%3Aread%"
                            "3Aemail&state=abc123");
    ASSERT_EQ(a.status, 302);
    const std::string loc = a.headers.get("Location");
    EXPECT_EQ(loc.rfind("http://localhost/cb?code=", 0), 0u) << loc;
    EXPECT_NE(loc.find("&state=abc123"), std::string::npos);
    const std::string code = loc.substr(loc.find("code=") + 5, 30);
    const std::string form = "client_id=" + kClientId + "&client_secret=" + kSecret + "&code=" + code +
                             "&grant_type=authorization_code&redirect_uri=http%3A%2F%2Flocalhost%2Fcb";
    auto ok = simpleCall(port(), "POST", "/oauth2/token", form, {}, "application/x-www-form-urlencoded");
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_TRUE(ok.json().at("scope").is_array());
    EXPECT_TRUE(ok.json().contains("refresh_token"));
    auto again = simpleCall(port(), "POST", "/oauth2/token", form, {}, "application/x-www-form-urlencoded");
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(again.json().at("message"), "Invalid authorization code");
    EXPECT_EQ(control().counters().at("code_reuse"), 1);
    // the user token identifies its user (with e-mail thanks to the scope) and validates
    const auto userToken = ok.json().at("access_token").get<std::string>();
    auto me = helix("/helix/users", userToken);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(me.json()["data"][0]["login"], "magicx");
    auto v = simpleCall(port(), "GET", "/oauth2/validate", {}, {{"Authorization", "OAuth " + userToken}});
    EXPECT_EQ(v.json().at("login"), "magicx");
    // denial
    control().mode({{"family", "twitch_authorize"}, {"mode", "deny"}});
    auto d = simpleCall(port(), "GET",
                        "/oauth2/authorize?client_id=" + kClientId +
                            "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&response_type=code&state=s1");
    EXPECT_NE(d.headers.get("Location")
                  .find("error=access_denied&error_description=The+user+denied+you+access&state=s1"),
              std::string::npos);
}

TEST_F(FakeTest, ExpiredTokensGet401UntilRenewed) {
    const auto t = appToken();
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 200);
    control().post("tokens/expire", {{"kind", "app"}});
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 401);
    EXPECT_EQ(simpleCall(port(), "GET", "/oauth2/validate", {}, {{"Authorization", "OAuth " + t}}).status,
              401);
    EXPECT_EQ(helix("/helix/users?login=magicx", appToken()).status, 200);
}

TEST_F(FakeTest, RateLimitBucketAnswers429WithHeaders) {
    control().post("ratelimit", {{"service", "helix"}, {"limit", 2}, {"window_s", 60}});
    const auto t = appToken();
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 200);
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 200);
    auto r = helix("/helix/users?login=magicx", t);
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.headers.get("Ratelimit-Remaining"), "0");
    EXPECT_EQ(r.json().at("error"), "Too Many Requests");
    control().post("ratelimit", {{"service", "helix"}, {"limit", 800}, {"window_s", 60}});
}

TEST_F(FakeTest, Mode429WindowCountsEarlyRequests) {
    control().mode({{"family", "henrik"}, {"mode", "429"}, {"reset_after_s", 30}, {"headers", "all"}});
    auto r1 = henrik("/valorant/v1/account/MAGICX/1337");
    EXPECT_EQ(r1.status, 429);
    EXPECT_EQ(r1.json(), (json{{"status", 429},
                               {"errors", {{{"message", "Rate Limited"}, {"code", 0}, {"global", false}}}}}));
    EXPECT_TRUE(r1.headers.has("Retry-After"));
    EXPECT_TRUE(r1.headers.has("Ratelimit-Reset"));
    const int reset = std::stoi(r1.headers.get("x-ratelimit-reset"));
    EXPECT_GE(reset, 29);
    EXPECT_LE(reset, 31);
    EXPECT_EQ(control().counters().at("early_429"), 0);
    EXPECT_EQ(henrik("/valorant/v1/account/MAGICX/1337").status, 429);
    EXPECT_EQ(control().counters().at("early_429"), 1);
}

TEST_F(FakeTest, HenrikAccountsAndErrors) {
    // Unicode name with a space, percent-encoded in the path; lookups ignore case.
    auto a = henrik("/valorant/v1/account/Caf%C3%A9%20Cr%C3%A8me/%C3%89T%C3%89");
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.json()["data"]["name"], "Café Crème");
    EXPECT_TRUE(a.json()["data"]["card"].is_object());
    auto v2 = henrik("/valorant/v2/account/magicx/1337");
    ASSERT_EQ(v2.status, 200);
    EXPECT_TRUE(v2.json()["data"]["card"].is_string());
    EXPECT_EQ(v2.json()["data"]["name"], "MAGICX");
    EXPECT_EQ(v2.headers.get("x-ratelimit-limit"), "90");
    const auto puuid = v2.json()["data"]["puuid"].get<std::string>();
    EXPECT_EQ(henrik("/valorant/v1/by-puuid/account/" + puuid).status, 200);
    auto missing = henrik("/valorant/v1/account/nobody/0000");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.json()["errors"][0]["code"], 22);
    auto noMmr = henrik("/valorant/v3/mmr/eu/pc/NoRank/404");
    EXPECT_EQ(noMmr.status, 404);
    EXPECT_EQ(noMmr.json()["errors"][0]["code"], 25);
    EXPECT_EQ(henrik("/valorant/v1/account/MAGICX/1337", "").status, 401);
    EXPECT_EQ(henrik("/valorant/v1/account/MAGICX/1337", "HDEV-wrong").status, 403);
    EXPECT_EQ(henrik("/valorant/v1/account/MAGICX/1337", "Bearer " + kKey).status, 403);
    EXPECT_EQ(henrik("/valorant/v3/mmr/xx/pc/MAGICX/1337").json()["errors"][0]["code"], 6);
    EXPECT_EQ(simpleCall(port(), "GET", "/valorant/v1/account/MAGICX/1337?api_key=" + kKey).status, 200);
}

TEST_F(FakeTest, HenrikMmrShapes) {
    auto m = henrik("/valorant/v3/mmr/eu/pc/MAGICX/1337").json()["data"];
    EXPECT_EQ(m["current"]["tier"], (json{{"id", 24}, {"name", "Immortal 1"}}));
    EXPECT_EQ(m["current"]["elo"], (24 - 3) * 100 + 41);
    EXPECT_EQ(m["current"]["last_change"], -18);
    EXPECT_EQ(m["current"]["leaderboard_placement"]["rank"], 4210);
    EXPECT_EQ(m["peak"]["tier"]["name"], "Immortal 2");
    EXPECT_EQ(m["seasonal"].size(), 2u);
    auto cafe = henrik("/valorant/v3/mmr/eu/pc/caf%C3%A9%20cr%C3%A8me/%C3%89T%C3%89").json()["data"];
    EXPECT_FALSE(cafe["current"].contains("last_change"));
    auto newbie =
        henrik("/valorant/v3/by-puuid/mmr/ap/pc/" +
               henrik("/valorant/v1/account/Newbie/0001").json()["data"]["puuid"].get<std::string>())
            .json()["data"];
    EXPECT_EQ(newbie["current"]["tier"]["name"], "Unrated");
    EXPECT_EQ(newbie["current"]["games_needed_for_rating"], 3);
    EXPECT_TRUE(newbie["peak"].is_null());
    auto v2 = henrik("/valorant/v2/mmr/eu/Nrk/sun").json()["data"];
    EXPECT_EQ(v2["current_data"]["currenttierpatched"], "Diamond 3");
    EXPECT_EQ(v2["by_season"]["e10a5"]["number_of_games"], 26);
    auto v1 = henrik("/valorant/v1/mmr/eu/Nrk/sun").json()["data"];
    EXPECT_EQ(v1["mmr_change_to_last_game"], -11);
}

TEST_F(FakeTest, HenrikMatchesAndLeaderboard) {
    auto r = henrik("/valorant/v4/matches/eu/pc/MAGICX/1337?mode=competitive&size=3");
    ASSERT_EQ(r.status, 200) << r.body;
    auto data = r.json()["data"];
    ASSERT_EQ(data.size(), 3u);
    EXPECT_EQ(data[0]["players"].size(), 10u);
    EXPECT_EQ(data[0]["metadata"]["queue"]["id"], "competitive");
    // first match is a loss: the player's team did not win
    const auto team = data[0]["players"][0]["team_id"];
    for (const auto& t : data[0]["teams"]) {
        if (t["team_id"] == team) {
            EXPECT_FALSE(t["won"].get<bool>());
        }
    }
    auto lb = henrik("/valorant/v3/leaderboard/na/pc?size=10");
    ASSERT_EQ(lb.status, 200);
    EXPECT_EQ(lb.json()["data"]["players"].size(), 10u);
    EXPECT_EQ(lb.json()["data"]["players"][2]["name"], "Radiant Queen");
}

TEST_F(FakeTest, GzipKeepAliveTruncatedMalformedAndCounters) {
    // gzip only when asked for
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port()));
    s.setKeepAlive(true);
    const int64_t before = control().connections();
    for (int i = 0; i < 5; ++i) {
        Poco::Net::HTTPRequest req("GET", "/valorant/v1/account/MAGICX/1337",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("Authorization", kKey);
        req.set("Accept-Encoding", "gzip, deflate");
        s.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        std::istream& in = s.receiveResponse(resp);
        EXPECT_EQ(resp.get("Content-Encoding", ""), "gzip");
        Poco::InflatingInputStream z(in, Poco::InflatingStreamBuf::STREAM_GZIP);
        std::ostringstream out;
        Poco::StreamCopier::copyStream(z, out);
        EXPECT_EQ(json::parse(out.str())["data"]["name"], "MAGICX");
    }
    // the control calls open one connection each; the 5 requests above shared one
    EXPECT_EQ(control().connections() - before, 2);
    EXPECT_GE(control().counters()["gzip_responses"].get<int>(), 5);

    control().mode({{"family", "henrik_account"}, {"mode", "malformed"}, {"count", 1}});
    auto bad = henrik("/valorant/v1/account/MAGICX/1337");
    EXPECT_EQ(bad.status, 200);
    EXPECT_FALSE(json::accept(bad.body));
    EXPECT_EQ(henrik("/valorant/v1/account/MAGICX/1337").status, 200);  // count ran out

    control().mode({{"family", "henrik_account"}, {"mode", "truncated"}, {"count", 1}});
    auto cut = henrik("/valorant/v1/account/MAGICX/1337");
    EXPECT_FALSE(json::accept(cut.body));

    control().mode({{"family", "helix"}, {"mode", "5xx"}, {"status", 503}, {"count", 2}});
    const auto t = appToken();
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 503);
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 503);
    EXPECT_EQ(helix("/helix/users?login=magicx", t).status, 200);
    EXPECT_EQ(control().requests("/helix/users"), 3);
    EXPECT_EQ(control().family("henrik_account"), 5 + 3);
}

}  // namespace

TEST_F(FakeTest, ControlMatchAddsNewestMatchAndMovesMmr) {
    control().post("seed?merge=1", {{"henrik",
                                     {{"players",
                                       {{{"name", "Match Maker"},
                                         {"tag", "MM1"},
                                         {"mmr",
                                          {{"tier", 14},
                                           {"rr", 90},
                                           {"last_change", 5},
                                           {"peak", {{"tier", 14}, {"rr", 95}, {"season", "e10a4"}}},
                                           {"seasonal", {{{"season", "e10a5"}, {"wins", 3}, {"games", 5}}}}}},
                                         {"matches", {{{"result", "loss"}}, {{"result", "win"}}}}}}}}}});
    const std::string base = "/valorant/v4/matches/eu/pc/Match%20Maker/MM1?mode=competitive&size=5";
    const auto before = henrik(base).json()["data"];
    ASSERT_EQ(before.size(), 2u);

    auto won = control().post("match", {{"name", "match maker"}, {"tag", "mm1"}, {"result", "win"}});
    EXPECT_EQ(won["mmr"]["tier"], 15);  // 90 + 20 promotes Gold 3 -> Platinum 1 with 10 RR
    EXPECT_EQ(won["mmr"]["rr"], 10);
    auto after = henrik(base).json()["data"];
    ASSERT_EQ(after.size(), 3u);
    EXPECT_EQ(after[0]["metadata"]["match_id"], won["match_id"]);
    // the earlier matches keep their ids when a new one is put in front of them
    EXPECT_EQ(after[1]["metadata"]["match_id"], before[0]["metadata"]["match_id"]);
    EXPECT_EQ(after[2]["metadata"]["match_id"], before[1]["metadata"]["match_id"]);
    const auto team = after[0]["players"][0]["team_id"];
    for (const auto& t : after[0]["teams"]) {
        if (t["team_id"] == team) {
            EXPECT_TRUE(t["won"].get<bool>());
        }
    }

    control().post("match",
                   {{"name", "Match Maker"}, {"tag", "MM1"}, {"result", "loss"}, {"rr_change", -25}});
    auto mmr = henrik("/valorant/v3/mmr/eu/pc/Match%20Maker/MM1").json()["data"];
    EXPECT_EQ(mmr["current"]["tier"]["id"], 14);  // 10 - 25 demotes back to Gold 3 with 85
    EXPECT_EQ(mmr["current"]["rr"], 85);
    EXPECT_EQ(mmr["current"]["last_change"], -25);
    EXPECT_EQ(mmr["peak"]["tier"]["id"], 15);
    EXPECT_EQ(mmr["seasonal"].back()["wins"], 4);
    EXPECT_EQ(mmr["seasonal"].back()["games"], 7);

    auto unknown =
        simpleCall(port(), "POST", "/__control/match", json{{"name", "nobody"}, {"tag", "x"}}.dump());
    EXPECT_EQ(unknown.status, 404);
    auto bad = simpleCall(port(), "POST", "/__control/match",
                          json{{"name", "Match Maker"}, {"tag", "MM1"}, {"result", "victory"}}.dump());
    EXPECT_EQ(bad.status, 400);
}

TEST_F(FakeTest, ControlLiveStartsAStreamNow) {
    control().post("live", {{"login", "cafecreme"}, {"live", true}, {"viewer_count", 12}});
    const auto tok = appToken();
    auto r = helix("/helix/streams?user_login=cafecreme", tok);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json()["data"].size(), 1u);
    const std::string started = r.json()["data"][0]["started_at"];
    EXPECT_NE(started, "2026-11-25T20:00:00Z");  // not the canned default: the stream started now
    EXPECT_EQ(started.size(), 20u);
    control().post("live", {{"login", "cafecreme"}, {"live", false}});
    EXPECT_TRUE(helix("/helix/streams?user_login=cafecreme", tok).json()["data"].empty());
}
