// Fake id.twitch.tv (authorize, token, validate, revoke) and Helix (users, streams).
// Shapes follow external-apis.md §1.2-1.12; the checklist is §1.14.
#include "fake_upstreams.hpp"

#include <algorithm>
#include <regex>
#include <set>

namespace valory::fakes {

namespace {

Reply json(int status, const Json& body) {
    Reply r;
    r.status = status;
    r.body = body.dump();
    return r;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string formDecode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string formEncode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

/// Query parameters plus form-body parameters (Twitch accepts both on POST /oauth2/token).
std::vector<std::pair<std::string, std::string>> allParams(const Incoming& in) {
    auto out = in.query;
    const auto ct = in.header("Content-Type").value_or("");
    if (!in.body.empty() && ct.find("application/x-www-form-urlencoded") != std::string::npos) {
        size_t pos = 0;
        while (pos <= in.body.size()) {
            size_t amp = in.body.find('&', pos);
            if (amp == std::string::npos) amp = in.body.size();
            std::string_view part(in.body.data() + pos, amp - pos);
            if (!part.empty()) {
                auto eq = part.find('=');
                out.emplace_back(formDecode(part.substr(0, eq)),
                                 eq == std::string_view::npos ? "" : formDecode(part.substr(eq + 1)));
            }
            pos = amp + 1;
        }
    }
    return out;
}

std::string get(const std::vector<std::pair<std::string, std::string>>& ps, const std::string& key) {
    for (const auto& [k, v] : ps)
        if (k == key) return v;
    return {};
}

std::vector<std::string> splitSpaces(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t sp = s.find(' ', pos);
        if (sp == std::string::npos) sp = s.size();
        if (sp > pos) out.push_back(s.substr(pos, sp - pos));
        pos = sp + 1;
    }
    return out;
}

std::optional<std::string> bearer(const Incoming& in, bool allowOAuth) {
    auto h = in.header("Authorization");
    if (!h) return std::nullopt;
    const auto lower = lowerAscii(h->substr(0, 7));
    if (lower == "bearer ") return h->substr(7);
    if (allowOAuth && lowerAscii(h->substr(0, 6)) == "oauth ") return h->substr(6);
    return std::string();  // present but malformed
}

}  // namespace

Reply FakeUpstreams::idError(int status, const std::string& message) const {
    return json(status, Json{{"status", status}, {"message", message}});
}

Reply FakeUpstreams::helixError(int status, const std::string& message) const {
    static const std::map<int, std::string> reasons = {
        {400, "Bad Request"}, {401, "Unauthorized"}, {404, "Not Found"}, {429, "Too Many Requests"}};
    return json(status, Json{{"error", reasons.count(status) ? reasons.at(status) : "Error"},
                             {"status", status},
                             {"message", message}});
}

const FakeUpstreams::TwitchUser* FakeUpstreams::userById(const std::string& id) const {
    auto it = userIdx_.find(id);
    return it == userIdx_.end() ? nullptr : &users_[it->second];
}

const FakeUpstreams::TwitchUser* FakeUpstreams::userByLogin(const std::string& login) const {
    auto it = loginIdx_.find(lowerAscii(login));
    return it == loginIdx_.end() ? nullptr : &users_[it->second];
}

Reply FakeUpstreams::twitchAuthorize(const Incoming& in) {
    const auto clientId = in.param("client_id").value_or("");
    if (clientId != clientId_) return idError(400, "invalid client");
    const auto redirect = in.param("redirect_uri").value_or("");
    if (redirect.empty() || (!redirectUris_.empty() && std::find(redirectUris_.begin(), redirectUris_.end(),
                                                                 redirect) == redirectUris_.end()))
        return idError(400, "Parameter redirect_uri does not match registered URI");
    if (in.param("response_type").value_or("") != "code") return idError(400, "unsupported response_type");
    const auto state = in.param("state");
    const auto scope = in.param("scope").value_or("");
    const char sep = redirect.find('?') == std::string::npos ? '?' : '&';
    Reply r;
    r.status = 302;
    r.contentType = "text/html; charset=utf-8";
    auto modeIt = modes_.find("twitch_authorize");
    if (modeIt != modes_.end() && modeIt->second.mode == "deny") {
        std::string loc = redirect + sep + "error=access_denied&error_description=The+user+denied+you+access";
        if (state) loc += "&state=" + formEncode(*state);
        r.headers.emplace_back("Location", loc);
        return r;
    }
    std::string login = in.param("fake_login").value_or(authorizeLogin_);
    if (login.empty() && !users_.empty()) login = users_.front().user.at("login").get<std::string>();
    const TwitchUser* u = userByLogin(login);
    if (!u) return idError(400, "fake: no seeded user '" + login + "' to log in as");
    const std::string code = newToken(30);
    codes_[code] = Code{u->user.at("id").get<std::string>(), redirect, splitSpaces(scope), false};
    std::string loc = redirect + sep + "code=" + code + "&scope=" + formEncode(scope);
    if (state) loc += "&state=" + formEncode(*state);
    r.headers.emplace_back("Location", loc);
    r.body = "<a href=\"" + loc + "\">Found</a>.";
    return r;
}

Reply FakeUpstreams::twitchToken(const Incoming& in) {
    if (in.method != "POST") return idError(404, "Not Found");
    const auto ps = allParams(in);
    if (get(ps, "client_id") != clientId_) return idError(400, "invalid client");
    const auto grant = get(ps, "grant_type");
    if (get(ps, "client_secret") != clientSecret_) return idError(403, "invalid client secret");
    const int64_t now = nowMs();
    if (grant == "client_credentials") {
        const std::string t = newToken(30);
        tokens_[t] = Token{"app", clientId_, "", now + appTokenTtlS_ * 1000, {}, false, ""};
        ++appTokensIssued_;
        return json(200, Json{{"access_token", t}, {"expires_in", appTokenTtlS_}, {"token_type", "bearer"}});
    }
    if (grant == "authorization_code") {
        ++codeExchanges_;
        auto it = codes_.find(get(ps, "code"));
        if (it == codes_.end()) return idError(400, "Invalid authorization code");
        if (it->second.used) {
            ++codeReuse_;
            return idError(400, "Invalid authorization code");
        }
        if (get(ps, "redirect_uri") != it->second.redirectUri)
            return idError(400, "Parameter redirect_uri does not match registered URI");
        it->second.used = true;
        const std::string t = newToken(30), rt = newToken(50);
        tokens_[t] = Token{
            "user", clientId_, it->second.userId, now + userTokenTtlS_ * 1000, it->second.scopes, false, rt};
        refreshTokens_[rt] = t;
        ++userTokensIssued_;
        return json(200, Json{{"access_token", t},
                              {"expires_in", userTokenTtlS_},
                              {"refresh_token", rt},
                              {"scope", it->second.scopes},
                              {"token_type", "bearer"}});
    }
    if (grant == "refresh_token") {
        auto it = refreshTokens_.find(get(ps, "refresh_token"));
        if (it == refreshTokens_.end())
            return json(
                400, Json{{"error", "Bad Request"}, {"status", 400}, {"message", "Invalid refresh token"}});
        Token old = tokens_.at(it->second);
        refreshTokens_.erase(it);
        const std::string t = newToken(30), rt = newToken(50);
        old.expiresAtMs = now + userTokenTtlS_ * 1000;
        old.refreshToken = rt;
        old.revoked = false;
        tokens_[t] = old;
        refreshTokens_[rt] = t;
        ++refreshes_;
        return json(200, Json{{"access_token", t},
                              {"expires_in", userTokenTtlS_},
                              {"refresh_token", rt},
                              {"scope", old.scopes},
                              {"token_type", "bearer"}});
    }
    return idError(400, "unsupported grant type");
}

Reply FakeUpstreams::twitchValidate(const Incoming& in) {
    const auto t = bearer(in, true);
    if (!t || t->empty()) return idError(401, "missing authorization token");
    auto it = tokens_.find(*t);
    const int64_t now = nowMs();
    if (it == tokens_.end() || it->second.revoked || it->second.expiresAtMs <= now)
        return idError(401, "invalid access token");
    const Token& tok = it->second;
    Json j{
        {"client_id", tok.clientId}, {"scopes", tok.scopes}, {"expires_in", (tok.expiresAtMs - now) / 1000}};
    if (tok.kind == "user") {
        j["user_id"] = tok.userId;
        if (const auto* u = userById(tok.userId)) j["login"] = u->user.at("login");
    }
    return json(200, j);
}

Reply FakeUpstreams::twitchRevoke(const Incoming& in) {
    if (in.method != "POST") return idError(404, "Not Found");
    const auto ps = allParams(in);
    if (get(ps, "client_id") != clientId_) return idError(404, "client does not exist");
    auto it = tokens_.find(get(ps, "token"));
    if (it == tokens_.end()) return idError(400, "Invalid token");
    it->second.revoked = true;
    Reply r;
    r.status = 200;
    r.contentType = "text/plain";
    return r;
}

Reply FakeUpstreams::helix(const Incoming& in, const std::string& family) {
    const auto t = bearer(in, false);
    const auto cid = in.header("Client-Id");
    if (!t || t->empty()) return helixError(401, "OAuth token is missing");
    if (!cid || cid->empty()) return helixError(401, "Client-Id header required");
    auto it = tokens_.find(*t);
    const int64_t now = nowMs();
    if (it == tokens_.end() || it->second.revoked || it->second.expiresAtMs <= now) {
        Reply r = helixError(401, "Invalid OAuth token");
        r.headers.emplace_back("WWW-Authenticate", "OAuth realm=\"TwitchTV\", error=\"invalid_token\"");
        return r;
    }
    if (it->second.clientId != *cid) return helixError(401, "Client ID and OAuth token do not match");

    // Per-token bucket (fixed window refill; the headers are what clients should follow).
    const std::string bucketKey =
        it->second.kind == "app" ? "app:" + it->second.clientId : "user:" + it->second.userId;
    Bucket& b = helixBuckets_[bucketKey];
    if (b.windowStartMs == 0 || now >= b.windowStartMs + helixWindowS_ * 1000LL) {
        b.windowStartMs = now;
        b.used = 0;
    }
    const int64_t resetEpochS = (b.windowStartMs + helixWindowS_ * 1000LL + 999) / 1000;
    Reply r;
    if (b.used >= helixLimit_) {
        r = helixError(
            429,
            "The application exceeded the number of calls it may make. For details, see Rate Limits "
            "in the Twitch API documentation.");
    } else {
        ++b.used;
        if (in.method != "GET") {
            r = helixError(404, "");
        } else if (family == "helix_users") {
            r = helixUsers(in, it->second);
        } else if (family == "helix_streams") {
            r = helixStreams(in);
        } else {
            r = helixError(404, "");
        }
    }
    r.headers.emplace_back("Ratelimit-Limit", std::to_string(helixLimit_));
    r.headers.emplace_back("Ratelimit-Remaining", std::to_string(std::max(0, helixLimit_ - b.used)));
    r.headers.emplace_back("Ratelimit-Reset", std::to_string(resetEpochS));
    return r;
}

Reply FakeUpstreams::helixUsers(const Incoming& in, const Token& token) {
    static const std::regex loginRe("^[A-Za-z0-9_]{1,25}$");
    static const std::regex idRe("^[0-9]{1,20}$");
    const auto ids = in.params("id");
    const auto logins = in.params("login");
    if (ids.size() + logins.size() > 100)
        return helixError(400, "The sum of id and login parameters must not exceed 100");
    for (const auto& l : logins)
        if (!std::regex_match(l, loginRe))
            return helixError(400, "Invalid login names, emails or IDs in request");
    for (const auto& i : ids)
        if (!std::regex_match(i, idRe))
            return helixError(400, "Invalid login names, emails or IDs in request");
    Json data = Json::array();
    std::set<std::string> seen;
    auto add = [&](const TwitchUser* u) {
        if (!u) return;
        const auto id = u->user.at("id").get<std::string>();
        if (!seen.insert(id).second) return;
        Json j = u->user;
        const bool own =
            token.kind == "user" && token.userId == id &&
            std::find(token.scopes.begin(), token.scopes.end(), "user:read:email") != token.scopes.end();
        if (!own) j.erase("email");
        data.push_back(j);
    };
    if (ids.empty() && logins.empty()) {
        if (token.kind != "user") return helixError(400, "Must provide an ID, Login or OAuth Token");
        add(userById(token.userId));
    }
    for (const auto& i : ids) add(userById(i));
    for (const auto& l : logins) add(userByLogin(l));
    return json(200, Json{{"data", data}});
}

Reply FakeUpstreams::helixStreams(const Incoming& in) {
    const auto ids = in.params("user_id");
    const auto logins = in.params("user_login");
    if (ids.size() > 100 || logins.size() > 100)
        return helixError(400, "The parameter \"user_id\" or \"user_login\" may not exceed 100");
    int first = 20;
    if (auto f = in.param("first")) {
        try {
            first = std::stoi(*f);
        } catch (const std::exception&) {
            first = -1;
        }
        if (first < 1 || first > 100)
            return helixError(
                400, "The parameter \"first\" was malformed: the value must be less than or equal to 100");
    }
    std::vector<const TwitchUser*> live;
    const bool filtered = !ids.empty() || !logins.empty();
    if (filtered) {
        std::set<std::string> seen;
        auto add = [&](const TwitchUser* u) {
            if (u && !u->stream.is_null() && seen.insert(u->user.at("id").get<std::string>()).second)
                live.push_back(u);
        };
        for (const auto& i : ids) add(userById(i));
        for (const auto& l : logins) add(userByLogin(l));
    } else {
        for (const auto& u : users_)
            if (!u.stream.is_null()) live.push_back(&u);
    }
    std::stable_sort(live.begin(), live.end(), [](const TwitchUser* a, const TwitchUser* b) {
        return a->stream.value("viewer_count", 0) > b->stream.value("viewer_count", 0);
    });
    size_t offset = 0;
    if (auto after = in.param("after")) {
        if (after->rfind("fc1.", 0) != 0) return helixError(400, "Invalid cursor");
        offset = std::stoul(after->substr(4));
    }
    Json data = Json::array();
    for (size_t i = offset; i < live.size() && data.size() < static_cast<size_t>(first); ++i) {
        const auto& u = *live[i];
        Json s{{"id", u.stream.value("id", "")},
               {"user_id", u.user.at("id")},
               {"user_login", u.user.at("login")},
               {"user_name", u.user.at("display_name")},
               {"game_id", u.stream.value("game_id", "516575")},
               {"game_name", u.stream.value("game_name", "VALORANT")},
               {"type", "live"},
               {"title", u.stream.value("title", "")},
               {"tags", u.stream.value("tags", Json::array())},
               {"viewer_count", u.stream.value("viewer_count", 0)},
               {"started_at", u.stream.value("started_at", "2026-11-25T20:00:00Z")},
               {"language", u.stream.value("language", "en")},
               {"thumbnail_url", "https://static-cdn.jtvnw.net/previews-ttv/live_user_" +
                                     u.user.at("login").get<std::string>() + "-{width}x{height}.jpg"},
               {"tag_ids", Json::array()},
               {"is_mature", false}};
        data.push_back(s);
    }
    Json pagination = Json::object();
    if (offset + data.size() < live.size())
        pagination["cursor"] = "fc1." + std::to_string(offset + data.size());
    return json(200, Json{{"data", data}, {"pagination", pagination}});
}

}  // namespace valory::fakes
