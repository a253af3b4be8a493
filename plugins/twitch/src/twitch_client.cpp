#include "twitch_client.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

#include "valory/cpp/error.hpp"
#include "valory/cpp/json.hpp"

namespace valory::plugins::twitch {

using nlohmann::json;
using sdk::Error;

namespace {

int64_t systemNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<int64_t> headerInt(const sdk::HttpResponse& r, std::string_view name) {
    auto v = r.header(name);
    if (!v) return std::nullopt;
    int64_t out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc()) return std::nullopt;
    return out;
}

std::string str(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

/// The "message" of a Twitch error body ({"status", "message"} or {"error", "status", "message"}).
std::string upstreamMessage(const std::string& body) {
    json j = valory::json::parse(body);
    if (j.is_object()) {
        auto m = str(j, "message");
        if (!m.empty()) return m;
        auto e = str(j, "error");
        if (!e.empty()) return e;
    }
    return body.size() > 120 ? body.substr(0, 120) + "..." : body;
}

json parseBody(const sdk::HttpResponse& r, const char* what) {
    json j = valory::json::parse(r.body);
    if (j.is_discarded() || !j.is_object())
        throw Error(VALORY_ERR_UPSTREAM,
                    std::string(what) + ": Twitch answered malformed JSON (" + std::to_string(r.body.size()) +
                        " bytes)",
                    r.status);
    return j;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& kv) {
    std::string out;
    for (const auto& [k, v] : kv) {
        if (!out.empty()) out.push_back('&');
        out += sdk::urlEncode(k) + "=" + sdk::urlEncode(v);
    }
    return out;
}

}  // namespace

std::string normalizeLogin(std::string_view login) {
    if (login.empty() || login.size() > 25) return {};
    std::string out;
    for (char c : login) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return {};
        out.push_back(c);
    }
    return out;
}

json userRecord(const json& u) {
    if (!u.is_object() || str(u, "id").empty() || str(u, "login").empty())
        throw Error(VALORY_ERR_UPSTREAM, "Twitch answered a user without id or login");
    json r{{"id", str(u, "id")},
           {"login", str(u, "login")},
           {"display_name", str(u, "display_name")},
           {"type", str(u, "type")},
           {"broadcaster_type", str(u, "broadcaster_type")},
           {"description", str(u, "description")},
           {"profile_image_url", str(u, "profile_image_url")},
           {"offline_image_url", str(u, "offline_image_url")},
           {"created_at", str(u, "created_at")}};
    if (u.contains("email") && u["email"].is_string()) r["email"] = u["email"];
    return r;
}

json streamRecord(const json& s) {
    if (!s.is_object() || str(s, "user_id").empty())
        throw Error(VALORY_ERR_UPSTREAM, "Twitch answered a stream without user_id");
    json tags = json::array();
    if (auto it = s.find("tags"); it != s.end() && it->is_array())
        for (const auto& t : *it)
            if (t.is_string()) tags.push_back(t);
    int64_t viewers = 0;
    if (auto it = s.find("viewer_count"); it != s.end() && it->is_number_integer())
        viewers = it->get<int64_t>();
    return json{{"id", str(s, "id")},
                {"user_id", str(s, "user_id")},
                {"user_login", str(s, "user_login")},
                {"user_name", str(s, "user_name")},
                {"game_id", str(s, "game_id")},
                {"game_name", str(s, "game_name")},
                {"title", str(s, "title")},
                {"viewer_count", viewers},
                {"started_at", str(s, "started_at")},
                {"language", str(s, "language")},
                {"thumbnail_url", str(s, "thumbnail_url")},
                {"tags", tags}};
}

TwitchConfig TwitchConfig::fromSettings(const json& s) {
    TwitchConfig c;
    auto get = [&](const char* k, std::string& out) {
        if (auto it = s.find(k); it != s.end() && it->is_string()) out = it->get<std::string>();
    };
    get("client_id", c.clientId);
    get("client_secret", c.clientSecret);
    get("id_base_url", c.idBaseUrl);
    get("helix_base_url", c.helixBaseUrl);
    get("authorize_base_url", c.authorizeBaseUrl);
    get("redirect_uri", c.redirectUri);
    get("scopes", c.scopes);
    if (auto it = s.find("deadline_ms"); it != s.end() && it->is_number_integer())
        c.deadline = std::chrono::milliseconds(it->get<int64_t>());
    if (auto it = s.find("token_renew_before_s"); it != s.end() && it->is_number_integer())
        c.renewBefore = std::chrono::seconds(it->get<int64_t>());
    if (c.clientId.empty())
        throw Error(VALORY_ERR_INVALID_ARGUMENT, "twitch: settings.client_id is required");
    if (c.clientSecret.empty())
        throw Error(VALORY_ERR_INVALID_ARGUMENT,
                    "twitch: settings.client_secret is required (reference it as {\"env\": NAME})");
    for (auto* u : {&c.idBaseUrl, &c.helixBaseUrl, &c.authorizeBaseUrl})
        while (!u->empty() && u->back() == '/') u->pop_back();
    return c;
}

TwitchClient::TwitchClient(sdk::HttpTransport& transport, TwitchConfig config, Clock clock)
    : transport_(transport),
      config_(std::move(config)),
      clock_(clock ? clock : Clock(systemNowMs)),
      limiter_(clock_) {}

bool TwitchClient::hasAppToken() const {
    std::lock_guard lock(tokenMutex_);
    return !token_.empty() && now() < tokenExpiresMs_;
}

std::string TwitchClient::authorizeUrl(const std::string& state, const std::string& redirectUri,
                                       const std::string& scopes, bool forceVerify) const {
    if (state.empty()) throw Error(VALORY_ERR_INVALID_ARGUMENT, "authorize_url: state must not be empty");
    const std::string redirect = redirectUri.empty() ? config_.redirectUri : redirectUri;
    if (redirect.empty())
        throw Error(VALORY_ERR_INVALID_ARGUMENT, "authorize_url: no redirect_uri given and none configured");
    std::vector<std::pair<std::string, std::string>> q = {{"client_id", config_.clientId},
                                                          {"redirect_uri", redirect},
                                                          {"response_type", "code"},
                                                          {"scope", scopes.empty() ? config_.scopes : scopes},
                                                          {"state", state}};
    if (forceVerify) q.emplace_back("force_verify", "true");
    const std::string& base = config_.authorizeBaseUrl.empty() ? config_.idBaseUrl : config_.authorizeBaseUrl;
    return sdk::appendQuery(base + "/authorize", q);
}

sdk::HttpResponse TwitchClient::send(sdk::HttpRequest req, int64_t deadlineMs) {
    const int64_t left = deadlineMs - now();
    if (left <= 0)
        throw Error(VALORY_ERR_TIMEOUT, "twitch: deadline passed before " + req.method + " " +
                                            req.url.substr(0, req.url.find('?')));
    req.deadline = std::chrono::milliseconds(left);
    try {
        return transport_.send(req);
    } catch (const sdk::HttpClientError& e) {
        if (e.response()) {
            const auto& r = *e.response();
            limiter_.update(headerInt(r, "Ratelimit-Limit"), headerInt(r, "Ratelimit-Remaining"),
                            headerInt(r, "Ratelimit-Reset"));
        }
        throw Error(e.status(), e.what(), e.detail());
    }
}

std::string TwitchClient::appToken(int64_t deadlineMs) {
    {
        std::lock_guard lock(tokenMutex_);
        if (!token_.empty() && now() < tokenExpiresMs_) return token_;
    }
    std::lock_guard renew(renewMutex_);  // single-flight: concurrent callers wait for one renewal
    {
        std::lock_guard lock(tokenMutex_);
        if (!token_.empty() && now() < tokenExpiresMs_) return token_;
    }
    sdk::HttpRequest req;
    req.method = "POST";
    req.url = config_.idBaseUrl + "/token";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = formEncode({{"client_id", config_.clientId},
                           {"client_secret", config_.clientSecret},
                           {"grant_type", "client_credentials"}});
    req.flags = VALORY_HTTP_CLIENT_IDEMPOTENT;  // minting another app token is harmless
    auto r = send(req, deadlineMs);
    if (r.status == 400 || r.status == 401 || r.status == 403)
        throw Error(VALORY_ERR_UNAUTHORIZED, "twitch: client credentials refused (" +
                                                 std::to_string(r.status) + " " + upstreamMessage(r.body) +
                                                 "); check client_id/client_secret");
    if (r.status != 200)
        throw Error(VALORY_ERR_UPSTREAM, "twitch: token endpoint answered " + std::to_string(r.status),
                    r.status);
    json j = parseBody(r, "app token");
    const std::string token = str(j, "access_token");
    if (token.empty())
        throw Error(VALORY_ERR_UPSTREAM, "twitch: token answer without access_token", r.status);
    // expires_in may be absent or null (non-expiring tokens of old clients).
    int64_t ttlMs = 60LL * 24 * 3600 * 1000;
    if (auto it = j.find("expires_in"); it != j.end() && it->is_number_integer())
        ttlMs = it->get<int64_t>() * 1000;
    const int64_t margin =
        std::min<int64_t>(std::chrono::milliseconds(config_.renewBefore).count(), ttlMs / 2);
    std::lock_guard lock(tokenMutex_);
    token_ = token;
    tokenExpiresMs_ = now() + ttlMs - margin;
    ++stats_.appTokens;
    return token_;
}

void TwitchClient::dropAppToken(const std::string& token) {
    std::lock_guard lock(tokenMutex_);
    if (token_ == token) token_.clear();  // a concurrent 401 on the same token renews only once
}

json TwitchClient::helixGet(const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& params,
                            int64_t deadlineMs) {
    for (int attempt = 0;; ++attempt) {
        const std::string token = appToken(deadlineMs);
        limiter_.acquire(deadlineMs);
        sdk::HttpRequest req;
        req.url = sdk::appendQuery(config_.helixBaseUrl + path, params);
        req.headers = {{"Authorization", "Bearer " + token},
                       {"Client-Id", config_.clientId},
                       {"Accept", "application/json"}};
        ++stats_.helixRequests;
        auto r = send(req, deadlineMs);
        limiter_.update(headerInt(r, "Ratelimit-Limit"), headerInt(r, "Ratelimit-Remaining"),
                        headerInt(r, "Ratelimit-Reset"));
        if (r.status == 401) {
            if (attempt == 0) {
                dropAppToken(token);
                ++stats_.renewalsOn401;
                continue;  // renew once, repeat once
            }
            throw Error(VALORY_ERR_UNAUTHORIZED,
                        "Helix refused a freshly renewed app token: " + upstreamMessage(r.body));
        }
        if (r.status == 400)
            throw Error(VALORY_ERR_INVALID_ARGUMENT, "Helix " + path + ": " + upstreamMessage(r.body), 400);
        if (r.status < 200 || r.status >= 300)
            throw Error(
                VALORY_ERR_UPSTREAM,
                "Helix " + path + " answered " + std::to_string(r.status) + ": " + upstreamMessage(r.body),
                r.status);
        json j = parseBody(r, ("Helix " + path).c_str());
        if (!j.contains("data") || !j["data"].is_array())
            throw Error(VALORY_ERR_UPSTREAM, "Helix " + path + ": answer without a data array", r.status);
        return j;
    }
}

std::vector<TwitchClient::Batch> TwitchClient::batches(const std::vector<std::string>& ids,
                                                       const std::vector<std::string>& logins) {
    std::vector<Batch> out;
    size_t n = 0;
    auto room = [&]() -> Batch& {
        if (out.empty() || n == kBatch) {
            out.emplace_back();
            n = 0;
        }
        ++n;
        return out.back();
    };
    for (const auto& i : ids) room().ids.push_back(i);
    for (const auto& l : logins) room().logins.push_back(l);
    return out;
}

namespace {
struct Keys {
    std::vector<std::string> ids, logins, invalidLogins;
};
Keys dedupe(const std::vector<std::string>& ids, const std::vector<std::string>& logins) {
    Keys k;
    std::set<std::string> seenI, seenL;
    for (const auto& i : ids) {
        const bool numeric =
            !i.empty() && std::all_of(i.begin(), i.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!numeric) {
            k.invalidLogins.push_back("id:" + i);  // reported below as a missing id
            continue;
        }
        if (seenI.insert(i).second) k.ids.push_back(i);
    }
    for (const auto& l : logins) {
        auto n = normalizeLogin(l);
        if (n.empty()) {
            k.invalidLogins.push_back(l);
            continue;
        }
        if (seenL.insert(n).second) k.logins.push_back(n);
    }
    return k;
}
void splitInvalid(const Keys& k, json& missingIds, json& missingLogins) {
    for (const auto& x : k.invalidLogins) {
        if (x.rfind("id:", 0) == 0)
            missingIds.push_back(x.substr(3));
        else
            missingLogins.push_back(x);
    }
}
}  // namespace

json TwitchClient::users(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                         std::chrono::milliseconds deadline) {
    if (ids.empty() && logins.empty())
        throw Error(VALORY_ERR_INVALID_ARGUMENT, "get_users: no ids or logins");
    const int64_t deadlineMs = now() + (deadline.count() > 0 ? deadline : config_.deadline).count();
    Keys k = dedupe(ids, logins);
    json users = json::array(), missingIds = json::array(), missingLogins = json::array();
    std::set<std::string> foundIds, foundLogins;
    for (const auto& b : batches(k.ids, k.logins)) {
        std::vector<std::pair<std::string, std::string>> q;
        for (const auto& i : b.ids) q.emplace_back("id", i);
        for (const auto& l : b.logins) q.emplace_back("login", l);
        json page = helixGet("/users", q, deadlineMs);
        for (const auto& u : page["data"]) {
            json rec = userRecord(u);
            const auto id = rec["id"].get<std::string>();
            const auto login = normalizeLogin(rec["login"].get<std::string>());
            if (foundIds.count(id)) continue;  // asked by id and by login in one batch
            foundIds.insert(id);
            foundLogins.insert(login);
            rec.erase("email");  // app token: never present, keep the record shape stable
            users.push_back(std::move(rec));
        }
    }
    for (const auto& i : k.ids)
        if (!foundIds.count(i)) missingIds.push_back(i);
    for (const auto& l : k.logins)
        if (!foundLogins.count(l)) missingLogins.push_back(l);
    splitInvalid(k, missingIds, missingLogins);
    return json{{"users", users}, {"missing_ids", missingIds}, {"missing_logins", missingLogins}};
}

json TwitchClient::streams(const std::vector<std::string>& ids, const std::vector<std::string>& logins,
                           std::chrono::milliseconds deadline) {
    if (ids.empty() && logins.empty())
        throw Error(VALORY_ERR_INVALID_ARGUMENT, "get_streams: no ids or logins");
    const int64_t deadlineMs = now() + (deadline.count() > 0 ? deadline : config_.deadline).count();
    Keys k = dedupe(ids, logins);
    json streams = json::array(), offIds = json::array(), offLogins = json::array();
    std::set<std::string> liveIds, liveLogins;
    for (const auto& b : batches(k.ids, k.logins)) {
        std::vector<std::pair<std::string, std::string>> q;
        for (const auto& i : b.ids) q.emplace_back("user_id", i);
        for (const auto& l : b.logins) q.emplace_back("user_login", l);
        q.emplace_back("first", "100");
        // With <= 100 users and first=100 one page holds them all; follow a cursor anyway (bounded).
        for (int page = 0; page < 5; ++page) {
            json j = helixGet("/streams", q, deadlineMs);
            for (const auto& s : j["data"]) {
                json rec = streamRecord(s);
                const auto id = rec["user_id"].get<std::string>();
                if (!liveIds.insert(id).second) continue;
                liveLogins.insert(normalizeLogin(rec["user_login"].get<std::string>()));
                streams.push_back(std::move(rec));
            }
            std::string cursor;
            if (auto p = j.find("pagination"); p != j.end() && p->is_object()) cursor = str(*p, "cursor");
            if (cursor.empty() || j["data"].empty()) break;
            std::erase_if(q, [](const auto& kv) { return kv.first == "after"; });
            q.emplace_back("after", cursor);
        }
    }
    for (const auto& i : k.ids)
        if (!liveIds.count(i)) offIds.push_back(i);
    for (const auto& l : k.logins)
        if (!liveLogins.count(l)) offLogins.push_back(l);
    splitInvalid(k, offIds, offLogins);
    return json{{"streams", streams}, {"offline_ids", offIds}, {"offline_logins", offLogins}};
}

json TwitchClient::exchangeCode(const std::string& code, const std::string& redirectUri,
                                std::chrono::milliseconds deadline) {
    if (code.empty()) throw Error(VALORY_ERR_INVALID_ARGUMENT, "exchange_code: code must not be empty");
    const std::string redirect = redirectUri.empty() ? config_.redirectUri : redirectUri;
    const int64_t deadlineMs = now() + (deadline.count() > 0 ? deadline : config_.deadline).count();
    ++stats_.codeExchanges;
    sdk::HttpRequest req;
    req.method = "POST";
    req.url = config_.idBaseUrl + "/token";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    req.body = formEncode({{"client_id", config_.clientId},
                           {"client_secret", config_.clientSecret},
                           {"code", code},
                           {"grant_type", "authorization_code"},
                           {"redirect_uri", redirect}});
    req.flags = VALORY_HTTP_CLIENT_NO_RETRY;  // the code is single-use: a retry could only fail
    req.maxAttempts = 1;
    auto r = send(req, deadlineMs);
    if (r.status == 400)
        throw Error(VALORY_ERR_UNAUTHORIZED, "invalid grant: " + upstreamMessage(r.body), 400);
    if (r.status == 401 || r.status == 403)
        throw Error(VALORY_ERR_UNAUTHORIZED, "twitch: client credentials refused: " + upstreamMessage(r.body),
                    r.status);
    if (r.status != 200)
        throw Error(VALORY_ERR_UPSTREAM, "twitch: code exchange answered " + std::to_string(r.status),
                    r.status);
    json tok = parseBody(r, "code exchange");
    const std::string access = str(tok, "access_token");
    if (access.empty())
        throw Error(VALORY_ERR_UPSTREAM, "twitch: code exchange answer without access_token", 200);

    sdk::HttpRequest me;
    me.url = config_.helixBaseUrl + "/users";
    me.headers = {{"Authorization", "Bearer " + access},
                  {"Client-Id", config_.clientId},
                  {"Accept", "application/json"}};
    auto u = send(me, deadlineMs);
    if (u.status == 401)
        throw Error(VALORY_ERR_UNAUTHORIZED, "Helix refused the new user token: " + upstreamMessage(u.body));
    if (u.status != 200)
        throw Error(VALORY_ERR_UPSTREAM, "Helix /users (own profile) answered " + std::to_string(u.status),
                    u.status);
    json j = parseBody(u, "own profile");
    if (!j.contains("data") || !j["data"].is_array() || j["data"].empty())
        throw Error(VALORY_ERR_UPSTREAM, "Helix /users answered no profile for the token", 200);
    json scopes = json::array();
    if (auto it = tok.find("scope"); it != tok.end() && it->is_array()) scopes = *it;
    int64_t expiresIn = 0;
    if (auto it = tok.find("expires_in"); it != tok.end() && it->is_number_integer())
        expiresIn = it->get<int64_t>();
    return json{{"user", userRecord(j["data"][0])}, {"scopes", scopes}, {"expires_in", expiresIn}};
}

}  // namespace valory::plugins::twitch
