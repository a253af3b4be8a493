#include "app.hpp"

#include <cstdio>

#include "valory/cpp/json.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;

json fieldError(std::string_view where, std::string_view field, std::string_view msg, std::string_view type) {
    json loc = json::array({where});
    if (!field.empty()) loc.push_back(field);
    return {{"loc", loc}, {"msg", msg}, {"type", type}};
}

void sendDetail(sdk::Response& resp, int status, const json& detail) {
    resp.json(json{{"detail", detail}}, status);
}

namespace {

// A service failure as the client sees it: upstream trouble is 502/503 with a message that says
// what failed, never the internal text (which may name hosts or SQL).
void sendServiceError(const sdk::Host& host, sdk::Response& resp, const sdk::Error& e,
                      std::string_view route) {
    int status = 503;
    std::string detail = "The service is temporarily unavailable; try again";
    switch (e.status()) {
        case VALORY_ERR_TIMEOUT:
            status = 504;
            detail = "An upstream service did not answer in time; try again";
            break;
        case VALORY_ERR_UPSTREAM:
        case VALORY_ERR_UNAUTHORIZED:
            status = 502;
            detail = "An upstream service answered with an error";
            break;
        case VALORY_ERR_RATE_LIMITED:
            status = 429;
            detail = "Too many requests. Please wait.";
            resp.header("Retry-After", std::to_string(std::max<int64_t>(1, (e.detail() + 999) / 1000)));
            break;
        case VALORY_ERR_UNAVAILABLE:
        case VALORY_ERR_UNKNOWN_OUTCOME:
        case VALORY_ERR_RETRYABLE:
            break;
        default:
            status = 500;
            detail = "Internal server error";
    }
    host.warn(std::string(route) + ": " + sdk::statusName(e.status()) + ": " + e.what());
    sendDetail(resp, status, detail);
}

}  // namespace

void Routes::add(const char* method, const char* path, Handler handler) {
    entries_.push_back({method, path});
    if (!live_) return;
    std::string route = std::string(method) + " " + path;
    sdk::Host host = host_;
    // The App outlives its routes (plugin stop clears them first), so `host` is safe to copy.
    auto wrapped = [handler = std::move(handler), route, host](const sdk::Request& req, sdk::Response& resp) {
        try {
            handler(req, resp);
        } catch (const ApiError& e) {
            for (const auto& [k, v] : e.headers) resp.header(k, v);
            sendDetail(resp, e.status(), e.detail());
        } catch (const sdk::HttpError& e) {
            sendDetail(resp, e.httpStatus(), e.what());
        } catch (const sdk::Error& e) {
            sendServiceError(host, resp, e, route);
        } catch (const std::exception& e) {
            host.error(route + ": unexpected error: " + e.what());
            sendDetail(resp, 500, "Internal server error");
        }
    };
    handles_.push_back(host_.route(method, path, std::move(wrapped)));
}

sdk::sql::Database& App::sql() {
    if (!db) throw sdk::Error(VALORY_ERR_STATE, "overlays: sql/1 is not acquired");
    return *db;
}
sdk::Twitch& App::tw() {
    if (!twitch) throw sdk::Error(VALORY_ERR_STATE, "overlays: twitch/1 is not acquired");
    return *twitch;
}
sdk::Riot& App::rt() {
    if (!riot) throw sdk::Error(VALORY_ERR_STATE, "overlays: riot/1 is not acquired");
    return *riot;
}

std::string App::publicUrl() const {
    std::string url = hosted ? host.hostInfo("http.public_url") : std::string();
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

namespace {
std::string lowerAscii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}
std::string originOf(std::string_view url) {
    auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    auto slash = url.find('/', scheme + 3);
    return lowerAscii(url.substr(0, slash));
}
}  // namespace

void requireSafeWrite(const App& app, const sdk::Request& req) {
    if (auto origin = req.header("Origin")) {
        const std::string o = lowerAscii(*origin);
        bool ok = !o.empty() && o == originOf(app.publicUrl());
        for (const auto& allowed : app.config.allowedOrigins) ok = ok || o == lowerAscii(allowed);
        if (!ok) throw ApiError(403, "Origin not allowed");
    }
    auto type = req.header("Content-Type");
    if (!type && req.body().empty()) return;
    std::string t = lowerAscii(type.value_or(""));
    if (auto semi = t.find(';'); semi != std::string::npos) t.resize(semi);
    while (!t.empty() && t.back() == ' ') t.pop_back();
    if (t != "application/json") throw ApiError(415, "Content-Type must be application/json");
}

json jsonBody(const sdk::Request& req, bool allowEmpty) {
    auto b = req.body();
    bool blank = true;
    for (char c : b) blank = blank && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
    if (blank) {
        if (allowEmpty) return json::object();
        throw ApiError(400, "Request body is empty");
    }
    // valory::json::parse refuses absurd nesting before building anything (copies and dump() of a
    // 100,000-deep value would overflow the stack).
    auto parsed = valory::json::parse(b);
    if (parsed.is_discarded())
        throw ApiError(422, json::array({fieldError("body", "", "Invalid JSON", "json_invalid")}),
                       "invalid JSON");
    if (!parsed.is_object())
        throw ApiError(422, json::array({fieldError("body", "", "Input should be an object", "model_type")}),
                       "body not an object");
    return parsed;
}

std::string etagOf(std::string_view body) {
    // FNV-1a 64: stable across hosts and restarts (the same bytes give the same tag everywhere).
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : body) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
    return buf;
}

bool etagMatches(const sdk::Request& req, std::string_view etag) {
    auto inm = req.header("If-None-Match");
    if (!inm) return false;
    std::string_view v = *inm;
    size_t pos = 0;
    while (pos < v.size()) {
        size_t comma = v.find(',', pos);
        std::string_view tok = v.substr(pos, comma == std::string_view::npos ? v.size() - pos : comma - pos);
        while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
        while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
        if (tok == "*") return true;
        if (tok.substr(0, 2) == "W/") tok.remove_prefix(2);
        if (tok == etag) return true;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return false;
}

}  // namespace valory::plugins::overlays
