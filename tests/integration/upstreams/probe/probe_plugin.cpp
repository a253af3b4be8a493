// Test-only plugin: calls twitch/1 and riot/1 through the host's service registry, exactly as the
// overlays plugin will, and answers with the records (or the error as JSON with an HTTP status).
#include "valory/cpp/plugin.hpp"
#include "valory/cpp/riot.hpp"
#include "valory/cpp/twitch.hpp"

namespace {

using nlohmann::json;
using valory::sdk::Error;

int httpStatusOf(valory_status s) {
    switch (s) {
        case VALORY_ERR_INVALID_ARGUMENT:
            return 400;
        case VALORY_ERR_UNAUTHORIZED:
            return 401;
        case VALORY_ERR_NOT_FOUND:
            return 404;
        case VALORY_ERR_RATE_LIMITED:
            return 429;
        case VALORY_ERR_UPSTREAM:
            return 502;
        case VALORY_ERR_UNAVAILABLE:
            return 503;
        case VALORY_ERR_TIMEOUT:
            return 504;
        default:
            return 500;
    }
}

std::vector<std::string> all(const valory::sdk::Request& r, const char* k) {
    std::vector<std::string> out;
    for (auto v : r.queryAll(k)) out.emplace_back(v);
    return out;
}
std::string one(const valory::sdk::Request& r, const char* k) {
    return std::string(r.query(k).value_or(""));
}
std::chrono::milliseconds deadline(const valory::sdk::Request& r) {
    auto d = one(r, "deadline_ms");
    return std::chrono::milliseconds(d.empty() ? 0 : std::stoll(d));
}

class Probe : public valory::sdk::Plugin {
  public:
    Probe(valory::sdk::Host host, const valory::sdk::CreateArgs&) : Plugin(std::move(host)) {}

    void start() override {
        twitch_ = host().acquire<valory::sdk::Twitch>();
        riot_ = host().acquire<valory::sdk::Riot>();
        routes_.push_back(host().route("GET", "/probe/twitch/users", wrap([this](const auto& rq) {
                                           return twitch_->users(all(rq, "id"), all(rq, "login"),
                                                                 deadline(rq));
                                       })));
        routes_.push_back(host().route("GET", "/probe/twitch/streams", wrap([this](const auto& rq) {
                                           return twitch_->streams(all(rq, "id"), all(rq, "login"),
                                                                   deadline(rq));
                                       })));
        routes_.push_back(host().route(
            "GET", "/probe/twitch/authorize", wrap([this](const auto& rq) {
                return json{{"url", twitch_->authorizeUrl(one(rq, "state"), one(rq, "redirect_uri"))}};
            })));
        routes_.push_back(host().route("GET", "/probe/twitch/exchange", wrap([this](const auto& rq) {
                                           return twitch_->exchangeCode(
                                               one(rq, "code"), one(rq, "redirect_uri"), deadline(rq));
                                       })));
        for (const char* what : {"account", "rank", "matches"}) {
            const std::string path = std::string("/probe/riot/") + what;
            const std::string w = what;
            routes_.push_back(host().route("GET", path.c_str(), wrap([this, w](const auto& rq) {
                                               valory::sdk::RiotQuery q;
                                               q.name = one(rq, "name");
                                               q.tag = one(rq, "tag");
                                               q.puuid = one(rq, "puuid");
                                               q.region = one(rq, "region");
                                               q.apiKey = one(rq, "key");
                                               q.deadline = deadline(rq);
                                               if (one(rq, "fresh") == "1") q.flags |= VALORY_RIOT_FRESH;
                                               if (!one(rq, "count").empty())
                                                   q.count =
                                                       static_cast<uint32_t>(std::stoul(one(rq, "count")));
                                               return w == "account" ? riot_->account(q)
                                                      : w == "rank"  ? riot_->rank(q)
                                                                     : riot_->matches(q);
                                           })));
        }
    }

  private:
    template <class F>
    std::function<void(const valory::sdk::Request&, valory::sdk::Response&)> wrap(F f) {
        return [f](const valory::sdk::Request& rq, valory::sdk::Response& rs) {
            try {
                rs.json(f(rq));
            } catch (const Error& e) {
                rs.json(json{{"error", valory::sdk::statusName(e.status())},
                             {"message", e.what()},
                             {"detail", e.detail()}},
                        httpStatusOf(e.status()));
            }
        };
    }

    std::optional<valory::sdk::Twitch> twitch_;
    std::optional<valory::sdk::Riot> riot_;
    std::vector<valory::sdk::Route> routes_;
};

}  // namespace

VALORY_PLUGIN(Probe, "upstreams_probe", "1.0.0")
