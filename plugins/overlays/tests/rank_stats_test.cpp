// Sessions, the stats document and ETags, without a host.
#include "rank_stats.hpp"

#include <gtest/gtest.h>

namespace valory::plugins::overlays {
namespace {

using nlohmann::json;

constexpr int64_t kMin = 60'000;
const int64_t kNow = *parseIsoUtcMs("2026-12-07T20:00:00Z");

PlayedMatch m(const std::string& id, int64_t minutesAgo, const std::string& result) {
    return PlayedMatch{id, kNow - minutesAgo * kMin, result};
}

TEST(RankStats, ParsesIsoTimes) {
    EXPECT_EQ(parseIsoUtcMs("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parseIsoUtcMs("1970-01-01T00:00:01.250Z"), 1250);
    EXPECT_EQ(parseIsoUtcMs("2026-11-25T20:55:00.000Z"), parseIsoUtcMs("2026-11-25T20:55:00+00:00"));
    EXPECT_EQ(isoUtcMs(*parseIsoUtcMs("2026-11-25T20:55:00.123Z")), "2026-11-25T20:55:00.123Z");
    EXPECT_FALSE(parseIsoUtcMs(""));
    EXPECT_FALSE(parseIsoUtcMs("2026-13-25T20:55:00Z"));
    EXPECT_FALSE(parseIsoUtcMs("2026-11-25T20:55:00+02:00"));  // only UTC is accepted
    EXPECT_FALSE(parseIsoUtcMs("yesterday"));
}

TEST(RankStats, OfflineSessionIsTheRunOfMatchesAfterTheLastIdleGap) {
    // newest first: 3 matches 40 min apart, then a 5 h gap, then an older run
    std::vector<PlayedMatch> ms = {m("a", 10, "win"), m("b", 50, "loss"), m("c", 90, "win"),
                                   m("d", 390, "win"), m("e", 430, "win")};
    SessionInputs in;
    in.nowMs = kNow;
    in.idleGapMs = 2 * 60 * kMin;
    auto s = computeSession(ms, in);
    EXPECT_EQ(s.since, "idle_gap");
    EXPECT_EQ(s.wins, 2);
    EXPECT_EQ(s.losses, 1);
    EXPECT_EQ(s.draws, 0);
    EXPECT_EQ(s.startedAtMs, kNow - 90 * kMin);
}

TEST(RankStats, SessionIsOverAfterAnIdleGapWithoutMatches) {
    SessionInputs in;
    in.nowMs = kNow;
    in.idleGapMs = 2 * 60 * kMin;
    auto s = computeSession({m("a", 200, "win"), m("b", 240, "loss")}, in);
    EXPECT_EQ(s.since, "none");
    EXPECT_EQ(s.wins + s.losses + s.draws, 0);
    EXPECT_FALSE(s.startedAtMs);
    EXPECT_EQ(computeSession({}, in).since, "none");
}

TEST(RankStats, LiveSessionStartsWithTheStreamAndResetWins) {
    std::vector<PlayedMatch> ms = {m("a", 10, "win"), m("b", 50, "draw"), m("c", 90, "loss")};
    SessionInputs in;
    in.nowMs = kNow;
    in.streamStartedAtMs = kNow - 60 * kMin;  // c started before the stream went live
    auto s = computeSession(ms, in);
    EXPECT_EQ(s.since, "stream");
    EXPECT_EQ(s.wins, 1);
    EXPECT_EQ(s.draws, 1);
    EXPECT_EQ(s.losses, 0);

    in.resetAtMs = kNow - 20 * kMin;  // the owner reset after b
    s = computeSession(ms, in);
    EXPECT_EQ(s.since, "reset");
    EXPECT_EQ(s.wins, 1);
    EXPECT_EQ(s.draws, 0);

    in.streamStartedAtMs.reset();
    in.resetAtMs = kNow - 500 * kMin;  // an old reset does not widen the idle-gap session
    s = computeSession(ms, in);
    EXPECT_EQ(s.since, "idle_gap");
    EXPECT_EQ(s.wins + s.losses + s.draws, 3);
}

TEST(RankStats, PlayedMatchesKeepsCompetitiveNewestFirstAndMergesById) {
    json rec = {{"matches",
                 {{{"match_id", "x1"},
                   {"started_at", "2026-12-07T19:00:00.000Z"},
                   {"result", "loss"},
                   {"mode", "competitive"}},
                  {{"match_id", "x2"}, {"started_at", "2026-12-07T19:40:00.000Z"}, {"result", "win"}},
                  {{"match_id", "x3"},
                   {"started_at", "2026-12-07T19:50:00.000Z"},
                   {"result", "win"},
                   {"mode", "unrated"}},
                  {{"match_id", "x4"}, {"started_at", "garbage"}, {"result", "win"}}}}};
    auto p = playedMatches(rec);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].id, "x2");
    EXPECT_EQ(p[1].id, "x1");
    auto merged = mergeMatches({m("old", 300, "draw"), PlayedMatch{"x1", p[1].startedAtMs, "loss"}}, p);
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[0].id, "x2");
    EXPECT_EQ(merged[2].id, "old");
    EXPECT_TRUE(playedMatches(json::object()).empty());
    EXPECT_TRUE(playedMatches(json{{"matches", 5}}).empty());
}

TEST(RankStats, StatsDocumentCarriesEveryField) {
    json account = {{"puuid", "p"}, {"name", "Café Crème"}, {"tag", "ÉTÉ"}, {"account_level", 57}};
    json rank = {{"status", "ranked"},
                 {"tier", 24},
                 {"tier_name", "Immortal 1"},
                 {"rr", 41},
                 {"elo", 2141},
                 {"last_change", -18},
                 {"leaderboard_rank", 4210},
                 {"peak", {{"tier", 25}, {"tier_name", "Immortal 2"}, {"rr", 87}, {"season", "e9a3"}}},
                 {"season", {{"short", "e10a5"}, {"wins", 31}, {"games", 55}, {"winrate", 57}}},
                 {"fetched_at_ms", kNow - 90'000},
                 {"stale", false}};
    std::vector<PlayedMatch> ms = {m("a", 10, "win"),  m("b", 50, "loss"), m("c", 60, "win"),
                                   m("d", 70, "draw"), m("e", 80, "win"),  m("f", 90, "loss")};
    Session s;
    s.wins = 3;
    s.losses = 2;
    s.draws = 1;
    s.since = "stream";
    s.startedAtMs = kNow - 95 * kMin;
    auto d = buildStats("ov1", account, rank, ms, s, kNow);
    EXPECT_EQ(d["status"], "ok");
    EXPECT_EQ(d["riot_id"], "Café Crème#ÉTÉ");
    EXPECT_EQ(d["level"], 57);
    EXPECT_EQ(d["tier"], (json{{"id", 24}, {"name", "Immortal 1"}}));
    EXPECT_EQ(d["rr"], 41);
    EXPECT_EQ(d["elo"], 2141);
    EXPECT_EQ(d["last_change"], -18);
    EXPECT_EQ(d["peak"]["tier"]["name"], "Immortal 2");
    EXPECT_EQ(d["peak"]["rr"], 87);
    EXPECT_EQ(d["leaderboard_place"], 4210);
    EXPECT_EQ(d["session"]["wins"], 3);
    EXPECT_EQ(d["session"]["losses"], 2);
    EXPECT_EQ(d["session"]["draws"], 1);
    EXPECT_EQ(d["session"]["since"], "stream");
    EXPECT_EQ(d["last_five"], (json{"win", "loss", "win", "draw", "win"}));
    EXPECT_EQ(d["season_winrate"], 57);
    EXPECT_EQ(d["age_s"], 90);
    EXPECT_EQ(d["updated_at"], isoUtcMs(kNow - 90'000));
    EXPECT_FALSE(d["stale"].get<bool>());

    rank.erase("last_change");
    rank["leaderboard_rank"] = nullptr;
    rank["peak"] = nullptr;
    d = buildStats("ov1", account, rank, {}, Session{}, kNow);
    EXPECT_TRUE(d["last_change"].is_null());
    EXPECT_TRUE(d["leaderboard_place"].is_null());
    EXPECT_TRUE(d["peak"].is_null());
    EXPECT_TRUE(d["last_five"].empty());

    auto none = buildStats("ov1", account, json{{"status", "no_data"}}, {}, Session{}, kNow);
    EXPECT_EQ(none["status"], "no_data");
    EXPECT_EQ(none["tier"]["name"], "Unranked");
}

}  // namespace
}  // namespace valory::plugins::overlays
