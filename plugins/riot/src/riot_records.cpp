#include "riot_records.hpp"

#include <vector>

#include "valory/cpp/error.hpp"

namespace valory::plugins::riot {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t num(const json& j, const char* key, int64_t fallback = 0) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}
json numOrNull(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? json(it->get<int64_t>()) : json(nullptr);
}
const json& member(const json& j, const char* key) {
    static const json null = nullptr;
    if (!j.is_object()) return null;
    auto it = j.find(key);
    return it == j.end() ? null : *it;
}
/// {"id": n, "name": "..."} tier objects; the name falls back to our table.
std::pair<int, std::string> tierOf(const json& t) {
    const int id = static_cast<int>(num(t, "id", 0));
    std::string name = str(t, "name");
    if (name.empty()) name = tierName(id);
    return {id, name};
}

}  // namespace

std::string tierName(int tier) {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n = {"Unrated", "Unused1", "Unused2"};
        for (const char* rank :
             {"Iron", "Bronze", "Silver", "Gold", "Platinum", "Diamond", "Ascendant", "Immortal"})
            for (int i = 1; i <= 3; ++i) n.push_back(std::string(rank) + " " + std::to_string(i));
        n.push_back("Radiant");
        return n;
    }();
    if (tier < 0 || tier >= static_cast<int>(names.size())) return "Unknown";
    return names[static_cast<size_t>(tier)];
}

json tierImages(int tier) {
    const std::string base =
        "https://media.valorant-api.com/competitivetiers/03621f52-342b-cf4e-4f86-9350a49c6d04/" +
        std::to_string(tier) + "/";
    return json{{"small", base + "smallicon.png"}, {"large", base + "largeicon.png"}};
}

json accountRecord(const json& d) {
    if (!d.is_object() || str(d, "puuid").empty())
        throw sdk::Error(VALORY_ERR_UPSTREAM, "HenrikDev account answer without puuid");
    const json& card = member(d, "card");
    std::string cardId = card.is_string() ? card.get<std::string>() : str(card, "id");
    json platforms = member(d, "platforms").is_array() ? member(d, "platforms") : json::array();
    std::string updated = str(d, "updated_at");
    if (updated.empty()) updated = str(d, "last_update");
    return json{{"puuid", str(d, "puuid")},
                {"name", str(d, "name")},
                {"tag", str(d, "tag")},
                {"region", str(d, "region")},
                {"account_level", num(d, "account_level")},
                {"card", cardId},
                {"title", str(d, "title")},
                {"platforms", platforms},
                {"updated_at", updated},
                {"stale", false}};
}

json rankRecord(const json& d, const std::string& region, int64_t nowMs) {
    const json& current = member(d, "current");
    if (!current.is_object()) throw sdk::Error(VALORY_ERR_UPSTREAM, "HenrikDev MMR answer without `current`");
    const json& account = member(d, "account");
    auto [tier, name] = tierOf(member(current, "tier"));
    const int64_t needed = num(current, "games_needed_for_rating");
    const char* status = needed > 0 ? "placements" : (tier == 0 ? "unrated" : "ranked");

    json leaderboard = nullptr;
    const json& lp = member(current, "leaderboard_placement");
    if (lp.is_object() && member(lp, "rank").is_number_integer()) leaderboard = lp["rank"];

    json peak = nullptr;
    const json& p = member(d, "peak");
    if (p.is_object()) {
        auto [pt, pn] = tierOf(member(p, "tier"));
        peak = json{{"tier", pt},
                    {"tier_name", pn},
                    {"rr", num(p, "rr")},
                    {"season", str(member(p, "season"), "short")}};
    }

    json season = nullptr;
    const json& seasonal = member(d, "seasonal");
    if (seasonal.is_array() && !seasonal.empty()) {
        const json& last = seasonal.back();  // the latest act
        const int64_t wins = num(last, "wins"), games = num(last, "games");
        const int64_t winrate =
            games > 0 ? (wins * 100 + games - 1) / games : 0;  // ceil, as Valory v2 showed it
        season = json{{"short", str(member(last, "season"), "short")},
                      {"wins", wins},
                      {"games", games},
                      {"losses", games >= wins ? games - wins : 0},
                      {"winrate", winrate}};
    }

    return json{{"puuid", str(account, "puuid")},
                {"name", str(account, "name")},
                {"tag", str(account, "tag")},
                {"region", region},
                {"status", status},
                {"tier", tier},
                {"tier_name", name},
                {"rr", num(current, "rr")},
                {"elo", numOrNull(current, "elo")},
                {"last_change", numOrNull(current, "last_change")},
                {"games_needed_for_rating", needed},
                {"rank_protection_shields", num(current, "rank_protection_shields")},
                {"leaderboard_rank", leaderboard},
                {"peak", peak},
                {"season", season},
                {"images", tierImages(tier)},
                {"fetched_at_ms", nowMs},
                {"stale", false}};
}

json noDataRankRecord(const std::string& puuid, const std::string& name, const std::string& tag,
                      const std::string& region, int64_t nowMs) {
    return json{{"puuid", puuid},
                {"name", name},
                {"tag", tag},
                {"region", region},
                {"status", "no_data"},
                {"tier", 0},
                {"tier_name", tierName(0)},
                {"rr", 0},
                {"elo", nullptr},
                {"last_change", nullptr},
                {"games_needed_for_rating", 0},
                {"rank_protection_shields", 0},
                {"leaderboard_rank", nullptr},
                {"peak", nullptr},
                {"season", nullptr},
                {"images", tierImages(0)},
                {"fetched_at_ms", nowMs},
                {"stale", false}};
}

json matchesRecord(const json& data, const std::string& puuid, const std::string& region, int64_t nowMs) {
    if (!data.is_array())
        throw sdk::Error(VALORY_ERR_UPSTREAM, "HenrikDev matches answer: data is not an array");
    json list = json::array();
    int64_t wins = 0, losses = 0, draws = 0;
    for (const auto& m : data) {
        const json& meta = member(m, "metadata");
        const json& queue = member(meta, "queue");
        const std::string mode = str(queue, "id");
        if (!mode.empty() && mode != "competitive") continue;
        const json* me = nullptr;
        if (member(m, "players").is_array())
            for (const auto& pl : m["players"])
                if (str(pl, "puuid") == puuid) me = &pl;
        if (!me) continue;  // not this player's match (should not happen)
        const std::string team = str(*me, "team_id");
        const json* mine = nullptr;
        const json* other = nullptr;
        if (member(m, "teams").is_array())
            for (const auto& t : m["teams"]) (str(t, "team_id") == team ? mine : other) = &t;
        const bool iWon = mine && member(*mine, "won").is_boolean() && (*mine)["won"].get<bool>();
        const bool theyWon = other && member(*other, "won").is_boolean() && (*other)["won"].get<bool>();
        const char* result = iWon ? "win" : (theyWon ? "loss" : "draw");
        (iWon ? wins : theyWon ? losses : draws) += 1;
        static const json kNull = nullptr;
        const json& rounds = mine ? member(*mine, "rounds") : kNull;
        const json& stats = member(*me, "stats");
        list.push_back(json{{"match_id", str(meta, "match_id")},
                            {"started_at", str(meta, "started_at")},
                            {"map", str(member(meta, "map"), "name")},
                            {"agent", str(member(*me, "agent"), "name")},
                            {"mode", mode.empty() ? "competitive" : mode},
                            {"result", result},
                            {"rounds_won", num(rounds, "won")},
                            {"rounds_lost", num(rounds, "lost")},
                            {"kills", num(stats, "kills")},
                            {"deaths", num(stats, "deaths")},
                            {"assists", num(stats, "assists")}});
    }
    return json{{"puuid", puuid}, {"region", region}, {"wins", wins},           {"losses", losses},
                {"draws", draws}, {"matches", list},  {"fetched_at_ms", nowMs}, {"stale", false}};
}

}  // namespace valory::plugins::riot
