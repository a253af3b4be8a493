// The Valory API of the overlays plugin through the real host, without cache/1 (the smallest
// deployment: persistence, twitch, riot, overlays): login flow, sessions, authorisation, settings
// validation, the public overlay document, CORS and the utils routes.
#include "overlays_stack.hpp"

using namespace valory::it;
using namespace valory::it::overlays;

namespace {

const char* kAllFields =
    R"({"overlayStyle": "minimal", "backgroundColor": "#07090E", "disabledBackground": false,
 "disabledBorder": false, "disabledBackgroundGradient": false, "disabledGlowEffect": false,
 "disabledPeakRankIcon": false, "disabledLeaderboardPlace": false, "disabledPeakRR": false,
 "textColor": "#f2f2f2", "primaryTextColor": "#f2f2f2", "overlayFont": "Inter",
 "winColor": "#00FFE3", "loseColor": "#FF7986", "disabledWinLose": false,
 "disabledLastMatchPoints": false, "disabledProgress": false,
 "progressColor": "#00FFE3", "progressBgColor": "#f2f2f2"})";

class OverlaysApi : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        stack_ = std::make_unique<Stack>(lower(info->name()).substr(0, 24), options());
        stack_->startHost();
    }
    virtual StackOptions options() { return {}; }
    int port() { return stack_->port(); }
    Browser loggedIn(const std::string& login) {
        Browser b(port());
        Reply r = stack_->login(b, login);
        EXPECT_EQ(r.status, 302) << r.body;
        EXPECT_FALSE(b.cookie("Authorization").empty()) << "no session cookie";
        return b;
    }
    std::unique_ptr<Stack> stack_;
};

}  // namespace

TEST_F(OverlaysApi, FirstLoginCreatesUserAndDefaultOverlay) {
    Browser b(port());
    Reply start = b.get("/api/auth/login/twitch");
    ASSERT_EQ(start.status, 302) << start.body;
    const std::string location = start.header("location");
    EXPECT_NE(location.find("/oauth2/authorize?"), std::string::npos) << location;
    const std::string state = b.cookie("twitch_state");
    ASSERT_GE(state.size(), 43u);
    EXPECT_NE(location.find("state=" + state), std::string::npos);
    EXPECT_NE(start.setCookie("twitch_state").find("HttpOnly"), std::string::npos);
    EXPECT_NE(location.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A" + std::to_string(port()) +
                            "%2Fapi%2Fauth%2Fcallback"),
              std::string::npos)
        << location;

    Reply consent = stack_->followToFake(location);
    ASSERT_EQ(consent.status, 302) << consent.body;
    Reply cb = b.get(Stack::pathOf(consent.header("location")));
    ASSERT_EQ(cb.status, 302) << cb.body;
    EXPECT_EQ(cb.header("location"), "/dashboard");
    const std::string session = cb.setCookie("Authorization");
    EXPECT_NE(session.find("HttpOnly"), std::string::npos) << session;
    EXPECT_NE(session.find("Path=/"), std::string::npos);
    EXPECT_NE(session.find("SameSite=Lax"), std::string::npos);
    const std::string jwt = b.cookie("Authorization");
    EXPECT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2) << "the raw JWT, no 'Bearer '";
    EXPECT_EQ(jwt.rfind("eyJ", 0), 0u) << jwt;
    EXPECT_TRUE(b.cookie("twitch_state").empty()) << "the state cookie is cleared";

    Reply me = b.get("/api/users/me");
    ASSERT_EQ(me.status, 200) << me.body;
    auto j = me.json();
    EXPECT_EQ(j["username"], "magicx");
    EXPECT_EQ(j["twitch_display_name"], "MAGICX");
    EXPECT_EQ(j["twitch_id"], "512345001");
    EXPECT_EQ(j["broadcaster_type"], "affiliate");
    EXPECT_TRUE(j["overlay_id"].is_string());
    EXPECT_FALSE(j["has_hdev_api_key"].get<bool>());

    // the default overlay carries the SQL defaults
    Reply o = b.get("/api/users/me/overlay");
    ASSERT_EQ(o.status, 200) << o.body;
    auto s = o.json();
    EXPECT_EQ(s["id"], j["overlay_id"]);
    EXPECT_EQ(s["overlayStyle"], "old");
    EXPECT_EQ(s["backgroundColor"], "#07090E");
    EXPECT_EQ(s["primaryTextColor"], "#f2f2f2");
    EXPECT_EQ(s["overlayFont"], "Inter");
    EXPECT_EQ(s["winColor"], "#00FFE3");
    EXPECT_EQ(s["disabledPeakRR"], false);
}

TEST_F(OverlaysApi, LaterLoginRefreshesProfileAndKeepsTheOverlay) {
    Browser a = loggedIn("nrk_plays");
    const std::string overlay = a.get("/api/users/me").json()["overlay_id"];
    stack_->fake().post("seed?merge=1",
                        {{"twitch",
                          {{"users",
                            {{{"id", "512345002"},
                              {"login", "nrk_plays"},
                              {"display_name", "NRK_Renamed"},
                              {"broadcaster_type", "partner"},
                              {"profile_image_url", "https://static-cdn.example/new.png"}}}}}}});
    Browser b = loggedIn("nrk_plays");
    auto me = b.get("/api/users/me").json();
    EXPECT_EQ(me["twitch_display_name"], "NRK_Renamed") << me.dump();
    EXPECT_EQ(me["broadcaster_type"], "partner");
    EXPECT_EQ(me["overlay_id"], overlay);
    EXPECT_EQ(stack_->sql("SELECT count(*) FROM users")[0][0].as<int>(), 1);
}

TEST_F(OverlaysApi, StateMismatchAndMissingAreRefused) {
    Browser b(port());
    stack_->fake().post("authorize", {{"login", "magicx"}});
    Reply start = b.get("/api/auth/login/twitch");
    Reply consent = stack_->followToFake(start.header("location"));
    const std::string callback = Stack::pathOf(consent.header("location"));

    Browser stranger(port());  // no state cookie: a forged link
    Reply r = stranger.get(callback);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.json()["detail"], "Invalid state parameter");

    Browser other(port());
    other.setCookie("twitch_state", std::string(43, 'A'));
    EXPECT_EQ(other.get(callback).status, 400);

    EXPECT_EQ(b.get("/api/auth/callback?code=abc").json()["detail"], "Missing required OAuth parameters");
    Reply denied = b.get("/api/auth/callback?error=access_denied&state=" + b.cookie("twitch_state"));
    EXPECT_EQ(denied.status, 400);
    EXPECT_EQ(denied.json()["detail"], "OAuth authorization failed: access_denied");
    EXPECT_TRUE(b.cookie("Authorization").empty());
}

TEST_F(OverlaysApi, StateIsSingleUse) {
    Browser b(port());
    stack_->fake().post("authorize", {{"login", "magicx"}});
    Reply start = b.get("/api/auth/login/twitch");
    const std::string state = b.cookie("twitch_state");
    Reply consent = stack_->followToFake(start.header("location"));
    const std::string callback = Stack::pathOf(consent.header("location"));
    ASSERT_EQ(b.get(callback).status, 302);

    Browser replay(port());
    replay.setCookie("twitch_state", state);  // the attacker kept the state cookie and the URL
    Reply r = replay.get(callback);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json()["detail"], "Invalid state parameter");
    EXPECT_TRUE(replay.cookie("Authorization").empty());
}

TEST_F(OverlaysApi, ExpiredStateIsRefused) {
    Browser b(port());
    stack_->fake().post("authorize", {{"login", "magicx"}});
    Reply start = b.get("/api/auth/login/twitch");
    Reply consent = stack_->followToFake(start.header("location"));
    stack_->sql(
        "UPDATE oauth_states SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 "
        "second'");
    Reply r = b.get(Stack::pathOf(consent.header("location")));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.json()["detail"], "Login attempt expired; please log in again");
    EXPECT_EQ(stack_->sql("SELECT count(*) FROM oauth_states")[0][0].as<int>(), 0) << "consumed all the same";
}

TEST_F(OverlaysApi, TwitchFailuresAre502WithAMessage) {
    for (const json& mode :
         {json{{"family", "twitch_token"}, {"mode", "5xx"}, {"status", 503}, {"count", -1}},
          json{{"family", "twitch_token"}, {"mode", "expired-401"}, {"count", -1}},
          json{{"family", "twitch_token"}, {"mode", "malformed"}, {"count", -1}}}) {
        stack_->fake().reset();
        stack_->fake().mode(mode);
        Browser b(port());
        Reply r = stack_->login(b, "magicx");
        EXPECT_EQ(r.status, 502) << mode.dump() << " " << r.body;
        EXPECT_TRUE(r.json()["detail"].is_string());
        EXPECT_NE(r.json()["detail"].get<std::string>().find("Twitch"), std::string::npos) << r.body;
        EXPECT_TRUE(b.cookie("Authorization").empty());
    }
    stack_->fake().reset();
    Browser ok(port());
    EXPECT_EQ(stack_->login(ok, "magicx").status, 302) << "a working Twitch logs in again";
}

TEST_F(OverlaysApi, LogoutEndsTheSessionServerSide) {
    Browser b = loggedIn("magicx");
    const std::string token = b.cookie("Authorization");
    ASSERT_EQ(b.get("/api/users/me").status, 200);
    Reply out = b.post("/api/auth/logout", "");
    ASSERT_EQ(out.status, 200) << out.body;
    EXPECT_EQ(out.json()["message"], "Logged out");
    EXPECT_NE(out.setCookie("Authorization").find("Max-Age=0"), std::string::npos);

    Browser thief(port());  // someone who copied the token before the logout
    thief.setCookie("Authorization", token);
    Reply r = thief.get("/api/users/me");
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(thief.post("/api/users/me/overlay", R"({"winColor": "#000000"})").status, 401);
    EXPECT_EQ(stack_->sql("SELECT count(*) FROM auth_sessions WHERE revoked_at IS NOT NULL")[0][0].as<int>(),
              1);
}

TEST_F(OverlaysApi, NoOrForgedSessionIs401) {
    Browser anon(port());
    Reply r = anon.get("/api/users/me");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json()["detail"], "Token is missing in cookies");
    EXPECT_EQ(anon.post("/api/users/me/overlay", kAllFields).status, 401);
    EXPECT_EQ(anon.get("/api/users/me/overlay").status, 401);

    Browser b = loggedIn("magicx");
    std::string token = b.cookie("Authorization");
    // change the payload (another user id), keep the signature
    std::string forged = token;
    forged[token.find('.') + 5] = forged[token.find('.') + 5] == 'A' ? 'B' : 'A';
    Browser f(port());
    f.setCookie("Authorization", forged);
    Reply fr = f.get("/api/users/me");
    EXPECT_EQ(fr.status, 401);
    EXPECT_EQ(fr.json()["detail"], "JWT decode error");
    f.setCookie("Authorization", "Bearer " + token);
    EXPECT_EQ(f.get("/api/users/me").status, 401);
    f.setCookie("Authorization", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.");
    EXPECT_EQ(f.get("/api/users/me").status, 401);
}

TEST_F(OverlaysApi, AUserChangesOnlyTheirOwnOverlay) {
    Browser a = loggedIn("magicx");
    Browser b = loggedIn("nrk_plays");
    const std::string overlayA = a.get("/api/users/me").json()["overlay_id"];
    const std::string overlayB = b.get("/api/users/me").json()["overlay_id"];
    ASSERT_NE(overlayA, overlayB);
    Reply save =
        b.post("/api/users/me/overlay", R"({"winColor": "#123456", "id": ")" + overlayA +
                                            R"(", "user_id": 1, "overlay_id": ")" + overlayA + R"("})");
    ASSERT_EQ(save.status, 200) << save.body;
    EXPECT_EQ(save.json()["settings"]["id"], overlayB);
    EXPECT_EQ(call(port(), "GET", "/api/overlay/" + overlayA).json()["win_color"], "#00FFE3");
    EXPECT_EQ(call(port(), "GET", "/api/overlay/" + overlayB).json()["win_color"], "#123456");
    EXPECT_EQ(a.get("/api/users/me/overlay").json()["winColor"], "#00FFE3");
}

TEST_F(OverlaysApi, EveryFieldsBadValueIs422NamingIt) {
    Browser b = loggedIn("magicx");
    const json all = json::parse(kAllFields);
    for (const auto& [field, value] : all.items()) {
        json body = all;
        body[field] = value.is_boolean() ? json("no") : json("#GGGGGG");
        Reply r = b.post("/api/users/me/overlay", body.dump());
        ASSERT_EQ(r.status, 422) << field << ": " << r.body;
        auto d = r.json()["detail"];
        ASSERT_EQ(d.size(), 1u) << r.body;
        EXPECT_EQ(d[0]["loc"], json::array({"body", field}));
        EXPECT_TRUE(d[0]["msg"].is_string());
    }
    Reply many =
        b.post("/api/users/me/overlay", R"({"overlayStyle": "neon", "overlayFont": "Comic Sans MS"})");
    ASSERT_EQ(many.status, 422);
    EXPECT_EQ(many.json()["detail"].size(), 2u);
    // nothing was stored by the refused requests
    EXPECT_EQ(b.get("/api/users/me/overlay").json()["overlayStyle"], "old");
}

TEST_F(OverlaysApi, BadBodiesAreClear4xx) {
    Browser b = loggedIn("magicx");
    EXPECT_EQ(b.post("/api/users/me/overlay", "").status, 400);
    EXPECT_EQ(b.post("/api/users/me/overlay", "{}").json()["detail"], "No overlay settings provided");
    EXPECT_EQ(b.post("/api/users/me/overlay", R"({"winColor": null})").status, 400);
    EXPECT_EQ(b.post("/api/users/me/overlay", "{not json").status, 422);
    EXPECT_EQ(b.post("/api/users/me/overlay", "[1,2]").status, 422);
    EXPECT_EQ(b.post("/api/users/me/overlay", R"({"winColor": "#000000"})", {{"Content-Type", "text/plain"}})
                  .status,
              415);
    EXPECT_EQ(b.post("/api/users/me/overlay", "winColor=%23000000",
                     {{"Content-Type", "application/x-www-form-urlencoded"}})
                  .status,
              415);
    // absurdly nested bodies are refused, and the host lives on
    const std::string deep = std::string(300000, '[') + std::string(300000, ']');
    EXPECT_EQ(b.post("/api/users/me/overlay", deep).status, 422);
    const std::string deepObject =
        R"({"winColor": "#000000", "x": )" + std::string(200000, '[') + std::string(200000, ']') + "}";
    EXPECT_EQ(b.post("/api/users/me/overlay", deepObject).status, 422);
    EXPECT_EQ(b.post("/api/users/me/riotid", R"({"riot_id": )" + deep + "}").status, 422);
    Reply evil =
        b.post("/api/users/me/overlay", R"({"winColor": "#000000"})", {{"Origin", "https://evil.example"}});
    EXPECT_EQ(evil.status, 403) << evil.body;
    EXPECT_EQ(b.post("/api/auth/logout", "", {{"Origin", "https://evil.example"}}).status, 403);
    EXPECT_EQ(b.get("/api/users/me").status, 200) << "the refused logout did not end the session";
    EXPECT_EQ(b.get("/api/users/me/overlay").json()["winColor"], "#00FFE3");
}

TEST_F(OverlaysApi, OriginalClientSavesAllFieldsCrossOrigin) {
    Browser b = loggedIn("magicx");
    // the browser's preflight for the configurator's JSON POST with credentials
    Reply pre = call(port(), "OPTIONS", "/api/users/me/overlay", {},
                     {{"Origin", kFrontend},
                      {"Access-Control-Request-Method", "POST"},
                      {"Access-Control-Request-Headers", "content-type"}});
    EXPECT_LT(pre.status, 300) << pre.status << " " << pre.body;
    EXPECT_EQ(pre.header("access-control-allow-origin"), kFrontend);
    EXPECT_EQ(pre.header("access-control-allow-credentials"), "true");
    EXPECT_NE(lower(pre.header("access-control-allow-methods")).find("post"), std::string::npos);
    Reply evilPre = call(port(), "OPTIONS", "/api/users/me/overlay", {},
                         {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_NE(evilPre.header("access-control-allow-origin"), "https://evil.example");

    json body = json::parse(kAllFields);
    body["overlayStyle"] = "new_v2";
    body["overlayFont"] = "Russo one";
    Reply r = b.post("/api/users/me/overlay", body.dump(),
                     {{"Content-Type", "application/json;charset=UTF-8"}, {"Origin", kFrontend}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("access-control-allow-origin"), kFrontend);
    EXPECT_EQ(r.header("access-control-allow-credentials"), "true");
    auto j = r.json();
    EXPECT_EQ(j["message"], "Overlay settings saved successfully");
    EXPECT_EQ(j["settings"]["overlayStyle"], "new_v2");
    EXPECT_EQ(j["settings"]["overlayFont"], "Russo one");
    EXPECT_TRUE(j["settings"].contains("created_at"));
    const json sent = json::parse(kAllFields);
    for (const auto& [k, v] : sent.items()) EXPECT_TRUE(j["settings"].contains(k)) << k;
    // the same save three times (the client retries) is harmless
    for (int i = 0; i < 3; ++i) EXPECT_EQ(b.post("/api/users/me/overlay", body.dump()).status, 200);
}

TEST_F(OverlaysApi, PublicOverlayDocumentEtagAnd304) {
    Browser b = loggedIn("magicx");
    const std::string id = b.get("/api/users/me").json()["overlay_id"];
    Reply r = call(port(), "GET", "/api/overlay/" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(j["id"], id);
    EXPECT_EQ(j["overlay_style"], "old");
    EXPECT_EQ(j["text_color"], "#F2F2F2") << "colours upper-cased as the original";
    EXPECT_TRUE(j.contains("riot_id"));
    EXPECT_EQ(j.size(), 21u) << j.dump();
    const std::string etag = r.header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_FALSE(r.header("cache-control").empty());

    Reply same = call(port(), "GET", "/api/overlay/" + id, {}, {{"If-None-Match", etag}});
    EXPECT_EQ(same.status, 304);
    EXPECT_TRUE(same.body.empty());
    EXPECT_EQ(same.header("etag"), etag);
    EXPECT_EQ(call(port(), "GET", "/api/overlay/" + id, {}, {{"If-None-Match", "W/" + etag}}).status, 304);

    ASSERT_EQ(b.post("/api/users/me/overlay", R"({"overlayStyle": "new"})").status, 200);
    Reply changed = call(port(), "GET", "/api/overlay/" + id, {}, {{"If-None-Match", etag}});
    EXPECT_EQ(changed.status, 200);
    EXPECT_EQ(changed.json()["overlay_style"], "new");
    EXPECT_NE(changed.header("etag"), etag);

    Reply upper = call(port(), "GET", "/api/overlay/" + lower(id).replace(0, 8, "ABCDEF12"));
    EXPECT_EQ(upper.status, 404);
    EXPECT_EQ(upper.json()["detail"], "Overlay not found");
    Reply bad = call(port(), "GET", "/api/overlay/not-a-uuid");
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(bad.json()["detail"][0]["loc"], json::array({"path", "overlay_id"}));
    EXPECT_EQ(call(port(), "GET", "/api/overlay/%27%3B%20DROP%20TABLE%20overlays%3B--").status, 422);
}

TEST_F(OverlaysApi, HenrikKeyIsProbedStoredMaskedAndNeverPublic) {
    Browser b = loggedIn("magicx");
    Reply wrong = b.post("/api/users/me/hdev_api_key",
                         R"({"hdev_api_key": "HDEV-11111111-2222-3333-4444-555555555555"})");
    EXPECT_EQ(wrong.status, 400) << wrong.body;
    EXPECT_EQ(wrong.json()["detail"], "Invalid Henrik's API key.");
    EXPECT_EQ(b.post("/api/users/me/hdev_api_key", R"({"hdev_api_key": "not-a-key"})").status, 422);
    EXPECT_EQ(b.post("/api/users/me/hdev_api_key", R"({"hdev_api_key": "  "})").json()["detail"],
              "HDEV API key is empty");
    EXPECT_EQ(b.post("/api/users/me/hdev_api_key", R"({})").status, 422);

    Reply ok = b.post("/api/users/me/hdev_api_key", json{{"hdev_api_key", kStreamerKey}}.dump());
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json()["message"], "HDEV API key set successfully");
    EXPECT_EQ(ok.body.find(kStreamerKey), std::string::npos);
    EXPECT_EQ(stack_->sql("SELECT hdev_api_key FROM users WHERE username = 'magicx'")[0][0].as<std::string>(),
              kStreamerKey);

    auto me = b.get("/api/users/me");
    EXPECT_TRUE(me.json()["has_hdev_api_key"].get<bool>());
    EXPECT_EQ(me.body.find(kStreamerKey), std::string::npos);
    const std::string id = me.json()["overlay_id"];
    Reply pub = call(port(), "GET", "/api/overlay/" + id);
    ASSERT_EQ(pub.status, 200);
    EXPECT_EQ(pub.body.find(kStreamerKey), std::string::npos);
    EXPECT_EQ(pub.body.find("hdev"), std::string::npos) << pub.body;
    EXPECT_EQ(b.get("/api/users/me/overlay").body.find(kStreamerKey), std::string::npos);
    // the riot lookup now uses the streamer's key: it works and still never shows it
    ASSERT_EQ(b.post("/api/users/me/riotid", R"({"riot_id": "MAGICX#1337"})").status, 200);
    const std::string log = stack_->host().log();
    EXPECT_FALSE(log.empty());
    EXPECT_EQ(log.find(kStreamerKey), std::string::npos) << "the key is in the host log";
    EXPECT_EQ(log.find(kOperatorKey), std::string::npos) << "the operator key is in the host log";
    EXPECT_EQ(log.find(kSessionSecret), std::string::npos);
    EXPECT_EQ(log.find(b.cookie("Authorization")), std::string::npos) << "a session token is in the host log";
}

TEST_F(OverlaysApi, RiotIdIsResolvedThroughRiot) {
    Browser b = loggedIn("cafecreme");
    Reply lowerCase = b.post("/api/users/me/riotid", R"({"riot_id": "magicx#1337"})");
    ASSERT_EQ(lowerCase.status, 200) << lowerCase.body;
    EXPECT_EQ(lowerCase.json()["riot_id"], "MAGICX#1337") << "Riot's own spelling is stored";
    Reply ok = b.post("/api/users/me/riotid", R"({"riot_id": "  Café Crème#ÉTÉ "})");
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.json()["message"], "Riot ID set successfully");
    EXPECT_EQ(ok.json()["riot_id"], "Café Crème#ÉTÉ");
    const std::string id = b.get("/api/users/me").json()["overlay_id"];
    EXPECT_EQ(call(port(), "GET", "/api/overlay/" + id).json()["riot_id"], "Café Crème#ÉTÉ");
    EXPECT_EQ(b.get("/api/users/me").json()["riot_id"], "Café Crème#ÉTÉ");

    Reply unknown = b.post("/api/users/me/riotid", R"({"riot_id": "Nobody Here#404x"})");
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    EXPECT_EQ(unknown.json()["detail"], "User not found.");
    EXPECT_EQ(b.post("/api/users/me/riotid", R"({"riot_id": "no-hash"})").status, 422);
    EXPECT_EQ(b.post("/api/users/me/riotid", R"({"riot_id": "   "})").json()["detail"], "Riot ID is empty");
    EXPECT_EQ(b.post("/api/users/me/riotid", R"({"riot_id": 5})").status, 422);
    EXPECT_EQ(b.post("/api/users/me/riotid", R"({})").status, 422);

    stack_->fake().mode({{"family", "henrik"}, {"mode", "5xx"}, {"status", 503}, {"count", -1}});
    Reply down = b.post("/api/users/me/riotid", R"({"riot_id": "Nrk#sun"})");
    EXPECT_EQ(down.status, 502) << down.body;
    EXPECT_EQ(b.get("/api/users/me").json()["riot_id"], "Café Crème#ÉTÉ") << "unchanged";
}

TEST_F(OverlaysApi, PingAndHealth) {
    Reply p = call(port(), "GET", "/api/utils/ping");
    ASSERT_EQ(p.status, 200) << p.body;
    auto j = p.json();
    EXPECT_EQ(j["ping"], "pong!");
    EXPECT_EQ(j["status"], "healthy");
    EXPECT_TRUE(j["timestamp"].is_string());
    EXPECT_TRUE(j["scheduler_running"].is_boolean());
    EXPECT_EQ(j["redis_connected"], false) << "no cache/1 in this deployment";
    const double up = j["uptime"].get<double>();
    EXPECT_GE(up, 0.0);
    EXPECT_LT(up, 3600.0) << "uptime is seconds since start, not the Unix time";
    EXPECT_GT(call(port(), "GET", "/api/utils/ping").json()["uptime"].get<double>(), up);

    Reply h = call(port(), "GET", "/api/utils/health");
    ASSERT_EQ(h.status, 200) << h.body;
    EXPECT_EQ(h.json()["status"], "ok");
    EXPECT_EQ(h.json()["checks"]["database"], "ok");
    EXPECT_EQ(h.json()["checks"]["cache"], "absent");
}

TEST_F(OverlaysApi, OpenApiDocumentIsServed) {
    Reply r = call(port(), "GET", "/api/openapi.json");
    ASSERT_EQ(r.status, 200);
    auto j = r.json();
    EXPECT_EQ(j["openapi"].get<std::string>().substr(0, 2), "3.");
    for (const char* p : {"/api/auth/login/twitch", "/api/auth/callback", "/api/auth/logout", "/api/users/me",
                          "/api/users/me/overlay", "/api/overlay/{overlay_id}", "/api/utils/ping"})
        EXPECT_TRUE(j["paths"].contains(p)) << p;
}

namespace {
class ReadableCookie : public OverlaysApi {
    StackOptions options() override {
        StackOptions o;
        o.overlaysSettings = {{"cookie_readable", true},
                              {"cookie_domain", "127.0.0.1"},
                              {"after_login_url", "http://frontend.test/callback"}};
        return o;
    }
};
class SecureDefaults : public OverlaysApi {
    StackOptions options() override {
        StackOptions o;
        o.overlaysSettings = {{"cookie_secure", true}};
        return o;
    }
};
}  // namespace

TEST_F(ReadableCookie, OriginalWebClientCanReadTheCookie) {
    Browser b(port());
    Reply r = stack_->login(b, "magicx");
    ASSERT_EQ(r.status, 302) << r.body;
    EXPECT_EQ(r.header("location"), "http://frontend.test/callback");
    const std::string c = r.setCookie("Authorization");
    EXPECT_EQ(c.find("HttpOnly"), std::string::npos) << c;
    EXPECT_NE(c.find("Domain=127.0.0.1"), std::string::npos) << c;
}

TEST_F(SecureDefaults, SessionCookieIsSecureAndHttpOnly) {
    Browser b(port());
    Reply r = stack_->login(b, "magicx");
    ASSERT_EQ(r.status, 302) << r.body;
    const std::string c = r.setCookie("Authorization");
    EXPECT_NE(c.find("; Secure"), std::string::npos) << c;
    EXPECT_NE(c.find("; HttpOnly"), std::string::npos) << c;
    EXPECT_NE(r.setCookie("twitch_state").find("; Secure"), std::string::npos);
}

TEST(OverlaysDatabaseDown, HealthAndRoutesAnswer503AndRecover) {
    valory::plugins::persistence::test::PrivateCluster cluster("ovldown");
    StackOptions o;
    o.dsn = valory::plugins::persistence::test::freshDatabase(cluster.dsn(), "ovl_down");
    Stack stack("dbdown", o);
    stack.startHost();
    Browser b(stack.port());
    ASSERT_EQ(stack.login(b, "magicx").status, 302);
    const std::string id = b.get("/api/users/me").json()["overlay_id"];
    ASSERT_EQ(call(stack.port(), "GET", "/api/utils/health").status, 200);

    cluster.pause();
    Reply h = call(stack.port(), "GET", "/api/utils/health");
    EXPECT_EQ(h.status, 503) << h.body;
    EXPECT_EQ(h.json()["checks"]["database"], "failed");
    Reply pub = call(stack.port(), "GET", "/api/overlay/" + id);
    EXPECT_EQ(pub.status, 503) << pub.body;
    EXPECT_TRUE(pub.json()["detail"].is_string());
    EXPECT_EQ(b.get("/api/users/me").status, 503);
    EXPECT_EQ(call(stack.port(), "GET", "/api/utils/ping").status, 200) << "liveness needs no database";

    cluster.resume();
    EXPECT_TRUE(waitFor([&] { return call(stack.port(), "GET", "/api/utils/health").status == 200; }, 30s));
    EXPECT_EQ(call(stack.port(), "GET", "/api/overlay/" + id).status, 200);
    EXPECT_EQ(b.get("/api/users/me").status, 200) << "the session survived the outage";
}
