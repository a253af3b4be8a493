// Streamers showcase: parameters, sorting, statistics and the shared last-good list.
#include "showcase.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "rank_stats.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

struct Params {
    const QueryFn& q;
    std::vector<QueryError> errors;

    bool boolean(const std::string& name, bool fallback) {
        auto v = q(name);
        if (!v) return fallback;
        const std::string s = lower(*v);
        if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "0" || s == "no" || s == "off") return false;
        errors.push_back(
            {name, "Input should be a valid boolean, unable to interpret input", "bool_parsing"});
        return fallback;
    }
    std::optional<int64_t> integer(const std::string& name, int64_t lo, int64_t hi,
                                   std::optional<int64_t> fallback) {
        auto v = q(name);
        if (!v) return fallback;
        const std::string& s = *v;
        bool ok = !s.empty() && s.size() <= 18;
        for (size_t i = 0; ok && i < s.size(); ++i)
            ok = (s[i] >= '0' && s[i] <= '9') || (i == 0 && s[i] == '-' && s.size() > 1);
        if (!ok) {
            errors.push_back({name, "Input should be a valid integer, unable to parse string as an integer",
                              "int_parsing"});
            return fallback;
        }
        const int64_t n = std::stoll(s);
        if (n < lo) {
            errors.push_back({name, "Input should be greater than or equal to " + std::to_string(lo),
                              "greater_than_equal"});
            return fallback;
        }
        if (n > hi) {
            errors.push_back(
                {name, "Input should be less than or equal to " + std::to_string(hi), "less_than_equal"});
            return fallback;
        }
        return n;
    }
    std::string choice(const std::string& name, const std::vector<std::string>& allowed,
                       const std::string& fallback) {
        auto v = q(name);
        if (!v) return fallback;
        if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return *v;
        std::string msg = "Input should be ";
        for (size_t i = 0; i < allowed.size(); ++i)
            msg += (i == 0 ? "" : (i + 1 == allowed.size() ? " or " : ", ")) + ("'" + allowed[i] + "'");
        errors.push_back({name, msg, "enum"});
        return fallback;
    }
    void check() const {
        if (!errors.empty()) throw errors;
    }
};

const std::vector<std::string> kSortKeys = {"followers", "viewers", "username", "live_status"};

// A sort key as a comparable tuple: numbers for numeric keys, the lower-case login for username.
using Key = std::tuple<int64_t, std::string>;
Key keyOf(const Streamer& s, const std::string& by) {
    if (by == "followers") return {s.followers, ""};
    if (by == "viewers") return {s.viewers.value_or(0), ""};
    if (by == "live_status") return {s.live ? 1 : 0, ""};
    return {0, lower(s.username)};
}

void sortBy(std::vector<Streamer>& v, const std::vector<std::string>& keys, bool desc) {
    std::stable_sort(v.begin(), v.end(), [&](const Streamer& a, const Streamer& b) {
        for (const auto& k : keys) {
            const Key ka = keyOf(a, k), kb = keyOf(b, k);
            if (ka != kb) return desc ? kb < ka : ka < kb;
        }
        return lower(a.username) < lower(b.username);  // deterministic among equals
    });
}

std::vector<Streamer> filtered(const std::vector<Streamer>& list, bool liveOnly, bool verifiedOnly) {
    std::vector<Streamer> out;
    for (const auto& s : list)
        if ((!liveOnly || s.live) && (!verifiedOnly || s.verified)) out.push_back(s);
    return out;
}

void cut(std::vector<Streamer>& v, std::optional<int64_t> limit) {
    if (limit && v.size() > static_cast<size_t>(*limit)) v.resize(static_cast<size_t>(*limit));
}

double roundTo(double x, int digits) {
    const double f = std::pow(10.0, digits);
    return std::round(x * f) / f;
}

}  // namespace

std::string formatFollowers(int64_t n) {
    char buf[32];
    if (n >= 1'000'000) {
        std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(n) / 1e6);
    } else if (n >= 1'000) {
        std::snprintf(buf, sizeof buf, "%.1fk", static_cast<double>(n) / 1e3);
    } else {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
    }
    return buf;
}

json toJson(const std::vector<Streamer>& list) {
    json out = json::array();
    for (const auto& s : list)
        out.push_back({{"username", s.username},
                       {"followers", formatFollowers(s.followers)},
                       {"img", s.img},
                       {"live", s.live},
                       {"verified", s.verified},
                       {"viewers", s.viewers ? json(*s.viewers) : json(nullptr)}});
    return out;
}

json toStoredJson(const std::vector<Streamer>& list) {
    json out = json::array();
    for (const auto& s : list)
        out.push_back({{"username", s.username},
                       {"followers", s.followers},
                       {"img", s.img},
                       {"live", s.live},
                       {"verified", s.verified},
                       {"viewers", s.viewers ? json(*s.viewers) : json(nullptr)},
                       {"game", s.game},
                       {"title", s.title}});
    return out;
}

std::vector<Streamer> streamersFromJson(const json& j) {
    std::vector<Streamer> out;
    if (!j.is_array()) return out;
    for (const auto& e : j) {
        if (!e.is_object()) continue;
        Streamer s;
        s.username = e.value("username", "");
        s.img = e.value("img", "");
        s.followers =
            e.contains("followers") && e["followers"].is_number_integer() ? e["followers"].get<int64_t>() : 0;
        s.live = e.value("live", false);
        s.verified = e.value("verified", false);
        if (e.contains("viewers") && e["viewers"].is_number_integer())
            s.viewers = e["viewers"].get<int64_t>();
        s.game = e.value("game", "");
        s.title = e.value("title", "");
        out.push_back(std::move(s));
    }
    return out;
}

bool wantsRefresh(const QueryFn& query) {
    Params p{query, {}};
    const bool r = p.boolean("refresh_cache", false);
    p.check();
    return r;
}

json showcaseAnswer(const std::string& route, const std::vector<Streamer>& list, const QueryFn& query,
                    int64_t updatedAtMs, bool refreshed) {
    Params p{query, {}};
    p.boolean("refresh_cache", false);  // validated here, acted on by the caller
    if (route == "stats") {
        p.check();
        int64_t online = 0, verified = 0, verifiedOnline = 0, viewers = 0, followers = 0;
        for (const auto& s : list) {
            online += s.live;
            verified += s.verified;
            verifiedOnline += s.live && s.verified;
            viewers += s.viewers.value_or(0);
            followers += s.followers;
        }
        const auto total = static_cast<int64_t>(list.size());
        const double pct = total ? 100.0 * static_cast<double>(online) / static_cast<double>(total) : 0.0;
        const double vpct = total ? 100.0 * static_cast<double>(verified) / static_cast<double>(total) : 0.0;
        return json{{"total_streamers", total},
                    {"online_streamers", online},
                    {"offline_streamers", total - online},
                    {"verified_streamers", verified},
                    {"verified_online", verifiedOnline},
                    {"total_viewers", viewers},
                    {"total_followers", followers},
                    {"online_percentage", roundTo(pct, 1)},
                    {"verified_percentage", roundTo(vpct, 2)},
                    {"last_updated", updatedAtMs ? json(isoUtcMs(updatedAtMs)) : json(nullptr)},
                    {"cache_refreshed", refreshed}};
    }
    const bool verifiedOnly = p.boolean("verified_only", false);
    if (route == "online") {
        auto limit = p.integer("limit", 1, 100, std::nullopt);
        p.check();
        auto v = filtered(list, true, verifiedOnly);
        sortBy(v, {"viewers"}, true);
        cut(v, limit);
        return toJson(v);
    }
    if (route == "mixed-sort") {
        const auto primary = p.choice("primary_sort", kSortKeys, "live_status");
        const auto secondary = p.choice("secondary_sort", kSortKeys, "followers");
        const auto order = p.choice("sort_order", {"asc", "desc"}, "desc");
        auto limit = p.integer("limit", 1, 100, std::nullopt);
        p.check();
        auto v = filtered(list, false, verifiedOnly);
        sortBy(v, {primary, secondary}, order == "desc");
        cut(v, limit);
        return toJson(v);
    }
    const bool liveOnly = p.boolean("live_only", false);
    if (route == "sorted") {
        const auto by = p.choice("sort_by", kSortKeys, "followers");
        const auto order = p.choice("sort_order", {"asc", "desc"}, "desc");
        auto limit = p.integer("limit", 1, 100, std::nullopt);
        p.check();
        auto v = filtered(list, liveOnly, verifiedOnly);
        sortBy(v, {by}, order == "desc");
        cut(v, limit);
        return toJson(v);
    }
    if (route == "top") {
        const auto by = p.choice("by", kSortKeys, "followers");
        auto limit = p.integer("limit", 1, 50, 10);
        p.check();
        auto v = filtered(list, liveOnly, verifiedOnly);
        sortBy(v, {by}, true);
        cut(v, limit);
        return toJson(v);
    }
    // GET /api/streamers/: live first by viewers, then offline by followers
    auto limit = p.integer("limit", 1, 100, std::nullopt);
    p.check();
    auto v = filtered(list, liveOnly, verifiedOnly);
    std::stable_sort(v.begin(), v.end(), [](const Streamer& a, const Streamer& b) {
        const auto ka = std::make_tuple(a.live ? 1 : 0, a.live ? a.viewers.value_or(0) : a.followers);
        const auto kb = std::make_tuple(b.live ? 1 : 0, b.live ? b.viewers.value_or(0) : b.followers);
        if (ka != kb) return kb < ka;
        return lower(a.username) < lower(b.username);
    });
    cut(v, limit);
    return toJson(v);
}

std::vector<Streamer> buildShowcase(const std::vector<std::string>& logins, const json& users,
                                    const json& streams,
                                    const std::function<int64_t(const std::string&)>& followers) {
    std::map<std::string, const json*> byLogin, liveByLogin;
    if (users.contains("users") && users["users"].is_array())
        for (const auto& u : users["users"])
            if (u.is_object() && u.contains("login")) byLogin[lower(u.value("login", ""))] = &u;
    if (streams.contains("streams") && streams["streams"].is_array())
        for (const auto& s : streams["streams"])
            if (s.is_object()) liveByLogin[lower(s.value("user_login", ""))] = &s;
    std::vector<Streamer> out;
    for (const auto& login : logins) {
        Streamer s;
        s.username = login;
        const std::string key = lower(login);
        if (auto it = byLogin.find(key); it != byLogin.end()) {
            const json& u = *it->second;
            s.img = u.value("profile_image_url", "");
            s.verified = u.value("broadcaster_type", "") == "partner";
            if (followers) s.followers = followers(u.value("id", ""));
        }
        if (auto it = liveByLogin.find(key); it != liveByLogin.end()) {
            const json& st = *it->second;
            s.live = true;
            s.viewers = st.contains("viewer_count") && st["viewer_count"].is_number_integer()
                            ? st["viewer_count"].get<int64_t>()
                            : 0;
            s.game = st.value("game_name", "");
            s.title = st.value("title", "");
        }
        out.push_back(std::move(s));
    }
    return out;
}

Showcase::Showcase(Fetch fetch, Load load, Save save, int64_t localTtlMs, Clock clock)
    : fetch_(std::move(fetch)),
      load_(std::move(load)),
      save_(std::move(save)),
      localTtlMs_(localTtlMs),
      clock_(clock ? std::move(clock) : Clock([] {
          return std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
              .count();
      })) {}

bool Showcase::refresh() {
    std::vector<Streamer> list;
    try {
        list = fetch_();
    } catch (const std::exception&) {  // Twitch down: the last good list stays (the caller logs)
        return false;
    }
    auto snap = std::make_shared<Snapshot>(Snapshot{std::move(list), clock_()});
    if (save_) save_(*snap);
    std::lock_guard lock(m_);
    snap_ = snap;
    loadedAtMs_ = snap->updatedAtMs;
    return true;
}

std::shared_ptr<const Showcase::Snapshot> Showcase::current(bool forceRefresh, bool* refreshed) {
    if (refreshed) *refreshed = false;
    const int64_t now = clock_();
    bool doFetch = false;
    {
        std::lock_guard lock(m_);
        if (forceRefresh && now - lastForcedMs_ >= localTtlMs_) {
            lastForcedMs_ = now;
            doFetch = true;
        }
        if (!doFetch && snap_ && now - loadedAtMs_ < localTtlMs_) return snap_;
    }
    if (!doFetch && load_) {
        if (auto stored = load_()) {
            auto snap = std::make_shared<Snapshot>(std::move(*stored));
            std::lock_guard lock(m_);
            snap_ = snap;
            loadedAtMs_ = now;
            return snap_;
        }
    }
    std::lock_guard fetching(fetchMutex_);  // one Twitch fetch at a time per host
    {
        std::lock_guard lock(m_);
        if (!doFetch && snap_) {
            loadedAtMs_ = now;
            return snap_;
        }
    }
    const bool ok = refresh();
    if (refreshed) *refreshed = ok;
    std::lock_guard lock(m_);
    if (snap_) return snap_;
    return std::make_shared<Snapshot>();
}

}  // namespace valory::plugins::overlays
