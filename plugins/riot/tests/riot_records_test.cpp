// Normalisation of recorded-shape HenrikDev bodies (tests/fixtures) into riot/1 records.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "riot_records.hpp"
#include "valory/cpp/error.hpp"

using namespace valory::plugins::riot;
using nlohmann::json;

namespace {

json fixture(const std::string& name) {
    std::ifstream f(std::string(VALORY_RIOT_FIXTURES) + "/" + name);
    EXPECT_TRUE(f.good()) << name;
    return json::parse(f);
}

TEST(RiotRecords, AccountV1AndV2) {
    auto a1 = accountRecord(fixture("account_v1.json")["data"]);
    EXPECT_EQ(a1["name"], "NitroSniper");
    EXPECT_EQ(a1["card"], "9fb348bc-41a0-91ad-8a3e-818035c4e561");
    EXPECT_EQ(a1["account_level"], 125);
    EXPECT_EQ(a1["updated_at"], "12 minutes ago");
    auto a2 = accountRecord(fixture("account_v2.json")["data"]);
    EXPECT_EQ(a2["name"], "Café Crème");
    EXPECT_EQ(a2["tag"], "ÉTÉ");
    EXPECT_EQ(a2["platforms"], json::array({"PC"}));
    EXPECT_EQ(a2["stale"], false);
    EXPECT_THROW(accountRecord(json{{"name", "x"}}), valory::sdk::Error);
}

TEST(RiotRecords, RankedDiamond) {
    auto r = rankRecord(fixture("mmr_v3_diamond.json")["data"], "eu", 42);
    EXPECT_EQ(r["status"], "ranked");
    EXPECT_EQ(r["tier"], 20);
    EXPECT_EQ(r["tier_name"], "Diamond 3");
    EXPECT_EQ(r["rr"], 29);
    EXPECT_EQ(r["elo"], 1729);
    EXPECT_EQ(r["last_change"], -11);
    EXPECT_EQ(r["rank_protection_shields"], 2);
    EXPECT_TRUE(r["leaderboard_rank"].is_null());
    EXPECT_EQ(r["peak"], (json{{"tier", 27}, {"tier_name", "Radiant"}, {"rr", 0}, {"season", "e8a2"}}));
    // the latest act is the last seasonal entry; winrate rounds up
    EXPECT_EQ(r["season"],
              (json{{"short", "e10a5"}, {"wins", 18}, {"games", 26}, {"losses", 8}, {"winrate", 70}}));
    EXPECT_EQ(r["images"]["small"],
              "https://media.valorant-api.com/competitivetiers/03621f52-342b-cf4e-4f86-9350a49c6d04/20/"
              "smallicon.png");
    EXPECT_EQ(r["name"], "Nrk");
    EXPECT_EQ(r["region"], "eu");
    EXPECT_EQ(r["fetched_at_ms"], 42);
}

TEST(RiotRecords, LeaderboardPlacementAndPeak) {
    auto r = rankRecord(fixture("mmr_v3_immortal_leaderboard.json")["data"], "eu", 0);
    EXPECT_EQ(r["leaderboard_rank"], 4210);
    EXPECT_EQ(r["peak"]["tier_name"], "Immortal 2");
    EXPECT_EQ(r["season"]["winrate"], 57);  // ceil(31*100/55)
}

TEST(RiotRecords, PlacementsUnratedAndMissingLastChange) {
    auto r = rankRecord(fixture("mmr_v3_placements.json")["data"], "ap", 0);
    EXPECT_EQ(r["status"], "placements");
    EXPECT_EQ(r["tier_name"], "Unrated");
    EXPECT_EQ(r["games_needed_for_rating"], 3);
    EXPECT_TRUE(r["last_change"].is_null());  // absent upstream -> null, not 0
    EXPECT_TRUE(r["peak"].is_null());
    EXPECT_TRUE(r["season"].is_null());

    json unrated = fixture("mmr_v3_placements.json")["data"];
    unrated["current"]["games_needed_for_rating"] = 0;
    EXPECT_EQ(rankRecord(unrated, "ap", 0)["status"], "unrated");

    json noName = fixture("mmr_v3_diamond.json")["data"];
    noName["current"]["tier"].erase("name");
    noName["current"].erase("elo");
    auto n = rankRecord(noName, "eu", 0);
    EXPECT_EQ(n["tier_name"], "Diamond 3");  // from our table
    EXPECT_TRUE(n["elo"].is_null());
    EXPECT_THROW(rankRecord(json{{"account", json::object()}}, "eu", 0), valory::sdk::Error);
}

TEST(RiotRecords, NoDataRecord) {
    auto r = noDataRankRecord("p", "NoRank", "404", "eu", 1);
    EXPECT_EQ(r["status"], "no_data");
    EXPECT_EQ(r["tier"], 0);
    EXPECT_TRUE(r["elo"].is_null());
}

TEST(RiotRecords, MatchesWinsLossesDrawsSkipOtherQueues) {
    auto m = matchesRecord(fixture("matches_v4.json")["data"], "me", "eu", 0);
    EXPECT_EQ(m["wins"], 1);
    EXPECT_EQ(m["losses"], 1);
    EXPECT_EQ(m["draws"], 1);
    ASSERT_EQ(m["matches"].size(), 3u);
    EXPECT_EQ(m["matches"][0], (json{{"match_id", "m1"},
                                     {"started_at", "2026-11-25T21:40:00.000Z"},
                                     {"map", "Ascent"},
                                     {"agent", "Jett"},
                                     {"mode", "competitive"},
                                     {"result", "loss"},
                                     {"rounds_won", 10},
                                     {"rounds_lost", 13},
                                     {"kills", 17},
                                     {"deaths", 19},
                                     {"assists", 3}}));
    EXPECT_EQ(m["matches"][1]["result"], "win");
    EXPECT_EQ(m["matches"][2]["result"], "draw");
    EXPECT_THROW(matchesRecord(json::object(), "me", "eu", 0), valory::sdk::Error);
}

TEST(RiotRecords, TierTable) {
    EXPECT_EQ(tierName(0), "Unrated");
    EXPECT_EQ(tierName(3), "Iron 1");
    EXPECT_EQ(tierName(16), "Platinum 2");
    EXPECT_EQ(tierName(21), "Ascendant 1");
    EXPECT_EQ(tierName(26), "Immortal 3");
    EXPECT_EQ(tierName(27), "Radiant");
    EXPECT_EQ(tierName(99), "Unknown");
}

}  // namespace
