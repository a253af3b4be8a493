// Fake HenrikDev API (api.henrikdev.xyz/valorant/...): accounts, MMR v1/v2/v3, matches v4,
// leaderboard v3, version. Shapes follow external-apis.md §2.2 and its checklist.
#include "fake_upstreams.hpp"

#include <algorithm>
#include <set>

namespace valory::fakes {

namespace {

const std::set<std::string> kAffinities = {"eu", "na", "latam", "br", "ap", "kr"};
const char* kTierSet = "03621f52-342b-cf4e-4f86-9350a49c6d04";

Json tierImages(int tier) {
    const std::string base = std::string("https://media.valorant-api.com/competitivetiers/") + kTierSet +
                             "/" + std::to_string(tier) + "/";
    return Json{{"small", base + "smallicon.png"},
                {"large", base + "largeicon.png"},
                {"triangle_down", base + "ranktriangledownicon.png"},
                {"triangle_up", base + "ranktriangleupicon.png"}};
}

Json tierObj(int tier) {
    return Json{{"id", tier}, {"name", tierName(tier)}};
}

int eloOf(const Json& m) {
    if (m.contains("elo")) return m.at("elo").get<int>();
    const int tier = m.value("tier", 0);
    return (tier - 3) * 100 + m.value("rr", 0);
}

Json seasonObj(const std::string& shortName) {
    return Json{{"id", fakeUuid("season:" + shortName)}, {"short", shortName}};
}

Json leaderboardPlacement(const Json& m) {
    if (!m.contains("leaderboard_rank") || m.at("leaderboard_rank").is_null()) return nullptr;
    return Json{{"rank", m.at("leaderboard_rank")}, {"updated_at", "2026-11-25T22:00:00.000Z"}};
}

}  // namespace

Reply FakeUpstreams::henrikError(int status, int code, const std::string& message,
                                 const Json& details) const {
    Reply r;
    r.status = status;
    r.body =
        Json{{"status", status}, {"errors", {{{"message", message}, {"code", code}, {"details", details}}}}}
            .dump();
    return r;
}

const Json* FakeUpstreams::playerByName(const std::string& name, const std::string& tag) const {
    const auto n = lowerAscii(name), t = lowerAscii(tag);
    for (const auto& p : players_)
        if (lowerAscii(p.at("name").get<std::string>()) == n &&
            lowerAscii(p.at("tag").get<std::string>()) == t)
            return &p;
    return nullptr;
}

const Json* FakeUpstreams::playerByPuuid(const std::string& puuid) const {
    for (const auto& p : players_)
        if (p.at("puuid").get<std::string>() == puuid) return &p;
    return nullptr;
}

Json FakeUpstreams::accountV1(const Json& p) const {
    const auto card = p.at("card").get<std::string>();
    const std::string base = "https://media.valorant-api.com/playercards/" + card + "/";
    return Json{{"puuid", p.at("puuid")},
                {"region", p.at("region")},
                {"account_level", p.at("account_level")},
                {"name", p.at("name")},
                {"tag", p.at("tag")},
                {"card",
                 {{"small", base + "smallart.png"},
                  {"large", base + "largeart.png"},
                  {"wide", base + "wideart.png"},
                  {"id", card}}},
                {"last_update", "12 minutes ago"},
                {"last_update_raw", (nowMs() / 1000) - 720}};
}

Json FakeUpstreams::accountV2(const Json& p) const {
    return Json{{"puuid", p.at("puuid")},
                {"region", p.at("region")},
                {"account_level", p.at("account_level")},
                {"name", p.at("name")},
                {"tag", p.at("tag")},
                {"card", p.at("card")},
                {"title", p.at("title")},
                {"platforms", p.at("platforms")},
                {"updated_at", p.at("updated_at")}};
}

Json FakeUpstreams::mmrV1(const Json& p) const {
    const Json& m = p.at("mmr");
    const int tier = m.value("tier", 0);
    return Json{{"currenttier", tier},
                {"currenttierpatched", tierName(tier)},
                {"images", tierImages(tier)},
                {"ranking_in_tier", m.value("rr", 0)},
                {"mmr_change_to_last_game", m.value("last_change", 0)},
                {"elo", eloOf(m)},
                {"name", p.at("name")},
                {"tag", p.at("tag")},
                {"old", m.value("old", false)}};
}

Json FakeUpstreams::mmrV2(const Json& p) const {
    const Json& m = p.at("mmr");
    const int tier = m.value("tier", 0);
    Json current{{"currenttier", tier},
                 {"currenttierpatched", tierName(tier)},
                 {"images", tierImages(tier)},
                 {"ranking_in_tier", m.value("rr", 0)},
                 {"mmr_change_to_last_game", m.value("last_change", 0)},
                 {"elo", eloOf(m)},
                 {"games_needed_for_rating", m.value("games_needed_for_rating", 0)},
                 {"old", m.value("old", false)}};
    Json highest = nullptr;
    if (m.contains("peak") && !m.at("peak").is_null()) {
        const Json& pk = m.at("peak");
        highest = Json{{"old", false},
                       {"tier", pk.value("tier", 0)},
                       {"patched_tier", tierName(pk.value("tier", 0))},
                       {"season", pk.value("season", "e9a1")}};
    }
    Json bySeason = Json::object();
    for (const auto& s : m.value("seasonal", Json::array())) {
        const int end = s.value("end_tier", 0);
        bySeason[s.value("season", "e9a1")] =
            Json{{"wins", s.value("wins", 0)},
                 {"number_of_games", s.value("games", 0)},
                 {"final_rank", end},
                 {"final_rank_patched", tierName(end)},
                 {"act_rank_wins", {{{"patched_tier", tierName(end)}, {"tier", end}}}},
                 {"old", false}};
    }
    return Json{{"name", p.at("name")},    {"tag", p.at("tag")},      {"puuid", p.at("puuid")},
                {"current_data", current}, {"highest_rank", highest}, {"by_season", bySeason}};
}

Json FakeUpstreams::mmrV3(const Json& p) const {
    const Json& m = p.at("mmr");
    const int tier = m.value("tier", 0);
    Json current{{"tier", tierObj(tier)},
                 {"rr", m.value("rr", 0)},
                 {"elo", eloOf(m)},
                 {"games_needed_for_rating", m.value("games_needed_for_rating", 0)},
                 {"rank_protection_shields", m.value("rank_protection_shields", 0)},
                 {"leaderboard_placement", leaderboardPlacement(m)}};
    if (m.contains("last_change")) current["last_change"] = m.at("last_change");  // may be missing upstream
    Json peak = nullptr;
    if (m.contains("peak") && !m.at("peak").is_null()) {
        const Json& pk = m.at("peak");
        peak = Json{{"season", seasonObj(pk.value("season", "e9a1"))},
                    {"ranking_schema", pk.value("ranking_schema", "ascendant")},
                    {"tier", tierObj(pk.value("tier", 0))},
                    {"rr", pk.value("rr", 0)}};
    }
    Json seasonal = Json::array();
    for (const auto& s : m.value("seasonal", Json::array())) {
        const int end = s.value("end_tier", 0);
        seasonal.push_back(
            Json{{"season", seasonObj(s.value("season", "e9a1"))},
                 {"wins", s.value("wins", 0)},
                 {"games", s.value("games", 0)},
                 {"end_tier", tierObj(end)},
                 {"end_rr", s.value("end_rr", 0)},
                 {"ranking_schema", "ascendant"},
                 {"leaderboard_placement", nullptr},
                 {"act_wins", s.value("wins", 0) > 0 ? Json::array({tierObj(end)}) : Json::array()}});
    }
    return Json{{"account", {{"puuid", p.at("puuid")}, {"name", p.at("name")}, {"tag", p.at("tag")}}},
                {"peak", peak},
                {"current", current},
                {"seasonal", seasonal}};
}

Json FakeUpstreams::matchesV4(const Json& p, const std::string& mode, size_t size) const {
    static const std::vector<std::string> agents = {"Jett", "Sova", "Omen",   "Killjoy", "Reyna",
                                                    "Sage", "Raze", "Cypher", "Breach",  "Skye"};
    Json data = Json::array();
    const auto& matches = p.at("matches");
    for (size_t i = 0; i < matches.size() && data.size() < size; ++i) {
        const Json& mt = matches[i];
        const std::string queue = mt.value("mode", "competitive");
        if (!mode.empty() && lowerAscii(mode) != queue) continue;
        const std::string result = mt.value("result", "win");
        const int won = mt.value("rounds_won", result == "loss" ? 7 : (result == "draw" ? 12 : 13));
        const int lost = mt.value("rounds_lost", result == "loss" ? 13 : (result == "draw" ? 12 : 7));
        const std::string myTeam = (i % 2 == 0) ? "Red" : "Blue", other = myTeam == "Red" ? "Blue" : "Red";
        const std::string matchId =
            mt.value("match_id", fakeUuid(p.at("puuid").get<std::string>() + ":match:" + std::to_string(i)));
        const std::string map = mt.value("map", "Ascent");
        const int tier = p.at("mmr").is_null() ? 0 : p.at("mmr").value("tier", 0);
        Json players = Json::array();
        players.push_back(Json{
            {"puuid", p.at("puuid")},
            {"name", p.at("name")},
            {"tag", p.at("tag")},
            {"team_id", myTeam},
            {"platform", "pc"},
            {"party_id", fakeUuid(matchId + ":party")},
            {"agent",
             {{"id", fakeUuid("agent:" + mt.value("agent", "Jett"))}, {"name", mt.value("agent", "Jett")}}},
            {"stats",
             {{"score", mt.value("score", 4200)},
              {"kills", mt.value("kills", 18)},
              {"deaths", mt.value("deaths", 14)},
              {"assists", mt.value("assists", 5)},
              {"headshots", 21},
              {"bodyshots", 60},
              {"legshots", 4},
              {"damage", {{"dealt", 3400}, {"received", 2900}}}}},
            {"tier", tierObj(tier)},
            {"account_level", p.at("account_level")},
            {"session_playtime_in_ms", 2100000}});
        for (int k = 1; k < 10; ++k) {
            const std::string name = "Player" + std::to_string(k);
            players.push_back(Json{
                {"puuid", fakeUuid(matchId + name)},
                {"name", name},
                {"tag", "FAKE"},
                {"team_id", k < 5 ? myTeam : other},
                {"platform", "pc"},
                {"party_id", fakeUuid(matchId + name + ":party")},
                {"agent",
                 {{"id", fakeUuid("agent:" + agents[static_cast<size_t>(k)])},
                  {"name", agents[static_cast<size_t>(k)]}}},
                {"stats", {{"score", 3000 + 100 * k}, {"kills", 10 + k}, {"deaths", 15}, {"assists", 4}}},
                {"tier", tierObj(tier)},
                {"account_level", 50 + k}});
        }
        const bool draw = result == "draw";
        Json teams = Json::array({Json{{"team_id", myTeam},
                                       {"rounds", {{"won", won}, {"lost", lost}}},
                                       {"won", !draw && result == "win"},
                                       {"premier_roster", nullptr}},
                                  Json{{"team_id", other},
                                       {"rounds", {{"won", lost}, {"lost", won}}},
                                       {"won", !draw && result == "loss"},
                                       {"premier_roster", nullptr}}});
        data.push_back(Json{{"metadata",
                             {{"match_id", matchId},
                              {"map", {{"id", fakeUuid("map:" + map)}, {"name", map}}},
                              {"game_version", "release-11.10-shipping-9-3143284"},
                              {"game_length_in_ms", 2100000},
                              {"started_at", mt.value("started_at", "2026-11-25T20:00:00.000Z")},
                              {"is_completed", true},
                              {"queue",
                               {{"id", queue},
                                {"name", queue == "competitive" ? "Competitive" : queue},
                                {"mode_type", "Standard"}}},
                              {"season", seasonObj(mt.value("season", "e10a5"))},
                              {"platform", "pc"},
                              {"premier", nullptr},
                              {"party_rr_penaltys", Json::array()},
                              {"cluster", "Frankfurt"},
                              {"region", p.at("region")}}},
                            {"players", players},
                            {"observers", Json::array()},
                            {"coaches", Json::array()},
                            {"teams", teams},
                            {"rounds", Json::array()},
                            {"kills", Json::array()}});
    }
    return data;
}

Json FakeUpstreams::leaderboardV3(const std::string& affinity, size_t size, size_t page) const {
    std::vector<Json> rows;
    for (const auto& p : players_) {
        if (p.at("region") != affinity || p.at("mmr").is_null()) continue;
        const Json& m = p.at("mmr");
        if (!m.contains("leaderboard_rank") || m.at("leaderboard_rank").is_null()) continue;
        rows.push_back(Json{{"card", p.at("card")},
                            {"title", p.at("title")},
                            {"is_banned", false},
                            {"is_anonymized", false},
                            {"puuid", p.at("puuid")},
                            {"name", p.at("name")},
                            {"tag", p.at("tag")},
                            {"leaderboard_rank", m.at("leaderboard_rank")},
                            {"tier", m.value("tier", 24)},
                            {"rr", m.value("rr", 0)},
                            {"wins", 120},
                            {"updated_at", "2026-11-25T22:00:00.000Z"}});
    }
    // Fill the top of the board so a random pick always has names.
    for (int i = 1; i <= 25; ++i) {
        bool taken = false;
        for (const auto& r : rows) taken = taken || r.at("leaderboard_rank") == i;
        if (taken) continue;
        const int tier = i <= 10 ? 27 : 26;
        rows.push_back(
            Json{{"card", fakeUuid("card" + std::to_string(i))},
                 {"title", fakeUuid("title" + std::to_string(i))},
                 {"is_banned", false},
                 {"is_anonymized", i == 7},
                 {"puuid", i == 7 ? Json(nullptr) : Json(fakeUuid("lb:" + affinity + std::to_string(i)))},
                 {"name", i == 7 ? "" : "TopFragger" + std::to_string(i)},
                 {"tag", i == 7 ? "" : affinity + "1"},
                 {"leaderboard_rank", i},
                 {"tier", tier},
                 {"rr", 1000 - i * 20},
                 {"wins", 200 - i},
                 {"updated_at", "2026-11-25T22:00:00.000Z"}});
    }
    std::sort(rows.begin(), rows.end(), [](const Json& a, const Json& b) {
        return a.at("leaderboard_rank").get<int>() < b.at("leaderboard_rank").get<int>();
    });
    Json players = Json::array();
    const size_t start = (page > 0 ? page - 1 : 0) * size;
    for (size_t i = start; i < rows.size() && players.size() < size; ++i) players.push_back(rows[i]);
    return Json{{"updated_at", "2026-11-25T22:00:00.000Z"},
                {"thresholds",
                 {{{"tier", tierObj(27)}, {"start_index", 1}, {"threshold", 550}},
                  {{"tier", tierObj(26)}, {"start_index", 11}, {"threshold", 200}},
                  {{"tier", tierObj(25)}, {"start_index", 400}, {"threshold", 90}},
                  {{"tier", tierObj(24)}, {"start_index", 2000}, {"threshold", 0}}}},
                {"players", players},
                {"total", rows.size()}};
}

Reply FakeUpstreams::henrik(const Incoming& in, const std::string& family) {
    (void)family;
    // Authentication: raw key in Authorization (no Bearer) or ?api_key=.
    std::string key = in.header("Authorization").value_or(in.param("api_key").value_or(""));
    if (henrikRequireKey_) {
        if (key.empty())
            return henrikError(401, 0, "Missing API Key",
                               "Please provide an API Key, see https://docs.henrikdev.xyz");
        if (!henrikKeys_.empty() &&
            std::find(henrikKeys_.begin(), henrikKeys_.end(), key) == henrikKeys_.end())
            return henrikError(403, 0, "Invalid API Key", nullptr);
    }
    // Per-key fixed window.
    const int64_t now = nowMs();
    Bucket& b = henrikBuckets_[key];
    if (b.windowStartMs == 0 || now >= b.windowStartMs + henrikWindowS_ * 1000LL) {
        b.windowStartMs = now;
        b.used = 0;
    }
    const int64_t resetAt = b.windowStartMs + henrikWindowS_ * 1000LL;
    const std::string resetValue = henrikResetFormat_ == "epoch"
                                       ? std::to_string((resetAt + 999) / 1000)
                                       : std::to_string((resetAt - now + 999) / 1000);
    auto withHeaders = [&](Reply r) {
        r.headers.emplace_back("x-ratelimit-limit", std::to_string(henrikLimit_));
        r.headers.emplace_back("x-ratelimit-remaining", std::to_string(std::max(0, henrikLimit_ - b.used)));
        r.headers.emplace_back("x-ratelimit-reset", resetValue);
        return r;
    };
    if (b.used >= henrikLimit_) {
        Reply r;
        r.status = 429;
        r.body =
            Json{{"status", 429}, {"errors", {{{"message", "Rate Limited"}, {"code", 0}, {"global", false}}}}}
                .dump();
        return withHeaders(r);
    }
    ++b.used;
    if (in.method != "GET") return withHeaders(henrikError(404, 0, "Route not found", nullptr));

    const auto& s = in.segments;  // valorant, vN, ...
    auto ok = [&](const Json& data) {
        Reply r;
        r.status = 200;
        r.body = Json{{"status", 200}, {"data", data}}.dump();
        return withHeaders(r);
    };
    auto badRegion = [&](const std::string& a) { return kAffinities.count(a) == 0; };
    auto notFound = [&]() { return withHeaders(henrikError(404, 22, "Account not found", nullptr)); };
    auto noMmr = [&]() { return withHeaders(henrikError(404, 25, "No MMR data found for user", nullptr)); };
    const size_t n = s.size();
    if (n < 3 || s[0] != "valorant") return withHeaders(henrikError(404, 0, "Route not found", nullptr));
    const std::string& v = s[1];

    // accounts
    if (n == 5 && s[2] == "account" && (v == "v1" || v == "v2")) {
        const Json* p = playerByName(s[3], s[4]);
        if (!p) return notFound();
        return ok(v == "v1" ? accountV1(*p) : accountV2(*p));
    }
    if (n == 5 && s[2] == "by-puuid" && s[3] == "account" && (v == "v1" || v == "v2")) {
        const Json* p = playerByPuuid(s[4]);
        if (!p) return notFound();
        return ok(v == "v1" ? accountV1(*p) : accountV2(*p));
    }
    // MMR
    auto mmrFor = [&](const Json* p, const std::string& affinity, const std::string& ver) -> Reply {
        if (badRegion(affinity)) return withHeaders(henrikError(400, 6, "Invalid region", nullptr));
        if (!p) return notFound();
        if (p->at("mmr").is_null()) return noMmr();
        if (ver == "v1") return ok(mmrV1(*p));
        if (ver == "v2") return ok(mmrV2(*p));
        return ok(mmrV3(*p));
    };
    auto badPlatform = [&](const std::string& pf) { return pf != "pc" && pf != "console"; };
    if (s[2] == "mmr") {
        if ((v == "v1" || v == "v2") && n == 6) return mmrFor(playerByName(s[4], s[5]), s[3], v);
        if (v == "v3" && n == 7) {
            if (badPlatform(s[4])) return withHeaders(henrikError(400, 0, "Invalid platform", nullptr));
            return mmrFor(playerByName(s[5], s[6]), s[3], v);
        }
    }
    if (s[2] == "by-puuid" && n >= 4 && s[3] == "mmr") {
        if ((v == "v1" || v == "v2") && n == 6) return mmrFor(playerByPuuid(s[5]), s[4], v);
        if (v == "v3" && n == 7) {
            if (badPlatform(s[5])) return withHeaders(henrikError(400, 0, "Invalid platform", nullptr));
            return mmrFor(playerByPuuid(s[6]), s[4], v);
        }
    }
    // matches v4
    auto matchesFor = [&](const Json* p, const std::string& affinity, const std::string& platform) -> Reply {
        if (badRegion(affinity)) return withHeaders(henrikError(400, 6, "Invalid region", nullptr));
        if (badPlatform(platform)) return withHeaders(henrikError(400, 0, "Invalid platform", nullptr));
        if (!p) return notFound();
        size_t size = 10;
        if (auto sz = in.param("size")) size = std::clamp<size_t>(std::stoul(*sz), 1, 10);
        return ok(matchesV4(*p, in.param("mode").value_or(""), size));
    };
    if (v == "v4" && s[2] == "matches" && n == 7) return matchesFor(playerByName(s[5], s[6]), s[3], s[4]);
    if (v == "v4" && s[2] == "by-puuid" && n == 7 && s[3] == "matches")
        return matchesFor(playerByPuuid(s[6]), s[4], s[5]);
    // leaderboard v3
    if (v == "v3" && s[2] == "leaderboard" && n == 5) {
        if (badRegion(s[3])) return withHeaders(henrikError(400, 6, "Invalid region", nullptr));
        size_t size = 200, page = 1;
        if (auto sz = in.param("size")) size = std::clamp<size_t>(std::stoul(*sz), 1, 1000);
        if (auto pg = in.param("page")) page = std::max<size_t>(1, std::stoul(*pg));
        Json lb = leaderboardV3(s[3], size, page);
        const size_t total = lb.at("total").get<size_t>();
        lb.erase("total");
        Reply r;
        r.status = 200;
        r.body = Json{
            {"status", 200},
            {"results",
             {{"total", total},
              {"returned", lb.at("players").size()},
              {"before", (page - 1) * size},
              {"after", total > page * size ? total - page * size : 0}}},
            {"data",
             lb}}.dump();
        return withHeaders(r);
    }
    if (v == "v1" && s[2] == "version" && n == 4) {
        if (badRegion(s[3])) return withHeaders(henrikError(400, 6, "Invalid region", nullptr));
        return ok(Json{{"region", s[3]},
                       {"branch", "release-11.10"},
                       {"build_date", "Nov 18 2026"},
                       {"build_ver", "11.10.0.3143284"},
                       {"last_checked", "2026-11-25T22:00:00.000Z"},
                       {"version", 9},
                       {"version_for_api", "release-11.10-shipping-9-3143284"}});
    }
    return withHeaders(henrikError(404, 0, "Route not found", nullptr));
}

// ------------------------------------------------------------------------------------------------
// seeding

void FakeUpstreams::seed(const Json& s, bool merge) {
    std::lock_guard lock(mutex_);
    seedLocked(s, merge);
}

void FakeUpstreams::seedLocked(const Json& s, bool merge) {
    const Json tw = s.value("twitch", Json::object());
    const Json hd = s.value("henrik", Json::object());
    if (!merge || tw.contains("client_id"))
        clientId_ = tw.value("client_id", "fakeclientid0000000000000000000");
    if (!merge || tw.contains("client_secret"))
        clientSecret_ = tw.value("client_secret", "fakeclientsecret00000000000000");
    if (!merge || tw.contains("redirect_uris"))
        redirectUris_ = tw.value("redirect_uris", std::vector<std::string>{});
    if (!merge || tw.contains("app_token_ttl_s"))
        appTokenTtlS_ = tw.value("app_token_ttl_s", int64_t{5011271});
    if (!merge || tw.contains("user_token_ttl_s"))
        userTokenTtlS_ = tw.value("user_token_ttl_s", int64_t{14124});
    if (tw.contains("rate_limit")) {
        helixLimit_ = tw["rate_limit"].value("limit", 800);
        helixWindowS_ = tw["rate_limit"].value("window_s", 60);
    } else if (!merge) {
        helixLimit_ = 800;
        helixWindowS_ = 60;
    }
    if (!merge || tw.contains("authorize_login")) authorizeLogin_ = tw.value("authorize_login", "");

    auto normUser = [this](const Json& u) {
        TwitchUser t;
        const std::string login = lowerAscii(u.at("login").get<std::string>());
        t.user = Json{
            {"id", u.value("id", std::to_string(100000000 + (std::hash<std::string>{}(login) % 800000000)))},
            {"login", login},
            {"display_name", u.value("display_name", u.at("login").get<std::string>())},
            {"type", u.value("type", "")},
            {"broadcaster_type", u.value("broadcaster_type", "")},
            {"description", u.value("description", "")},
            {"profile_image_url",
             u.value("profile_image_url", "https://static-cdn.jtvnw.net/jtv_user_pictures/" +
                                              fakeUuid("pfp:" + login) + "-profile_image-300x300.png")},
            {"offline_image_url", u.value("offline_image_url", "")},
            {"view_count", u.value("view_count", 0)},
            {"created_at", u.value("created_at", "2016-12-14T20:32:28Z")}};
        if (u.contains("email")) t.user["email"] = u.at("email");
        t.stream = nullptr;
        if (u.contains("stream") && u.at("stream").is_object()) {
            t.stream = u.at("stream");
            if (!t.stream.contains("id"))
                t.stream["id"] =
                    std::to_string(40000000000ull + std::hash<std::string>{}(login) % 999999999ull);
        }
        (void)this;
        return t;
    };
    if (!merge) users_.clear();
    auto upsertUser = [&](TwitchUser t) {
        const auto login = t.user.at("login").get<std::string>();
        for (auto& e : users_)
            if (e.user.at("login") == login) {
                e = std::move(t);
                return;
            }
        users_.push_back(std::move(t));
    };
    for (const auto& u : tw.value("users", Json::array())) upsertUser(normUser(u));
    if (tw.contains("generate")) {
        const Json& g = tw.at("generate");
        const int count = g.value("count", 0), liveEvery = g.value("live_every", 3);
        const std::string prefix = g.value("prefix", "streamer");
        for (int i = 0; i < count; ++i) {
            char login[64];
            std::snprintf(login, sizeof login, "%s%04d", prefix.c_str(), i);
            Json u{{"login", login},
                   {"id", std::to_string(g.value("start_id", 700000000) + i)},
                   {"display_name", std::string(login)}};
            if (liveEvery > 0 && i % liveEvery == 0)
                u["stream"] = Json{{"title", "Ranked grind #" + std::to_string(i)},
                                   {"viewer_count", 10 + (i * 37) % 5000},
                                   {"started_at", "2026-11-25T21:00:00Z"}};
            upsertUser(normUser(u));
        }
    }
    userIdx_.clear();
    loginIdx_.clear();
    for (size_t i = 0; i < users_.size(); ++i) {
        userIdx_[users_[i].user.at("id").get<std::string>()] = i;
        loginIdx_[users_[i].user.at("login").get<std::string>()] = i;
    }

    if (!merge || hd.contains("keys")) henrikKeys_ = hd.value("keys", std::vector<std::string>{});
    if (!merge || hd.contains("require_key")) henrikRequireKey_ = hd.value("require_key", true);
    if (hd.contains("rate_limit")) {
        henrikLimit_ = hd["rate_limit"].value("limit", 30);
        henrikWindowS_ = hd["rate_limit"].value("window_s", 60);
    } else if (!merge) {
        henrikLimit_ = 30;
        henrikWindowS_ = 60;
    }
    if (!merge || hd.contains("reset_format")) henrikResetFormat_ = hd.value("reset_format", "seconds");

    auto normPlayer = [](const Json& p) {
        const std::string name = p.at("name").get<std::string>(), tag = p.at("tag").get<std::string>();
        Json out{{"name", name},
                 {"tag", tag},
                 {"puuid", p.value("puuid", fakeUuid("puuid:" + lowerAscii(name) + "#" + lowerAscii(tag)))},
                 {"region", p.value("region", "eu")},
                 {"account_level", p.value("account_level", 100)},
                 {"card", p.value("card", fakeUuid("card:" + name))},
                 {"title", p.value("title", fakeUuid("title:" + name))},
                 {"platforms", p.value("platforms", Json::array({"PC"}))},
                 {"updated_at", p.value("updated_at", "2026-11-25T20:00:00.000Z")},
                 {"mmr", p.contains("mmr") ? p.at("mmr") : Json(nullptr)},
                 {"matches", p.value("matches", Json::array())}};
        return out;
    };
    if (!merge) players_.clear();
    auto upsertPlayer = [&](Json p) {
        for (auto& e : players_)
            if (e.at("puuid") == p.at("puuid")) {
                e = std::move(p);
                return;
            }
        players_.push_back(std::move(p));
    };
    for (const auto& p : hd.value("players", Json::array())) upsertPlayer(normPlayer(p));
    if (hd.contains("generate")) {
        const Json& g = hd.at("generate");
        for (int i = 0; i < g.value("count", 0); ++i) {
            const int tier = 3 + (i * 7) % 25;
            upsertPlayer(normPlayer(
                Json{{"name", g.value("prefix", "Player") + std::to_string(i)},
                     {"tag", "GEN"},
                     {"mmr", {{"tier", tier}, {"rr", (i * 13) % 100}, {"last_change", (i % 2) ? 17 : -14}}},
                     {"matches", {{{"result", "win"}}, {{"result", "loss"}}}}}));
        }
    }
}

// /__control/match {"name", "tag", "result": "win"|"loss"|"draw", "rr_change"?, "started_at"?, "mode"?,
// "map"?, "agent"?, "match_id"?}: the player "plays" a match. It becomes the newest of their matches
// (earlier matches keep their ids), and a competitive one moves the MMR like a real game: rr by
// rr_change (default +20 / -18 / 0) with promotion over 100 and demotion under 0 (Immortal and up
// have no ceiling), last_change, elo, peak, and the latest act's wins and games.
Reply FakeUpstreams::addMatch(const Json& body) {
    auto reply = [](int status, const Json& j) {
        Reply r;
        r.status = status;
        r.body = j.dump();
        return r;
    };
    const std::string result = body.value("result", "win");
    if (result != "win" && result != "loss" && result != "draw")
        return reply(400, Json{{"error", "bad_result"}, {"message", "result is win, loss or draw"}});
    Json* player = nullptr;
    const auto n = lowerAscii(body.value("name", "")), t = lowerAscii(body.value("tag", ""));
    for (auto& p : players_)
        if (lowerAscii(p.at("name").get<std::string>()) == n &&
            lowerAscii(p.at("tag").get<std::string>()) == t)
            player = &p;
    if (!player) return reply(404, Json{{"error", "not_found"}, {"message", "no such seeded player"}});
    Json& p = *player;
    const std::string puuid = p.at("puuid").get<std::string>();
    Json& matches = p["matches"];
    for (size_t i = 0; i < matches.size(); ++i)  // ids derived from the position must not shift
        if (!matches[i].contains("match_id"))
            matches[i]["match_id"] = fakeUuid(puuid + ":match:" + std::to_string(i));
    const std::string mode = body.value("mode", "competitive");
    Json match{
        {"result", result},
        {"mode", mode},
        {"map", body.value("map", "Ascent")},
        {"agent", body.value("agent", "Jett")},
        {"started_at", body.value("started_at", isoUtcMs(nowMs()))},
        {"match_id", body.value("match_id", fakeUuid(puuid + ":added:" + std::to_string(++matchesAdded_)))}};
    matches.insert(matches.begin(), match);

    if (mode == "competitive" && p.contains("mmr") && p.at("mmr").is_object()) {
        Json& m = p["mmr"];
        const int change = body.value("rr_change", result == "win" ? 20 : (result == "loss" ? -18 : 0));
        int tier = m.value("tier", 0), rr = m.value("rr", 0);
        if (m.value("games_needed_for_rating", 0) > 0) {
            m["games_needed_for_rating"] = m.value("games_needed_for_rating", 0) - 1;
        } else if (tier >= 3) {
            rr += change;
            while (rr >= 100 && tier < 24) {
                ++tier;
                rr -= 100;
            }
            if (rr < 0) {
                if (tier > 3) {
                    --tier;
                    rr += 100;
                } else {
                    rr = 0;
                }
            }
            m["tier"] = tier;
            m["rr"] = rr;
            m["last_change"] = change;
            if (m.contains("elo")) m["elo"] = m.at("elo").get<int>() + change;
            Json& peak = m["peak"];
            if (peak.is_null() || tier > peak.value("tier", 0) ||
                (tier == peak.value("tier", 0) && rr > peak.value("rr", 0)))
                peak = Json{{"tier", tier},
                            {"rr", rr},
                            {"season", peak.is_object() ? peak.value("season", "e10a5") : "e10a5"}};
        }
        Json& seasonal = m["seasonal"];
        if (!seasonal.is_array() || seasonal.empty())
            seasonal = Json::array({Json{{"season", "e10a5"}, {"wins", 0}, {"games", 0}}});
        Json& act = seasonal.back();
        act["games"] = act.value("games", 0) + 1;
        if (result == "win") act["wins"] = act.value("wins", 0) + 1;
        act["end_tier"] = m.value("tier", 0);
        act["end_rr"] = m.value("rr", 0);
    }
    return reply(200, Json{{"ok", true}, {"match_id", match.at("match_id")}, {"mmr", p.at("mmr")}});
}

}  // namespace valory::fakes
