// TwitchClient against a scripted transport with recorded-shape Twitch bodies.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <mutex>

#include "twitch_client.hpp"

using namespace valory::plugins::twitch;
using nlohmann::json;

namespace {

struct Query {
    std::string path;
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<std::string> all(const std::string& k) const {
        std::vector<std::string> out;
        for (const auto& [a, b] : params)
            if (a == k) out.push_back(b);
        return out;
    }
};

Query parse(const std::string& url) {
    Query q;
    auto qm = url.find('?');
    q.path = url.substr(0, qm);
    if (qm == std::string::npos) return q;
    std::string rest = url.substr(qm + 1);
    size_t p = 0;
    while (p <= rest.size()) {
        size_t amp = rest.find('&', p);
        if (amp == std::string::npos) amp = rest.size();
        auto part = rest.substr(p, amp - p);
        auto eq = part.find('=');
        q.params.emplace_back(part.substr(0, eq), eq == std::string::npos ? "" : part.substr(eq + 1));
        p = amp + 1;
    }
    return q;
}

class Scripted : public valory::sdk::HttpTransport {
  public:
    std::function<valory::sdk::HttpResponse(const valory::sdk::HttpRequest&)> handler;
    std::vector<valory::sdk::HttpRequest> sent;
    std::mutex m;
    valory::sdk::HttpResponse send(const valory::sdk::HttpRequest& r) override {
        {
            std::lock_guard l(m);
            sent.push_back(r);
        }
        return handler(r);
    }
    size_t count(const std::string& pathSuffix) {
        size_t n = 0;
        for (const auto& r : sent)
            if (parse(r.url).path.ends_with(pathSuffix)) ++n;
        return n;
    }
};

valory::sdk::HttpResponse resp(int status, const json& body, valory::sdk::HttpHeaders h = {}) {
    valory::sdk::HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers = std::move(h);
    return r;
}

TwitchConfig config() {
    TwitchConfig c;
    c.clientId = "cid";
    c.clientSecret = "secret";
    c.idBaseUrl = "http://id.test/oauth2";
    c.helixBaseUrl = "http://api.test/helix";
    c.redirectUri = "http://localhost:8080/auth/callback";
    return c;
}

json helixUser(const std::string& login, const std::string& id) {
    return json{{"id", id},
                {"login", login},
                {"display_name", login},
                {"type", ""},
                {"broadcaster_type", "affiliate"},
                {"description", "d"},
                {"profile_image_url", "https://static-cdn.jtvnw.net/x.png"},
                {"offline_image_url", ""},
                {"view_count", 5980557},
                {"created_at", "2016-12-14T20:32:28Z"}};
}

/// A small Helix: app token "tok-N", users "streamerNNNN" known, 401 for tokens in `expired`.
struct MiniTwitch {
    int tokens = 0;
    std::set<std::string> expired;
    int remaining = 799;
    int64_t reset = 4102444800;  // 2100-01-01
    valory::sdk::HttpResponse operator()(const valory::sdk::HttpRequest& r) {
        auto q = parse(r.url);
        if (q.path.ends_with("/oauth2/token"))
            return resp(200, {{"access_token", "tok-" + std::to_string(++tokens)},
                              {"expires_in", 5011271},
                              {"token_type", "bearer"}});
        std::string auth;
        for (const auto& [k, v] : r.headers)
            if (k == "Authorization") auth = v.substr(7);
        valory::sdk::HttpHeaders h = {{"Ratelimit-Limit", "800"},
                                      {"Ratelimit-Remaining", std::to_string(remaining)},
                                      {"Ratelimit-Reset", std::to_string(reset)}};
        if (expired.count(auth))
            return resp(401, {{"error", "Unauthorized"}, {"status", 401}, {"message", "Invalid OAuth token"}},
                        h);
        if (q.path.ends_with("/users")) {
            json data = json::array();
            for (const auto& l : q.all("login")) data.push_back(helixUser(l, "7" + l.substr(l.size() - 4)));
            return resp(200, {{"data", data}}, h);
        }
        if (q.path.ends_with("/streams")) {
            json data = json::array();
            for (const auto& l : q.all("user_login"))
                if (l.back() % 2 == 0)
                    data.push_back({{"id", "1"},
                                    {"user_id", "7" + l.substr(l.size() - 4)},
                                    {"user_login", l},
                                    {"user_name", l},
                                    {"game_id", "516575"},
                                    {"game_name", "VALORANT"},
                                    {"type", "live"},
                                    {"title", "t"},
                                    {"viewer_count", 10},
                                    {"started_at", "2026-11-25T20:00:00Z"},
                                    {"language", "en"},
                                    {"thumbnail_url", "x-{width}x{height}.jpg"},
                                    {"tag_ids", json::array()},
                                    {"tags", {"English"}},
                                    {"is_mature", false}});
            return resp(200, {{"data", data}, {"pagination", json::object()}}, h);
        }
        return resp(404, {{"error", "Not Found"}, {"status", 404}, {"message", ""}});
    }
};

std::vector<std::string> logins(int n) {
    std::vector<std::string> out;
    char buf[32];
    for (int i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "streamer%04d", i);
        out.push_back(buf);
    }
    return out;
}

TEST(TwitchClient, BatchesOf100WithRepeatedKeys) {
    Scripted t;
    MiniTwitch tw;
    t.handler = std::ref(tw);
    TwitchClient c(t, config());
    auto r = c.users({}, logins(250), std::chrono::seconds(5));
    EXPECT_EQ(r["users"].size(), 250u);
    EXPECT_TRUE(r["missing_logins"].empty());
    EXPECT_EQ(t.count("/helix/users"), 3u);
    EXPECT_EQ(t.count("/oauth2/token"), 1u);
    std::vector<size_t> sizes;
    for (const auto& s : t.sent)
        if (parse(s.url).path.ends_with("/users")) sizes.push_back(parse(s.url).all("login").size());
    EXPECT_EQ(sizes, (std::vector<size_t>{100, 100, 50}));
    std::printf("[ numbers  ] 250 logins -> %zu Helix /users requests\n", t.count("/helix/users"));
}

TEST(TwitchClient, LoginsCaseInsensitiveAndInvalidOnesNeverSent) {
    Scripted t;
    MiniTwitch tw;
    t.handler = std::ref(tw);
    TwitchClient c(t, config());
    auto r =
        c.users({}, {"Streamer0001", "streamer0001", "STREAMER0001", "bad-login!"}, std::chrono::seconds(5));
    ASSERT_EQ(r["users"].size(), 1u);
    EXPECT_EQ(r["missing_logins"], json::array({"bad-login!"}));
    const auto q = parse(t.sent.back().url);
    EXPECT_EQ(q.all("login"), std::vector<std::string>{"streamer0001"});
}

TEST(TwitchClient, StreamsFirst100AndOfflineList) {
    Scripted t;
    MiniTwitch tw;
    t.handler = std::ref(tw);
    TwitchClient c(t, config());
    auto r = c.streams({}, {"streamer0002", "streamer0003"}, std::chrono::seconds(5));
    ASSERT_EQ(r["streams"].size(), 1u);
    EXPECT_EQ(r["streams"][0]["user_login"], "streamer0002");
    EXPECT_EQ(r["streams"][0]["tags"], json::array({"English"}));
    EXPECT_FALSE(r["streams"][0].contains("tag_ids"));
    EXPECT_EQ(r["offline_logins"], json::array({"streamer0003"}));
    EXPECT_EQ(parse(t.sent.back().url).all("first"), std::vector<std::string>{"100"});
}

TEST(TwitchClient, RenewsAppTokenOnceOn401) {
    Scripted t;
    MiniTwitch tw;
    tw.expired.insert("tok-1");
    t.handler = std::ref(tw);
    TwitchClient c(t, config());
    auto r = c.users({}, {"streamer0001"}, std::chrono::seconds(5));
    EXPECT_EQ(r["users"].size(), 1u);
    EXPECT_EQ(t.count("/oauth2/token"), 2u);
    EXPECT_EQ(t.count("/helix/users"), 2u);
    EXPECT_EQ(c.stats().renewalsOn401.load(), 1u);

    // A second 401 (the renewed token is refused too) is surfaced, after exactly one retry.
    tw.expired.insert("tok-2");
    tw.expired.insert("tok-3");
    t.sent.clear();
    try {
        c.users({}, {"streamer0001"}, std::chrono::seconds(5));
        FAIL() << "expected UNAUTHORIZED";
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UNAUTHORIZED) << e.what();
    }
    EXPECT_EQ(t.count("/helix/users"), 2u);
    EXPECT_EQ(t.count("/oauth2/token"), 1u);
}

TEST(TwitchClient, EmptyBucketBeyondDeadlineFailsAtOnceWithoutSending) {
    int64_t clock = 1'000'000'000'000;
    Scripted t;
    MiniTwitch tw;
    tw.remaining = 0;
    tw.reset = clock / 1000 + 30;
    t.handler = std::ref(tw);
    TwitchClient c(t, config(), [&] { return clock; });
    c.users({}, {"streamer0001"}, std::chrono::seconds(5));  // learns Remaining: 0, reset in 30 s
    const size_t before = t.sent.size();
    try {
        c.users({}, {"streamer0002"}, std::chrono::seconds(5));
        FAIL() << "expected RATE_LIMITED";
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_RATE_LIMITED);
        EXPECT_EQ(e.detail(), 30000);
    }
    EXPECT_EQ(t.sent.size(), before);
    // After the reset the bucket is usable again.
    clock += 31'000;
    tw.remaining = 799;
    EXPECT_EQ(c.users({}, {"streamer0002"}, std::chrono::seconds(5))["users"].size(), 1u);
}

TEST(TwitchClient, CodeExchangeIsNeverRetriedAndInvalidGrantIsTyped) {
    Scripted t;
    t.handler = [](const valory::sdk::HttpRequest& r) {
        if (parse(r.url).path.ends_with("/token"))
            return resp(400, {{"status", 400}, {"message", "Invalid authorization code"}});
        return resp(500, json::object());
    };
    TwitchClient c(t, config());
    try {
        c.exchangeCode("used-code", "", std::chrono::seconds(5));
        FAIL();
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UNAUTHORIZED);
        EXPECT_NE(std::string(e.what()).find("Invalid authorization code"), std::string::npos);
    }
    ASSERT_EQ(t.sent.size(), 1u);
    EXPECT_EQ(t.sent[0].maxAttempts, 1u);
    EXPECT_TRUE(t.sent[0].flags & VALORY_HTTP_CLIENT_NO_RETRY);
    EXPECT_NE(t.sent[0].body.find("grant_type=authorization_code"), std::string::npos);
    EXPECT_NE(t.sent[0].body.find("redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback"),
              std::string::npos);
}

TEST(TwitchClient, CodeExchangeReturnsProfileWithoutCredentials) {
    Scripted t;
    t.handler = [](const valory::sdk::HttpRequest& r) {
        if (parse(r.url).path.ends_with("/token"))
            return resp(200, {{"access_token", "rfx2uswqe8l4g1mkagrvg5tv0ks3"},
                              {"expires_in", 14124},
                              {"refresh_token", "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01"},
                              {"scope", {"user:read:email"}},
                              {"token_type", "bearer"}});
        json u = helixUser("twitchdev", "141981764");
        u["email"] = "not-real@email.com";
        return resp(200, {{"data", {u}}});
    };
    TwitchClient c(t, config());
    auto r = c.exchangeCode("code", "", std::chrono::seconds(5));
    EXPECT_EQ(r["user"]["login"], "twitchdev");
    EXPECT_EQ(r["user"]["email"], "not-real@email.com");
    EXPECT_EQ(r["scopes"], json::array({"user:read:email"}));
    EXPECT_EQ(r.dump().find("rfx2"), std::string::npos);
    EXPECT_FALSE(r["user"].contains("view_count"));
}

TEST(TwitchClient, MalformedJsonIsAClearUpstreamError) {
    Scripted t;
    MiniTwitch tw;
    t.handler = [&](const valory::sdk::HttpRequest& r) {
        if (parse(r.url).path.ends_with("/users")) {
            valory::sdk::HttpResponse x;
            x.status = 200;
            x.body = R"({"data":[{"id":"141981764","login":"twitchdev",)";
            return x;
        }
        return tw(r);
    };
    TwitchClient c(t, config());
    try {
        c.users({}, {"twitchdev"}, std::chrono::seconds(5));
        FAIL();
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UPSTREAM);
        EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
    }
}

TEST(TwitchClient, DeeplyNestedAnswerIsAnUpstreamErrorNotACrash) {
    // The token answer's "scope" is copied into the profile: 300,000 levels overflowed the stack.
    Scripted t;
    t.handler = [](const valory::sdk::HttpRequest& r) {
        if (parse(r.url).path.ends_with("/token")) {
            valory::sdk::HttpResponse x;
            x.status = 200;
            x.body = R"({"access_token":"rfx2uswqe8l4g1mkagrvg5tv0ks3","expires_in":14124,"scope":)" +
                     std::string(300000, '[') + std::string(300000, ']') + R"(,"token_type":"bearer"})";
            return x;
        }
        return resp(200, {{"data", {helixUser("twitchdev", "141981764")}}});
    };
    TwitchClient c(t, config());
    try {
        c.exchangeCode("code", "", std::chrono::seconds(5));
        FAIL();
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UPSTREAM) << e.what();
    }
}

TEST(TwitchClient, AuthorizeUrlCarriesStateAndEncodedParameters) {
    Scripted t;
    TwitchClient c(t, config());
    const auto url = c.authorizeUrl("st4te", "", "", true);
    EXPECT_EQ(url.rfind("http://id.test/oauth2/"
                        "authorize?client_id=cid&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fcallback"
                        "&response_type=code&scope=user%3Aread%3Aemail&state=st4te&force_verify=true",
                        0),
              0u)
        << url;
    EXPECT_THROW(c.authorizeUrl("", "", "", false), valory::sdk::Error);
    EXPECT_TRUE(t.sent.empty());
}

TEST(TwitchClient, SettingsRequireCredentials) {
    EXPECT_THROW(TwitchConfig::fromSettings(json{{"client_id", "x"}}), valory::sdk::Error);
    auto c = TwitchConfig::fromSettings(
        json{{"client_id", "x"}, {"client_secret", "y"}, {"helix_base_url", "http://h/helix/"}});
    EXPECT_EQ(c.helixBaseUrl, "http://h/helix");
}

}  // namespace
