// The streamers showcase of the landing page (/api/streamers/*): a configured list of Twitch
// logins with their live state, refreshed by a job, shared by every host through a store, and
// kept when Twitch fails (the last good list is served). Sorting and filters are pure functions
// over the list, unit tested without a host.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

struct Streamer {
    std::string username;  // the configured login as written in the config
    std::string img;
    int64_t followers = 0;
    bool live = false;
    bool verified = false;  // broadcaster_type == "partner"
    std::optional<int64_t> viewers;
    std::string game, title;
};

/// "1.2M", "12.3k", "999" (the original's formatting).
std::string formatFollowers(int64_t n);

/// The public shape (StreamerResponse: username, followers as text, img, live, verified, viewers).
nlohmann::json toJson(const std::vector<Streamer>& list);
/// The stored shape (every field, followers as a number) and back.
nlohmann::json toStoredJson(const std::vector<Streamer>& list);
std::vector<Streamer> streamersFromJson(const nlohmann::json& j);

/// A query parameter that is out of range or of the wrong type: answered 422 naming `field`.
struct QueryError {
    std::string field, message, type;
};

/// Reads one query parameter by name (nullopt when absent).
using QueryFn = std::function<std::optional<std::string>(const std::string&)>;

/// The response bodies of the six routes; throw std::vector<QueryError> on bad parameters.
/// `route` is "" (GET /api/streamers/), "online", "sorted", "top", "mixed-sort" or "stats".
nlohmann::json showcaseAnswer(const std::string& route, const std::vector<Streamer>& list,
                              const QueryFn& query, int64_t updatedAtMs, bool refreshed);

/// Whether refresh_cache=true was asked (validated like the other booleans).
bool wantsRefresh(const QueryFn& query);

/// Builds the list from twitch/1 answers: users {"users": [...]} and streams {"streams": [...]},
/// matching logins case-insensitively. Logins Twitch does not know stay in the list, offline.
std::vector<Streamer> buildShowcase(const std::vector<std::string>& logins, const nlohmann::json& users,
                                    const nlohmann::json& streams,
                                    const std::function<int64_t(const std::string& userId)>& followers = {});

/// The list as hosts share it: fetched from Twitch by the refresh job (on one host), saved to a
/// shared store, read back by every host at most once per `localTtlMs`.
class Showcase {
  public:
    struct Snapshot {
        std::vector<Streamer> streamers;
        int64_t updatedAtMs = 0;
    };
    using Fetch = std::function<std::vector<Streamer>()>;  // throws when Twitch fails
    using Load = std::function<std::optional<Snapshot>()>;
    using Save = std::function<void(const Snapshot&)>;
    using Clock = std::function<int64_t()>;

    Showcase(Fetch fetch, Load load, Save save, int64_t localTtlMs, Clock clock = {});

    /// Fetches from Twitch and saves; on failure the last good list stays. Returns success.
    bool refresh();
    /// The list to serve. `forceRefresh` (refresh_cache=true) fetches first, at most once per
    /// `localTtlMs` per host. Without any list yet, fetches once. `refreshed` says whether this call fetched.
    std::shared_ptr<const Snapshot> current(bool forceRefresh, bool* refreshed = nullptr);

  private:
    Fetch fetch_;
    Load load_;
    Save save_;
    int64_t localTtlMs_;
    Clock clock_;
    std::mutex m_, fetchMutex_;
    std::shared_ptr<const Snapshot> snap_;
    int64_t loadedAtMs_ = 0, lastForcedMs_ = 0;
};

}  // namespace valory::plugins::overlays
