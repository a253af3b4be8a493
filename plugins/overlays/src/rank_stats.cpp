// Rank statistics: sessions, the stats document and its ETag (see rank_stats.hpp).
#include "rank_stats.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

bool digits(const std::string& s, size_t pos, size_t n) {
    if (pos + n > s.size()) return false;
    for (size_t i = pos; i < pos + n; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}
int num(const std::string& s, size_t pos, size_t n) {
    return std::stoi(s.substr(pos, n));
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm; no time zone involved).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t intOr(const json& j, const char* key, int64_t fallback) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}
json orNull(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it != j.end() ? *it : json(nullptr);
}

}  // namespace

std::optional<int64_t> parseIsoUtcMs(const std::string& t) {
    // YYYY-MM-DDTHH:MM:SS[.fff…](Z|+00:00)
    if (!digits(t, 0, 4) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2) || t[7] != '-' ||
        !digits(t, 8, 2) || (t[10] != 'T' && t[10] != ' ') || !digits(t, 11, 2) || t[13] != ':' ||
        !digits(t, 14, 2) || t[16] != ':' || !digits(t, 17, 2))
        return std::nullopt;
    size_t pos = 19;
    int64_t ms = 0;
    if (t[pos] == '.') {
        ++pos;
        int scale = 100, n = 0;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            if (n < 3) ms += (t[pos] - '0') * scale, scale /= 10;
            ++n, ++pos;
        }
        if (n == 0) return std::nullopt;
    }
    const std::string zone = t.substr(pos);
    if (zone != "Z" && zone != "+00:00" && zone != "+0000") return std::nullopt;
    const int mon = num(t, 5, 2), day = num(t, 8, 2), h = num(t, 11, 2), mi = num(t, 14, 2),
              s = num(t, 17, 2);
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
    const int64_t days = daysFromCivil(num(t, 0, 4), static_cast<unsigned>(mon), static_cast<unsigned>(day));
    return ((days * 24 + h) * 60 + mi) * 60000LL + s * 1000LL + ms;
}

std::string isoUtcMs(int64_t epochMs) {
    const std::time_t secs = static_cast<std::time_t>(epochMs / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epochMs % 1000));
    return buf;
}

Session computeSession(const std::vector<PlayedMatch>& matches, const SessionInputs& in) {
    Session s;
    std::optional<int64_t> start;
    if (in.streamStartedAtMs) {
        start = in.streamStartedAtMs;
        s.since = "stream";
    } else if (!matches.empty() && in.nowMs - matches.front().startedAtMs <= in.idleGapMs) {
        start = matches.front().startedAtMs;
        for (size_t i = 1; i < matches.size(); ++i) {
            if (matches[i - 1].startedAtMs - matches[i].startedAtMs > in.idleGapMs) break;
            start = matches[i].startedAtMs;
        }
        s.since = "idle_gap";
    }
    if (in.resetAtMs && (!start || *in.resetAtMs > *start)) {
        start = in.resetAtMs;
        s.since = "reset";
    }
    if (!start) {
        s.since = "none";
        return s;
    }
    s.startedAtMs = start;
    for (const auto& m : matches) {
        if (m.startedAtMs < *start) continue;
        if (m.result == "win")
            ++s.wins;
        else if (m.result == "loss")
            ++s.losses;
        else if (m.result == "draw")
            ++s.draws;
    }
    return s;
}

std::vector<PlayedMatch> playedMatches(const json& record) {
    std::vector<PlayedMatch> out;
    if (!record.is_object() || !record.contains("matches") || !record["matches"].is_array()) return out;
    for (const auto& m : record["matches"]) {
        if (!m.is_object()) continue;
        const std::string mode = m.value("mode", "competitive");
        if (mode != "competitive" && mode != "Competitive") continue;
        PlayedMatch p;
        p.id = m.value("match_id", "");
        p.result = m.value("result", "");
        auto at = parseIsoUtcMs(m.value("started_at", ""));
        if (p.id.empty() || !at || (p.result != "win" && p.result != "loss" && p.result != "draw")) continue;
        p.startedAtMs = *at;
        out.push_back(std::move(p));
    }
    std::stable_sort(out.begin(), out.end(), [](const PlayedMatch& a, const PlayedMatch& b) {
        return a.startedAtMs > b.startedAtMs;
    });
    return out;
}

std::vector<PlayedMatch> mergeMatches(std::vector<PlayedMatch> recorded,
                                      const std::vector<PlayedMatch>& fetched) {
    std::set<std::string> ids;
    for (const auto& m : recorded) ids.insert(m.id);
    for (const auto& m : fetched)
        if (ids.insert(m.id).second) recorded.push_back(m);
    std::stable_sort(recorded.begin(), recorded.end(), [](const PlayedMatch& a, const PlayedMatch& b) {
        return a.startedAtMs > b.startedAtMs;
    });
    return recorded;
}

json buildStats(const std::string& overlayId, const json& account, const json& rank,
                const std::vector<PlayedMatch>& matches, const Session& session, int64_t nowMs) {
    const bool haveRank = rank.is_object();
    const std::string rankStatus = haveRank ? rank.value("status", "ranked") : "no_data";
    json peak = nullptr;
    if (haveRank && rank.contains("peak") && rank["peak"].is_object()) {
        const json& p = rank["peak"];
        peak = {{"tier", {{"id", intOr(p, "tier", 0)}, {"name", p.value("tier_name", "Unranked")}}},
                {"rr", intOr(p, "rr", 0)},
                {"season", orNull(p, "season")}};
    }
    json lastFive = json::array();
    for (size_t i = 0; i < matches.size() && i < 5; ++i) lastFive.push_back(matches[i].result);
    const int64_t fetched = haveRank ? intOr(rank, "fetched_at_ms", nowMs) : nowMs;
    std::string name = account.is_object() ? account.value("name", "") : "";
    std::string tag = account.is_object() ? account.value("tag", "") : "";
    if (name.empty() && haveRank) name = rank.value("name", ""), tag = rank.value("tag", "");
    const json season = haveRank ? orNull(rank, "season") : json(nullptr);
    return json{{"overlay_id", overlayId},
                {"status", rankStatus == "no_data" ? "no_data" : "ok"},
                {"rank_status", rankStatus},
                {"riot_id", name.empty() ? json(nullptr) : json(name + "#" + tag)},
                {"level", intOr(account, "account_level", 0)},
                {"tier",
                 {{"id", haveRank ? intOr(rank, "tier", 0) : 0},
                  {"name", haveRank ? rank.value("tier_name", "Unranked") : "Unranked"}}},
                {"rr", haveRank ? intOr(rank, "rr", 0) : 0},
                {"elo", haveRank ? orNull(rank, "elo") : json(nullptr)},
                {"last_change", haveRank ? orNull(rank, "last_change") : json(nullptr)},
                {"peak", peak},
                {"leaderboard_place", haveRank ? orNull(rank, "leaderboard_rank") : json(nullptr)},
                {"session",
                 {{"wins", session.wins},
                  {"losses", session.losses},
                  {"draws", session.draws},
                  {"started_at", session.startedAtMs ? json(isoUtcMs(*session.startedAtMs)) : json(nullptr)},
                  {"since", session.since}}},
                {"last_five", lastFive},
                {"season_winrate", season.is_object() ? intOr(season, "winrate", 0) : 0},
                {"updated_at", isoUtcMs(fetched)},
                {"age_s", std::max<int64_t>(0, nowMs - fetched) / 1000},
                {"stale", haveRank && rank.value("stale", false)}};
}

json emptyStats(const std::string& overlayId, const std::string& status, const std::string& riotId) {
    return json{
        {"overlay_id", overlayId},
        {"status", status},
        {"rank_status", "no_data"},
        {"riot_id", riotId.empty() ? json(nullptr) : json(riotId)},
        {"level", 0},
        {"tier", {{"id", 0}, {"name", "Unranked"}}},
        {"rr", 0},
        {"elo", nullptr},
        {"last_change", nullptr},
        {"peak", nullptr},
        {"leaderboard_place", nullptr},
        {"session", {{"wins", 0}, {"losses", 0}, {"draws", 0}, {"started_at", nullptr}, {"since", "none"}}},
        {"last_five", json::array()},
        {"season_winrate", 0},
        {"updated_at", nullptr},
        {"age_s", nullptr},
        {"stale", false}};
}

}  // namespace valory::plugins::overlays
