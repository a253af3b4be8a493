// StatsService with in-memory sources: single flight, refresh interval, last good values,
// rate-limited keys, sessions across refreshes, demand-driven refresh.
#include "stats_service.hpp"

#include "app.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "valory/cpp/error.hpp"

namespace valory::plugins::overlays {
namespace {

using nlohmann::json;

class FakeSource : public PlayerSource {
  public:
    json account(const std::string& name, const std::string& tag, const std::string&) override {
        ++accountCalls;
        if (name != "MAGICX" || tag != "1337") throw sdk::Error(VALORY_ERR_NOT_FOUND, "no such account", 22);
        return json{
            {"puuid", "p1"}, {"region", "eu"}, {"name", "MAGICX"}, {"tag", "1337"}, {"account_level", 412}};
    }
    json rank(const std::string&, const std::string&, const std::string&, bool) override {
        ++rankCalls;
        if (gate) {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return !gate; });
        }
        if (fail != VALORY_OK) throw sdk::Error(fail, "henrik down", failDetail);
        return json{{"status", "ranked"},        {"tier", 24},
                    {"tier_name", "Immortal 1"}, {"rr", rr.load()},
                    {"fetched_at_ms", clock},    {"season", {{"winrate", 56}}}};
    }
    json matches(const std::string&, const std::string&, const std::string&, bool) override {
        ++matchCalls;
        std::lock_guard lock(m);
        return json{{"matches", list}};
    }
    std::map<std::string, int64_t> liveSince(const std::vector<std::string>& logins) override {
        ++liveCalls;
        std::map<std::string, int64_t> out;
        for (const auto& l : logins)
            if (l == "magicx" && liveAt) out[l] = *liveAt;
        return out;
    }
    void play(const std::string& id, int64_t at, const std::string& result) {
        std::lock_guard lock(m);
        list.insert(list.begin(), json{{"match_id", id}, {"started_at", isoUtcMs(at)}, {"result", result}});
    }
    void open() {
        {
            std::lock_guard lock(m);
            gate = false;
        }
        cv.notify_all();
    }

    std::atomic<int> accountCalls{0}, rankCalls{0}, matchCalls{0}, liveCalls{0}, rr{41};
    valory_status fail = VALORY_OK;
    int64_t failDetail = 0;
    std::optional<int64_t> liveAt;
    int64_t clock = 0;
    bool gate = false;
    std::mutex m;
    std::condition_variable cv;
    json list = json::array();
};

class MemoryStore : public StatsStore {
  public:
    std::optional<StatsOwner> ownerByOverlayId(const std::string& id) override {
        std::lock_guard lock(m);
        ++ownerLookups;
        auto it = owners.find(id);
        if (it == owners.end()) return std::nullopt;
        return it->second;
    }
    std::optional<StatsOwner> ownerByTwitchLogin(const std::string& login) override {
        std::lock_guard lock(m);
        for (auto& [id, o] : owners)
            if (o.twitchLogin == login) return o;
        return std::nullopt;
    }
    std::vector<PlayedMatch> recordMatches(const std::string& puuid, const std::vector<PlayedMatch>& fetched,
                                           size_t limit) override {
        std::lock_guard lock(m);
        auto& r = recorded[puuid];
        r = mergeMatches(r, fetched);
        std::vector<PlayedMatch> out(r.begin(), r.begin() + static_cast<long>(std::min(limit, r.size())));
        return out;
    }
    void noteDemand(const std::vector<std::string>& ids) override {
        std::lock_guard lock(m);
        for (const auto& id : ids) demand[id] = now;
    }
    std::vector<StatsOwner> demandedSince(int64_t since) override {
        std::lock_guard lock(m);
        std::vector<StatsOwner> out;
        for (auto& [id, at] : demand)
            if (at >= since && owners.count(id)) out.push_back(owners[id]);
        return out;
    }
    void resetSession(const std::string& id, int64_t at) override {
        std::lock_guard lock(m);
        owners[id].sessionResetAtMs = at;
    }

    std::mutex m;
    std::map<std::string, StatsOwner> owners;
    std::map<std::string, std::vector<PlayedMatch>> recorded;
    std::map<std::string, int64_t> demand;
    int64_t now = 0;
    int ownerLookups = 0;
};

class StatsServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        now = *parseIsoUtcMs("2026-12-07T20:00:00Z");
        source.clock = now;
        store.now = now;
        store.owners["ov1"] = StatsOwner{"ov1", "magicx", "MAGICX#1337", "", std::nullopt};
        store.owners["ov2"] = StatsOwner{"ov2", "cafecreme", "", "", std::nullopt};
        store.owners["ov3"] = StatsOwner{"ov3", "ghost", "Nobody#000", "", std::nullopt};
    }
    StatsService make() {
        StatsConfig c;
        c.refreshMs = 30'000;
        return StatsService(source, store, c, [this] { return now; });
    }
    int64_t now = 0;
    FakeSource source;
    MemoryStore store;
};

TEST_F(StatsServiceTest, UnknownOverlayIsNullAndLinkStatesAreDocuments) {
    auto svc = make();
    EXPECT_EQ(svc.byOverlayId("nope"), nullptr);
    EXPECT_EQ(svc.byOverlayId("ov2")->doc["status"], "unlinked");
    EXPECT_EQ(svc.byOverlayId("ov3")->doc["status"], "not_found");
    auto ok = svc.byOverlayId("ov1");
    EXPECT_EQ(ok->doc["status"], "ok");
    EXPECT_EQ(ok->doc["rr"], 41);
    EXPECT_EQ(ok->doc["riot_id"], "MAGICX#1337");
    EXPECT_EQ(ok->etag, etagOf(ok->body));
    EXPECT_EQ(svc.byTwitchLogin("MagicX")->body, ok->body);
    EXPECT_EQ(svc.byTwitchLogin("nobody"), nullptr);
}

TEST_F(StatsServiceTest, OneBuildPerIntervalHoweverManyAsk) {
    auto svc = make();
    source.gate = true;  // the first build blocks upstream until every viewer is waiting
    std::vector<std::thread> viewers;
    std::atomic<int> answered{0};
    for (int i = 0; i < 100; ++i)
        viewers.emplace_back([&] {
            if (svc.byOverlayId("ov1")) ++answered;
        });
    while (source.rankCalls.load() == 0) std::this_thread::yield();
    source.open();
    for (auto& t : viewers) t.join();
    EXPECT_EQ(answered.load(), 100);
    EXPECT_EQ(source.rankCalls.load(), 1);
    EXPECT_EQ(source.accountCalls.load(), 1);

    now += 29'000;
    svc.byOverlayId("ov1");
    EXPECT_EQ(source.rankCalls.load(), 1);  // still inside the interval
    now += 2'000;
    source.rr = 60;
    EXPECT_EQ(svc.byOverlayId("ov1")->doc["rr"], 60);
    EXPECT_EQ(source.rankCalls.load(), 2);
}

TEST_F(StatsServiceTest, HenrikFailureServesLastGoodValuesWithTheirAge) {
    auto svc = make();
    auto good = svc.byOverlayId("ov1");
    EXPECT_FALSE(good->doc["stale"].get<bool>());
    for (valory_status st : {VALORY_ERR_UNAVAILABLE, VALORY_ERR_TIMEOUT, VALORY_ERR_RATE_LIMITED}) {
        now += 31'000;
        source.fail = st;
        source.failDetail = st == VALORY_ERR_RATE_LIMITED ? 5'000 : 503;
        auto s = svc.byOverlayId("ov1");
        EXPECT_EQ(s->doc["status"], "ok") << st;
        EXPECT_EQ(s->doc["rr"], 41);
        EXPECT_TRUE(s->doc["stale"].get<bool>());
        EXPECT_EQ(s->doc["updated_at"], good->doc["updated_at"]);
        EXPECT_GT(s->doc["age_s"].get<int64_t>(), 30);
        EXPECT_NE(s->etag, good->etag);  // the age is part of the answer
    }
    // without any good value the answer is a placeholder, never an error
    store.owners["ov4"] = StatsOwner{"ov4", "", "MAGICX#1337", "HDEV-other", std::nullopt};
    source.fail = VALORY_ERR_UNAVAILABLE;
    EXPECT_EQ(svc.byOverlayId("ov4")->doc["status"], "unavailable");
}

TEST_F(StatsServiceTest, RateLimitedKeyIsNotAskedAgainUntilItsReset) {
    auto svc = make();
    svc.byOverlayId("ov1");
    now += 31'000;
    source.fail = VALORY_ERR_RATE_LIMITED;
    source.failDetail = 90'000;
    svc.byOverlayId("ov1");
    const int calls = source.rankCalls.load();
    source.fail = VALORY_OK;
    now += 31'000;  // the key is still blocked: no call, last good served
    EXPECT_TRUE(svc.byOverlayId("ov1")->doc["stale"].get<bool>());
    EXPECT_EQ(source.rankCalls.load(), calls);
    EXPECT_GE(svc.counters().rateLimitedSkips, 1u);
    now += 60'000;
    EXPECT_FALSE(svc.byOverlayId("ov1")->doc["stale"].get<bool>());
    EXPECT_EQ(source.rankCalls.load(), calls + 1);
}

TEST_F(StatsServiceTest, WonAndLostMatchesMoveTheSessionAndResetStartsOver) {
    auto svc = make();
    source.play("m1", now - 60'000, "win");
    auto s = svc.byOverlayId("ov1")->doc["session"];
    EXPECT_EQ(s["wins"], 1);
    EXPECT_EQ(s["since"], "idle_gap");
    now += 40 * 60'000;
    source.play("m2", now - 60'000, "loss");
    s = svc.byOverlayId("ov1")->doc["session"];
    EXPECT_EQ(s["wins"], 1);
    EXPECT_EQ(s["losses"], 1);
    EXPECT_EQ(svc.byOverlayId("ov1")->doc["last_five"], (json{"loss", "win"}));

    svc.resetSession("ov1");
    s = svc.byOverlayId("ov1")->doc["session"];
    EXPECT_EQ(s["since"], "reset");
    EXPECT_EQ(s["wins"].get<int>() + s["losses"].get<int>(), 0);

    now += 31'000;
    source.liveAt = now - 10'000;  // live: the session is the stream's
    source.play("m3", now - 5'000, "win");
    s = svc.byOverlayId("ov1")->doc["session"];
    EXPECT_EQ(s["since"], "stream");
    EXPECT_EQ(s["wins"], 1);
    EXPECT_EQ(s["losses"], 0);
}

TEST_F(StatsServiceTest, JobRefreshesOnlyDemandedOverlays) {
    auto svc = make();
    EXPECT_EQ(svc.refreshDemanded(), 0u);  // nobody asked: nothing upstream
    EXPECT_EQ(source.rankCalls.load(), 0);
    svc.byOverlayId("ov1");
    now += 31'000;
    store.now = now;
    EXPECT_EQ(svc.refreshDemanded(), 1u);
    EXPECT_EQ(source.rankCalls.load(), 2);
    EXPECT_EQ(source.liveCalls.load(), 2);  // one batch for the whole job
    const int before = source.rankCalls.load();
    svc.byOverlayId("ov1");  // the job's snapshot is fresh: viewers cost nothing
    EXPECT_EQ(source.rankCalls.load(), before);
    now += 11 * 60'000;  // past the demand window
    EXPECT_EQ(svc.refreshDemanded(), 0u);
}

}  // namespace
}  // namespace valory::plugins::overlays
