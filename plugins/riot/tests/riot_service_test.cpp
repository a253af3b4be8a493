// RiotService + HenrikClient against a scripted transport: error codes, key header, caching,
// stale serving, coalescing.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "riot_service.hpp"

using namespace valory::plugins::riot;
using nlohmann::json;

namespace {

json fixture(const std::string& name) {
    std::ifstream f(std::string(VALORY_RIOT_FIXTURES) + "/" + name);
    return json::parse(f);
}

valory::sdk::HttpResponse resp(int status, const json& body) {
    valory::sdk::HttpResponse r;
    r.status = status;
    r.body = body.dump();
    return r;
}

class Scripted : public valory::sdk::HttpTransport {
  public:
    std::function<valory::sdk::HttpResponse(const valory::sdk::HttpRequest&)> handler;
    std::mutex m;
    std::vector<valory::sdk::HttpRequest> sent;
    valory::sdk::HttpResponse send(const valory::sdk::HttpRequest& r) override {
        {
            std::lock_guard l(m);
            sent.push_back(r);
        }
        return handler(r);
    }
    size_t count(const std::string& needle) {
        std::lock_guard l(m);
        size_t n = 0;
        for (const auto& r : sent)
            if (r.url.find(needle) != std::string::npos) ++n;
        return n;
    }
};

/// Answers like HenrikDev for the fixtures' players.
valory::sdk::HttpResponse henrik(const valory::sdk::HttpRequest& r) {
    const auto& u = r.url;
    if (u.find("/v2/account/Caf%C3%A9%20Cr%C3%A8me/%C3%89T%C3%89") != std::string::npos)
        return resp(200, fixture("account_v2.json"));
    if (u.find("/v2/account/") != std::string::npos || u.find("/v2/by-puuid/account/") != std::string::npos) {
        if (u.find("nobody") != std::string::npos) return resp(404, fixture("error_22.json"));
        json a = fixture("account_v2.json");
        a["data"]["puuid"] =
            u.find("norank") != std::string::npos ? "norank-puuid" : "04bb9a05-1234-5678-9abc-def012345678";
        a["data"]["name"] = "Nrk";
        a["data"]["tag"] = "sun";
        return resp(200, a);
    }
    if (u.find("/v3/by-puuid/mmr/") != std::string::npos) {
        if (u.find("norank-puuid") != std::string::npos) return resp(404, fixture("error_25.json"));
        return resp(200, fixture("mmr_v3_diamond.json"));
    }
    if (u.find("/v4/by-puuid/matches/") != std::string::npos) {
        json m = fixture("matches_v4.json");
        for (auto& match : m["data"])
            for (auto& p : match["players"])
                if (p["puuid"] == "me") p["puuid"] = "04bb9a05-1234-5678-9abc-def012345678";
        return resp(200, m);
    }
    return resp(404, {{"status", 404}, {"errors", {{{"message", "Route not found"}, {"code", 0}}}}});
}

struct Fixture {
    Scripted transport;
    std::unique_ptr<HenrikClient> client;
    std::unique_ptr<RiotService> service;
    explicit Fixture(RiotConfig cfg = {}) {
        transport.handler = henrik;
        cfg.henrik.baseUrl = "http://henrik.test/valorant";
        cfg.henrik.apiKey = "HDEV-server";
        client = std::make_unique<HenrikClient>(transport, cfg.henrik);
        service = std::make_unique<RiotService>(*client, cfg, std::make_unique<LocalRecordStore>(100));
    }
};

RiotQuery byId(std::string name, std::string tag) {
    RiotQuery q;
    q.name = std::move(name);
    q.tag = std::move(tag);
    return q;
}

TEST(RiotService, RiotIdWithUnicodeAndSpacesIsPercentEncodedAndKeyIsRaw) {
    Fixture f;
    auto a = f.service->account(byId("Café Crème", "ÉTÉ"));
    EXPECT_EQ(a["name"], "Café Crème");
    ASSERT_EQ(f.transport.sent.size(), 1u);
    const auto& req = f.transport.sent[0];
    EXPECT_EQ(req.url, "http://henrik.test/valorant/v2/account/Caf%C3%A9%20Cr%C3%A8me/%C3%89T%C3%89");
    bool keyHeader = false;
    for (const auto& [k, v] : req.headers)
        keyHeader = keyHeader || (k == "Authorization" && v == "HDEV-server");
    EXPECT_TRUE(keyHeader);
    // a streamer's own key replaces the server key
    RiotQuery own = byId("Nrk", "sun");
    own.apiKey = "HDEV-streamer";
    f.service->account(own);
    bool streamerKey = false;
    for (const auto& [k, v] : f.transport.sent.back().headers)
        streamerKey = streamerKey || (k == "Authorization" && v == "HDEV-streamer");
    EXPECT_TRUE(streamerKey);
}

// Regression (hardening issue, item 7): ".." as a name or tag must not reach HenrikDev as a
// dot-segment that walks its path (with the server's key).
TEST(RiotService, DotSegmentNameOrTagIsRefusedBeforeAnyRequest) {
    Fixture f;
    for (const auto& [name, tag] : std::vector<std::pair<std::string, std::string>>{
             {"..", "sun"}, {"Nrk", ".."}, {".", "sun"}, {"Nrk", "."}}) {
        try {
            f.service->account(byId(name, tag));
            ADD_FAILURE() << name << "#" << tag << " was accepted";
        } catch (const valory::sdk::Error& e) {
            EXPECT_EQ(e.status(), VALORY_ERR_INVALID_ARGUMENT) << e.what();
        }
    }
    EXPECT_TRUE(f.transport.sent.empty()) << f.transport.sent.front().url;
    f.service->account(byId("...", "sun"));  // three dots is a name, not a dot-segment
    ASSERT_EQ(f.transport.sent.size(), 1u);
}

TEST(RiotService, Code22IsNotFoundAndRemembered) {
    Fixture f;
    for (int i = 0; i < 3; ++i) {
        try {
            f.service->rank(byId("nobody", "0000"));
            FAIL();
        } catch (const valory::sdk::Error& e) {
            EXPECT_EQ(e.status(), VALORY_ERR_NOT_FOUND);
            EXPECT_EQ(e.detail(), 22);
        }
    }
    EXPECT_EQ(f.transport.sent.size(), 1u);  // negative answer cached for not_found_ttl_s
}

TEST(RiotService, Code25IsANoDataRank) {
    Fixture f;
    auto r = f.service->rank(byId("norank", "404"));
    EXPECT_EQ(r["status"], "no_data");
    EXPECT_EQ(r["puuid"], "norank-puuid");
    EXPECT_EQ(r["name"], "Nrk");
}

TEST(RiotService, RankAndMatchesAreCachedPerPlayer) {
    Fixture f;
    for (int i = 0; i < 5; ++i) {
        auto r = f.service->rank(byId("Nrk", "sun"));
        EXPECT_EQ(r["tier_name"], "Diamond 3");
        auto m = f.service->matches(byId("nrk", "SUN"));  // case-insensitive Riot ID
        EXPECT_EQ(m["wins"], 1);
    }
    EXPECT_EQ(f.transport.count("/account/"), 1u);
    EXPECT_EQ(f.transport.count("/mmr/"), 1u);
    EXPECT_EQ(f.transport.count("/matches/"), 1u);
    EXPECT_NE(f.transport.sent.back().url.find("mode=competitive&size=5"), std::string::npos);
    RiotQuery fresh = byId("Nrk", "sun");
    fresh.fresh = true;
    f.service->rank(fresh);
    EXPECT_EQ(f.transport.count("/mmr/"), 2u);
    EXPECT_EQ(f.transport.count("/account/"), 1u);
}

TEST(RiotService, StaleValueServedWhenHenrikFails) {
    Fixture f;
    // A store whose clock moves 2 s per read: entries are always past their 1 s TTL but inside
    // the 600 s stale window.
    RiotConfig c;
    c.rankTtl = std::chrono::seconds(1);
    c.staleWindow = std::chrono::seconds(600);
    int64_t t = 0;
    f.service = std::make_unique<RiotService>(
        *f.client, c, std::make_unique<LocalRecordStore>(100, [&t] { return t += 2000; }));
    RiotQuery q = byId("Nrk", "sun");
    q.puuid = "04bb9a05-1234-5678-9abc-def012345678";
    q.region = "eu";
    EXPECT_EQ(f.service->rank(q)["stale"], false);
    f.transport.handler = [](const valory::sdk::HttpRequest&) -> valory::sdk::HttpResponse {
        throw valory::sdk::HttpClientError(VALORY_ERR_RATE_LIMITED, "429", 30000, std::nullopt, {});
    };
    auto r = f.service->rank(q);
    EXPECT_EQ(r["stale"], true);
    EXPECT_EQ(r["tier_name"], "Diamond 3");
    EXPECT_EQ(f.service->stats().staleServed, 1u);
    // Not transient: a refused key is an error even with a stale value.
    f.transport.handler = [](const valory::sdk::HttpRequest&) {
        return resp(403, {{"status", 403}, {"errors", {{{"message", "Invalid API Key"}, {"code", 0}}}}});
    };
    try {
        f.service->rank(q);
        FAIL();
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UNAUTHORIZED);
    }
}

TEST(RiotService, ErrorsAreTyped) {
    Fixture f;
    RiotQuery q = byId("Nrk", "sun");
    q.puuid = "p";
    q.region = "eu";
    auto expectStatus = [&](valory::sdk::HttpResponse r, valory_status want) {
        f.transport.handler = [r](const valory::sdk::HttpRequest&) { return r; };
        RiotQuery fq = q;
        fq.fresh = true;
        try {
            f.service->rank(fq);
            ADD_FAILURE() << "no error for " << r.status;
        } catch (const valory::sdk::Error& e) {
            EXPECT_EQ(e.status(), want) << e.what();
        }
    };
    valory::sdk::HttpResponse malformed;
    malformed.status = 200;
    malformed.body = R"({"status":200,"data":{"account":)";
    expectStatus(malformed, VALORY_ERR_UPSTREAM);
    expectStatus(resp(401, {{"status", 401}, {"errors", {{{"message", "Missing API Key"}, {"code", 0}}}}}),
                 VALORY_ERR_UNAUTHORIZED);
    expectStatus(resp(400, {{"status", 400}, {"errors", {{{"message", "Invalid region"}, {"code", 6}}}}}),
                 VALORY_ERR_INVALID_ARGUMENT);
    q.region = "mars";
    try {
        f.service->rank(q);
        FAIL();
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_INVALID_ARGUMENT);
    }
    EXPECT_THROW(f.service->rank(RiotQuery{}), valory::sdk::Error);
}

TEST(RiotService, DeeplyNestedAnswerIsAnUpstreamErrorNotACrash) {
    // 300,000 levels parse iteratively, but copying "data" recursed once per level and overflowed
    // the stack; the answer is now refused at the nesting limit.
    Fixture f;
    valory::sdk::HttpResponse deep;
    deep.status = 200;
    deep.body = R"({"status":200,"data":)" + std::string(300000, '[') + std::string(300000, ']') + "}";
    f.transport.handler = [deep](const valory::sdk::HttpRequest&) { return deep; };
    RiotQuery q = byId("Nrk", "sun");
    q.fresh = true;
    try {
        f.service->rank(q);
        ADD_FAILURE() << "no error for a deeply nested answer";
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UPSTREAM) << e.what();
    }
}

TEST(RiotService, HundredConcurrentLookupsOfOnePlayerMakeOneUpstreamCall) {
    Fixture f;
    std::atomic<int> inFlight{0};
    f.transport.handler = [&](const valory::sdk::HttpRequest& r) {
        ++inFlight;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a slow HenrikDev
        --inFlight;
        return henrik(r);
    };
    RiotQuery q;
    q.puuid = "04bb9a05-1234-5678-9abc-def012345678";
    q.region = "eu";
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 100; ++i)
        threads.emplace_back([&] {
            if (f.service->rank(q)["tier"] == 20) ++ok;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 100);
    EXPECT_EQ(f.transport.count("/mmr/"), 1u);
    std::printf(
        "[ numbers  ] 100 concurrent rank lookups of one player -> %zu upstream call(s), %llu coalesced\n",
        f.transport.count("/mmr/"), static_cast<unsigned long long>(f.service->stats().coalesced));
}

TEST(RiotService, TtlZeroMeansNotCachedButStillCoalesced) {
    RiotConfig c;
    c.rankTtl = std::chrono::seconds(0);
    Fixture f(c);
    RiotQuery q;
    q.puuid = "04bb9a05-1234-5678-9abc-def012345678";
    q.region = "eu";
    f.service->rank(q);
    f.service->rank(q);
    EXPECT_EQ(f.transport.count("/mmr/"), 2u);
}

TEST(RiotService, SettingsParse) {
    auto c = RiotConfig::fromSettings(
        json{{"base_url", "http://x/valorant/"}, {"api_key", "k"}, {"rank_ttl_s", 30}});
    EXPECT_EQ(c.henrik.apiKey, "k");
    EXPECT_EQ(c.rankTtl, std::chrono::seconds(30));
    EXPECT_THROW(RiotConfig::fromSettings(json{{"platform", "switch"}}), valory::sdk::Error);
}

}  // namespace
