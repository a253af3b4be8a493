// Dispatch, failure modes, counters and the /__control API of the fake upstreams.
#include "fake_upstreams.hpp"

#include <ctime>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace valory::fakes {

namespace {

constexpr size_t kLogCapacity = 5000;

const std::vector<std::string> kFamilies = {
    "twitch_authorize", "twitch_token",       "twitch_validate", "twitch_revoke", "helix_users",
    "helix_streams",    "helix_other",        "henrik_account",  "henrik_mmr",    "henrik_mmr_history",
    "henrik_matches",   "henrik_leaderboard", "henrik_other"};

bool startsWith(const std::string& s, std::string_view p) {
    return s.rfind(p, 0) == 0;
}

std::vector<std::string> expandFamily(const std::string& f) {
    if (f == "all") return kFamilies;
    std::vector<std::string> out;
    for (const auto& k : kFamilies) {
        if (k == f || startsWith(k, f + "_")) out.push_back(k);
    }
    if (f == "twitch_id") out = {"twitch_authorize", "twitch_token", "twitch_validate", "twitch_revoke"};
    if (out.empty()) throw std::invalid_argument("unknown family '" + f + "'");
    return out;
}

Reply jsonReply(int status, const Json& body) {
    Reply r;
    r.status = status;
    r.body = body.dump();
    return r;
}

}  // namespace

std::optional<std::string> Incoming::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(a) == std::tolower(b);
            }))
            return v;
    }
    return std::nullopt;
}

std::optional<std::string> Incoming::param(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

std::vector<std::string> Incoming::params(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : query)
        if (k == name) out.push_back(v);
    return out;
}

int64_t FakeUpstreams::nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

FakeUpstreams::FakeUpstreams() {
    seed(Json::object());
}

std::string FakeUpstreams::familyOf(const Incoming& in) const {
    const auto& p = in.path;
    if (startsWith(p, "/__control")) return "control";
    if (p == "/oauth2/authorize") return "twitch_authorize";
    if (p == "/oauth2/token") return "twitch_token";
    if (p == "/oauth2/validate") return "twitch_validate";
    if (p == "/oauth2/revoke") return "twitch_revoke";
    if (p == "/helix/users") return "helix_users";
    if (p == "/helix/streams") return "helix_streams";
    if (startsWith(p, "/helix/")) return "helix_other";
    if (startsWith(p, "/valorant/")) {
        if (p.find("/mmr-history/") != std::string::npos) return "henrik_mmr_history";
        if (p.find("/mmr/") != std::string::npos) return "henrik_mmr";
        if (p.find("/account/") != std::string::npos) return "henrik_account";
        if (p.find("/matches/") != std::string::npos) return "henrik_matches";
        if (p.find("/leaderboard/") != std::string::npos) return "henrik_leaderboard";
        return "henrik_other";
    }
    return "unknown";
}

Reply FakeUpstreams::handle(const Incoming& in) {
    try {
        const std::string family = familyOf(in);
        if (family == "control") return control(in);

        std::unique_lock lock(mutex_);
        ++total_;
        ++byPath_[in.path];
        ++byFamily_[family];
        Reply r;
        if (auto forced = applyMode(in, family)) {
            r = std::move(*forced);
        } else {
            r = route(in, family, lock);
        }
        // slow / truncated are "normal answer, delivered badly": applied after routing.
        auto it = modes_.find(family);
        if (it != modes_.end() && r.status != 0) {
            ModeSpec& m = it->second;
            if (m.mode == "slow" || m.mode == "truncated") {
                if (m.mode == "slow")
                    r.delay = std::chrono::milliseconds(static_cast<int64_t>(m.slowS * 1000));
                if (m.mode == "truncated") r.truncate = true;
                if (m.remaining > 0 && --m.remaining == 0) m = ModeSpec{};
            }
        }
        if (!gzip_) r.gzipAllowed = false;
        ++byStatus_[std::to_string(r.status)];
        log_.push_back(LogEntry{
            nowMs(), in.method, in.path,
            in.target.find('?') == std::string::npos ? "" : in.target.substr(in.target.find('?') + 1), family,
            in.listener, r.status, in.header("Authorization").has_value()});
        if (log_.size() > kLogCapacity) log_.pop_front();
        return r;
    } catch (const std::exception& e) {
        return jsonReply(500, Json{{"error", "fake_bug"}, {"message", e.what()}});
    }
}

Reply FakeUpstreams::route(const Incoming& in, const std::string& family, std::unique_lock<std::mutex>&) {
    if (family == "twitch_authorize") return twitchAuthorize(in);
    if (family == "twitch_token") return twitchToken(in);
    if (family == "twitch_validate") return twitchValidate(in);
    if (family == "twitch_revoke") return twitchRevoke(in);
    if (startsWith(family, "helix_")) return helix(in, family);
    if (startsWith(family, "henrik_")) return henrik(in, family);
    return jsonReply(404, Json{{"error", "Not Found"}, {"status", 404}, {"message", "no such fake route"}});
}

std::optional<Reply> FakeUpstreams::applyMode(const Incoming& in, const std::string& family) {
    auto it = modes_.find(family);
    if (it == modes_.end()) return std::nullopt;
    ModeSpec& m = it->second;
    const int64_t now = nowMs();
    if (m.mode == "normal" || m.mode == "slow" || m.mode == "truncated") return std::nullopt;
    if (m.mode == "deny") return std::nullopt;  // handled by twitchAuthorize
    if (m.mode == "429") {
        if (m.windowUntilMs != 0 && now >= m.windowUntilMs) {
            // The window is over: this request is served normally.
            m.windowUntilMs = 0;
            if (m.remaining > 0 && --m.remaining == 0) m = ModeSpec{};
            return std::nullopt;
        }
        if (m.windowUntilMs == 0) {
            const int64_t until = now + static_cast<int64_t>(m.resetAfterS * 1000.0);
            m.windowUntilMs = ((until + 999) / 1000) * 1000;  // whole second: epoch headers are exact
        } else {
            ++early429_;  // a client that honours the reset would not have sent this one
        }
        return modeReply(family, m, now);
    }
    (void)in;
    Reply r = modeReply(family, m, now);
    if (m.remaining > 0 && --m.remaining == 0) m = ModeSpec{};
    return r;
}

Reply FakeUpstreams::modeReply(const std::string& family, ModeSpec& m, int64_t now) {
    const bool isHelix = startsWith(family, "helix_");
    const bool isHenrik = startsWith(family, "henrik_");
    Reply r;
    if (m.mode == "429") {
        const int64_t waitS = std::max<int64_t>(0, (m.windowUntilMs - now + 999) / 1000);
        std::string which = m.rlHeaders;
        if (which == "auto") which = isHenrik ? "x-ratelimit" : "ratelimit";
        if (which == "ratelimit" || which == "all") {
            r.headers.emplace_back("Ratelimit-Limit", std::to_string(helixLimit_));
            r.headers.emplace_back("Ratelimit-Remaining", m.falseRemaining ? "57" : "0");
            r.headers.emplace_back("Ratelimit-Reset", std::to_string(m.windowUntilMs / 1000));
        }
        if (which == "x-ratelimit" || which == "all") {
            r.headers.emplace_back("x-ratelimit-limit", std::to_string(henrikLimit_));
            r.headers.emplace_back("x-ratelimit-remaining", "0");
            r.headers.emplace_back("x-ratelimit-reset", henrikResetFormat_ == "epoch"
                                                            ? std::to_string(m.windowUntilMs / 1000)
                                                            : std::to_string(waitS));
        }
        if (which == "retry-after" || which == "all")
            r.headers.emplace_back("Retry-After", std::to_string(waitS));
        r.status = 429;
        if (isHenrik)
            r.body = Json{{"status", 429},
                          {"errors", {{{"message", "Rate Limited"}, {"code", 0}, {"global", false}}}}}
                         .dump();
        else if (isHelix)
            r.body = Json{{"error", "Too Many Requests"},
                          {"status", 429},
                          {"message",
                           "The application exceeded the number of calls it may make. For details, see "
                           "Rate Limits in the Twitch API documentation."}}
                         .dump();
        else
            r.body = Json{{"status", 429}, {"message", "Too Many Requests"}}.dump();
        return r;
    }
    if (m.mode == "5xx") {
        r.status = m.status;
        static const std::map<int, std::string> reasons = {{500, "Internal Server Error"},
                                                           {502, "Bad Gateway"},
                                                           {503, "Service Unavailable"},
                                                           {504, "Gateway Timeout"}};
        const auto reason = reasons.count(m.status) ? reasons.at(m.status) : "Server Error";
        if (isHenrik) {
            if (m.status == 504) {
                r.contentType = "text/html";
                r.body =
                    "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
                    "Time-out</h1></center></body></html>";
            } else {
                r.body = Json{{"status", m.status},
                              {"errors",
                               {{{"message", "Riot Origin Server down for maintenance"},
                                 {"code", 1},
                                 {"details", nullptr}}}}}
                             .dump();
            }
        } else if (isHelix) {
            r.body = Json{{"error", reason}, {"status", m.status}, {"message", ""}}.dump();
        } else {
            r.body = Json{{"status", m.status}, {"message", reason}}.dump();
        }
        return r;
    }
    if (m.mode == "expired-401") {
        r.status = 401;
        if (isHenrik)
            r.body = Json{{"status", 401},
                          {"errors", {{{"message", "Invalid API Key"}, {"code", 0}, {"details", nullptr}}}}}
                         .dump();
        else if (isHelix) {
            r.body =
                Json{{"error", "Unauthorized"}, {"status", 401}, {"message", "Invalid OAuth token"}}.dump();
            r.headers.emplace_back("WWW-Authenticate", "OAuth realm=\"TwitchTV\", error=\"invalid_token\"");
        } else
            r.body = Json{{"status", 401}, {"message", "invalid access token"}}.dump();
        return r;
    }
    if (m.mode == "malformed") {
        r.status = 200;
        r.body = isHenrik ? R"({"status":200,"data":{"account":{"puuid":"x","name":)"
                          : R"({"data":[{"id":"141981764","login":"twitchdev",)";
        return r;
    }
    r.status = 500;
    r.body = Json{{"error", "fake_bug"}, {"message", "unknown mode " + m.mode}}.dump();
    return r;
}

// ------------------------------------------------------------------------------------------------
// /__control

void FakeUpstreams::resetCounters() {
    byPath_.clear();
    byFamily_.clear();
    byStatus_.clear();
    total_ = early429_ = codeExchanges_ = codeReuse_ = gzipResponses_ = 0;
    appTokensIssued_ = userTokensIssued_ = refreshes_ = 0;
    log_.clear();
}

Json FakeUpstreams::counters() const {
    Json j;
    j["total"] = total_;
    j["requests"] = byPath_;
    j["families"] = byFamily_;
    j["status"] = byStatus_;
    j["early_429"] = early429_;
    j["code_exchanges"] = codeExchanges_;
    j["code_reuse"] = codeReuse_;
    j["tokens_issued"] = {{"app", appTokensIssued_}, {"user", userTokensIssued_}, {"refresh", refreshes_}};
    j["gzip"] = gzip_;
    j["gzip_responses"] = gzipResponses_;
    Json modes = Json::object();
    for (const auto& [f, m] : modes_) {
        if (m.mode != "normal") modes[f] = {{"mode", m.mode}, {"remaining", m.remaining}};
    }
    j["modes"] = modes;
    return j;
}

Reply FakeUpstreams::control(const Incoming& in) {
    const std::string what = in.path.substr(std::string("/__control").size());
    Json body = Json::object();
    if (!in.body.empty()) body = Json::parse(in.body);
    if (what == "/health" || what == "" || what == "/") return jsonReply(200, Json{{"ok", true}});
    if (what == "/counters") {
        Json j;
        {
            std::lock_guard lock(mutex_);
            j = counters();
        }
        j["connections"] = connectionCounter_ ? connectionCounter_() : Json::object();
        return jsonReply(200, j);
    }
    std::lock_guard lock(mutex_);
    if (what == "/reset") {
        resetCounters();
        modes_.clear();
        helixBuckets_.clear();
        henrikBuckets_.clear();
        gzip_ = true;
        return jsonReply(200, Json{{"ok", true}});
    }
    if (what == "/log") {
        const auto family = in.param("family");
        Json arr = Json::array();
        for (const auto& e : log_) {
            if (family && e.family != *family) continue;
            arr.push_back({{"t_ms", e.tMs},
                           {"method", e.method},
                           {"path", e.path},
                           {"query", e.query},
                           {"family", e.family},
                           {"listener", e.listener},
                           {"status", e.status},
                           {"authorization", e.authorization}});
        }
        return jsonReply(200, arr);
    }
    if (what == "/mode") {
        ModeSpec spec;
        spec.mode = body.value("mode", "normal");
        static const std::vector<std::string> known = {"normal", "expired-401", "429",       "5xx",
                                                       "slow",   "truncated",   "malformed", "deny"};
        if (std::find(known.begin(), known.end(), spec.mode) == known.end())
            return jsonReply(400, Json{{"error", "bad_mode"}, {"message", "unknown mode " + spec.mode}});
        spec.remaining = body.value("count", spec.mode == "429" ? 1 : -1);
        spec.status = body.value("status", 503);
        spec.resetAfterS = body.value("reset_after_s", 2.0);
        spec.rlHeaders = body.value("headers", "auto");
        spec.falseRemaining = body.value("false_remaining", false);
        spec.slowS = body.value("slow_s", 2.0);
        for (const auto& f : expandFamily(body.value("family", "all"))) modes_[f] = spec;
        return jsonReply(200, Json{{"ok", true}});
    }
    if (what == "/gzip") {
        gzip_ = body.value("enabled", true);
        return jsonReply(200, Json{{"ok", true}});
    }
    if (what == "/seed") {
        seedLocked(body, in.param("merge").value_or("0") == "1");
        return jsonReply(200, Json{{"ok", true}, {"users", users_.size()}, {"players", players_.size()}});
    }
    if (what == "/tokens/expire") {
        const std::string kind = body.value("kind", "all");
        int n = 0;
        for (auto& [t, tok] : tokens_) {
            if (kind == "all" || tok.kind == kind) {
                tok.expiresAtMs = nowMs() - 1;
                ++n;
            }
        }
        return jsonReply(200, Json{{"ok", true}, {"expired", n}});
    }
    if (what == "/authorize") {
        if (body.contains("login")) authorizeLogin_ = body.at("login").get<std::string>();
        return jsonReply(200, Json{{"ok", true}});
    }
    if (what == "/ratelimit") {
        const std::string svc = body.value("service", "helix");
        if (svc == "helix") {
            helixLimit_ = body.value("limit", helixLimit_);
            helixWindowS_ = body.value("window_s", helixWindowS_);
            helixBuckets_.clear();
        } else {
            henrikLimit_ = body.value("limit", henrikLimit_);
            henrikWindowS_ = body.value("window_s", henrikWindowS_);
            henrikResetFormat_ = body.value("reset_format", henrikResetFormat_);
            henrikBuckets_.clear();
        }
        return jsonReply(200, Json{{"ok", true}});
    }
    if (what == "/live") {  // {"login": "x", "live": true, "viewer_count": 10}
        const auto* u = userByLogin(body.at("login").get<std::string>());
        if (!u) return jsonReply(404, Json{{"error", "not_found"}, {"message", "no such seeded user"}});
        auto& user = users_[loginIdx_.at(lowerAscii(body.at("login").get<std::string>()))];
        if (!body.value("live", true)) {
            user.stream = nullptr;
        } else {
            if (user.stream.is_null())  // a stream that goes live now started now
                user.stream = Json{{"started_at", isoUtcMs(nowMs()).substr(0, 19) + "Z"}};
            for (auto& [k, v] : body.items())
                if (k != "login" && k != "live") user.stream[k] = v;
        }
        return jsonReply(200, Json{{"ok", true}});
    }
    if (what == "/match") return addMatch(body);
    return jsonReply(404, Json{{"error", "not_found"}, {"message", "unknown control endpoint " + what}});
}

// ------------------------------------------------------------------------------------------------
// helpers

std::string isoUtcMs(int64_t epochMs) {
    const std::time_t secs = static_cast<std::time_t>(epochMs / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epochMs % 1000));
    return buf;
}

std::string lowerAscii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string fakeUuid(const std::string& seed) {
    uint64_t h1 = 1469598103934665603ull, h2 = 0x84222325CBF29CE4ull;
    for (unsigned char c : seed) {
        h1 = (h1 ^ c) * 1099511628211ull;
        h2 = (h2 ^ c) * 0x100000001B3ull + 0x9E37;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                  static_cast<unsigned>((h1 >> 16) & 0xffff), static_cast<unsigned>(0x5000 | (h1 & 0x0fff)),
                  static_cast<unsigned>(0x8000 | ((h2 >> 48) & 0x3fff)),
                  static_cast<unsigned long long>(h2 & 0xffffffffffffull));
    return buf;
}

const std::string& tierName(int tier) {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n = {"Unrated", "Unused1", "Unused2"};
        for (const char* rank :
             {"Iron", "Bronze", "Silver", "Gold", "Platinum", "Diamond", "Ascendant", "Immortal"})
            for (int i = 1; i <= 3; ++i) n.push_back(std::string(rank) + " " + std::to_string(i));
        n.push_back("Radiant");
        return n;
    }();
    if (tier < 0 || tier >= static_cast<int>(names.size())) return names[0];
    return names[static_cast<size_t>(tier)];
}

std::string FakeUpstreams::newToken(int length) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string t;
    rng_ ^= static_cast<uint64_t>(nowMs()) + tokens_.size() * 7919;
    for (int i = 0; i < length; ++i) {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        t.push_back(alphabet[rng_ % 36]);
    }
    return t;
}

}  // namespace valory::fakes
