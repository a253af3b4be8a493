#include "henrik_client.hpp"

#include "valory/cpp/error.hpp"
#include "valory/cpp/json.hpp"

namespace valory::plugins::riot {

using nlohmann::json;
using sdk::Error;

int64_t HenrikClient::nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

HenrikClient::HenrikClient(sdk::HttpTransport& transport, HenrikConfig config)
    : transport_(transport), config_(std::move(config)) {
    while (!config_.baseUrl.empty() && config_.baseUrl.back() == '/') config_.baseUrl.pop_back();
}

namespace {
/// errors[0] of a HenrikDev error body: {"status", "errors": [{"message", "code", "details"}]}.
std::pair<int64_t, std::string> henrikError(const std::string& body) {
    json j = valory::json::parse(body);
    if (j.is_object()) {
        auto e = j.find("errors");
        if (e != j.end() && e->is_array() && !e->empty() && (*e)[0].is_object()) {
            const json& first = (*e)[0];
            int64_t code = first.contains("code") && first["code"].is_number_integer()
                               ? first["code"].get<int64_t>()
                               : 0;
            std::string msg = first.contains("message") && first["message"].is_string()
                                  ? first["message"].get<std::string>()
                                  : "";
            return {code, msg};
        }
        if (j.contains("message") && j["message"].is_string())
            return {0, j["message"].get<std::string>()};  // legacy shape
    }
    return {0, body.size() > 120 ? body.substr(0, 120) + "..." : body};
}
}  // namespace

json HenrikClient::get(const std::vector<std::string>& segments,
                       const std::vector<std::pair<std::string, std::string>>& query, const std::string& key,
                       int64_t deadlineMs) {
    std::string url = config_.baseUrl;
    std::string route;  // for messages: no names, keys or ids
    for (size_t i = 0; i < segments.size(); ++i) {
        // urlEncode keeps dots, and "." / ".." are dot-segments a URL normaliser removes: a Riot
        // name or tag of ".." would walk HenrikDev's path with the server's key. No name or tag
        // is ever empty or only one or two dots, so refuse them before anything is sent.
        if (segments[i].empty() || segments[i] == "." || segments[i] == "..")
            throw Error(VALORY_ERR_INVALID_ARGUMENT,
                        "riot: a name, tag or id may not be empty, \".\" or \"..\"");
        url += "/" + sdk::urlEncode(segments[i]);
        if (i < 2 || segments[i] == "by-puuid" || segments[i] == "account" || segments[i] == "mmr" ||
            segments[i] == "matches")
            route += "/" + segments[i];
    }
    url = sdk::appendQuery(url, query);
    const std::string& apiKey = key.empty() ? config_.apiKey : key;
    const int64_t left = deadlineMs - nowMs();
    if (left <= 0)
        throw Error(VALORY_ERR_TIMEOUT, "HenrikDev" + route + ": deadline passed before the request");
    sdk::HttpRequest req;
    req.url = url;
    req.headers = {{"Accept", "application/json"}};
    if (!apiKey.empty()) req.headers.emplace_back("Authorization", apiKey);  // raw key, no "Bearer"
    req.deadline = std::chrono::milliseconds(left);
    ++calls_;
    sdk::HttpResponse r;
    try {
        r = transport_.send(req);
    } catch (const sdk::HttpClientError& e) {
        throw Error(e.status(), std::string("HenrikDev") + route + ": " + e.what(), e.detail());
    }
    if (r.status == 200) {
        json j = valory::json::parse(r.body);
        if (j.is_discarded() || !j.is_object() || !j.contains("data"))
            throw Error(VALORY_ERR_UPSTREAM,
                        "HenrikDev" + route + ": malformed answer (" + std::to_string(r.body.size()) +
                            " bytes, not the {status, data} JSON)",
                        200);
        return j["data"];
    }
    auto [code, message] = henrikError(r.body);
    const std::string what = "HenrikDev" + route + " " + std::to_string(r.status) + " (code " +
                             std::to_string(code) + "): " + message;
    if (r.status == 404) throw Error(VALORY_ERR_NOT_FOUND, what, code);
    if (r.status == 401 || r.status == 403)
        throw Error(VALORY_ERR_UNAUTHORIZED, what + " - check the HenrikDev API key", r.status);
    if (r.status == 400) throw Error(VALORY_ERR_INVALID_ARGUMENT, what, code);
    throw Error(VALORY_ERR_UPSTREAM, what, r.status);
}

json HenrikClient::accountByRiotId(const std::string& name, const std::string& tag, const std::string& key,
                                   int64_t deadlineMs) {
    return get({"v2", "account", name, tag}, {}, key, deadlineMs);
}

json HenrikClient::accountByPuuid(const std::string& puuid, const std::string& key, int64_t deadlineMs) {
    return get({"v2", "by-puuid", "account", puuid}, {}, key, deadlineMs);
}

json HenrikClient::mmrV3(const std::string& region, const std::string& platform, const std::string& puuid,
                         const std::string& key, int64_t deadlineMs) {
    return get({"v3", "by-puuid", "mmr", region, platform, puuid}, {}, key, deadlineMs);
}

json HenrikClient::matchesV4(const std::string& region, const std::string& platform, const std::string& puuid,
                             uint32_t size, const std::string& key, int64_t deadlineMs) {
    return get({"v4", "by-puuid", "matches", region, platform, puuid},
               {{"mode", "competitive"}, {"size", std::to_string(size)}}, key, deadlineMs);
}

}  // namespace valory::plugins::riot
