// GET /api/overlay/{id}/stats behind the route: one snapshot per overlay, rebuilt at most once per
// refresh interval however many viewers ask (single flight: one rebuild at a time per overlay,
// the others get the previous snapshot, or wait for the first one), and the last good values
// served with their age when HenrikDev fails. The data sources are interfaces so the logic is
// unit tested without a host; plugin.cpp wires riot/1, twitch/1 and sql/1 behind them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rank_stats.hpp"

namespace valory::plugins::overlays {

/// The overlay and what its stats are computed from.
struct StatsOwner {
    std::string overlayId;
    std::string twitchLogin;
    std::string riotId;  // "name#tag"; empty = not linked
    std::string apiKey;  // the streamer's own HenrikDev key; empty = the server's
    std::optional<int64_t> sessionResetAtMs;
};

/// riot/1 and twitch/1 as the stats need them. Failures throw valory::sdk::Error.
class PlayerSource {
  public:
    virtual ~PlayerSource() = default;
    virtual nlohmann::json account(const std::string& name, const std::string& tag,
                                   const std::string& apiKey) = 0;
    virtual nlohmann::json rank(const std::string& puuid, const std::string& region,
                                const std::string& apiKey, bool fresh) = 0;
    virtual nlohmann::json matches(const std::string& puuid, const std::string& region,
                                   const std::string& apiKey, bool fresh) = 0;
    /// For each of the logins that is live: when its stream went live (epoch ms), keyed by the
    /// lower-case login. Offline logins are absent.
    virtual std::map<std::string, int64_t> liveSince(const std::vector<std::string>& twitchLogins) = 0;
};

/// Where overlays are found and matches and demand are recorded (sql/1 in the plugin).
class StatsStore {
  public:
    virtual ~StatsStore() = default;
    virtual std::optional<StatsOwner> ownerByOverlayId(const std::string& overlayId) = 0;
    virtual std::optional<StatsOwner> ownerByTwitchLogin(const std::string& login) = 0;
    /// Records competitive matches (idempotent by id) and returns the player's newest `limit`.
    virtual std::vector<PlayedMatch> recordMatches(const std::string& puuid,
                                                   const std::vector<PlayedMatch>& fetched, size_t limit) = 0;
    /// Notes that the overlay's stats were asked for (drives the refresh job).
    virtual void noteDemand(const std::vector<std::string>& overlayIds) = 0;
    /// Overlays whose stats were asked for since `sinceMs`.
    virtual std::vector<StatsOwner> demandedSince(int64_t sinceMs) = 0;
    /// Starts a new session now.
    virtual void resetSession(const std::string& overlayId, int64_t atMs) = 0;
};

struct StatsConfig {
    int64_t refreshMs = 30'000;          // a snapshot is rebuilt after this long
    int64_t idleGapMs = 2LL * 3600'000;  // see SessionInputs
    int64_t demandWindowMs = 600'000;    // the job refreshes overlays asked for within this window
    int64_t demandFlushMs = 60'000;      // how often one host writes demand to the store (per overlay)
    size_t matchHistory = 200;           // recorded matches read per build
};

/// One built answer: the body and its ETag.
struct StatsSnapshot {
    std::string body;
    std::string etag;
    int64_t builtAtMs = 0;
    bool good = false;  // built from rank data (not an "unavailable" placeholder)
    nlohmann::json doc;
};

class StatsService {
  public:
    using Clock = std::function<int64_t()>;
    StatsService(PlayerSource& source, StatsStore& store, StatsConfig config, Clock clock = {});

    /// The stats of an overlay; nullptr when there is no such overlay.
    std::shared_ptr<const StatsSnapshot> byOverlayId(const std::string& overlayId);
    /// The stats of the overlay whose streamer logs in to Twitch as `login` (case-insensitive).
    std::shared_ptr<const StatsSnapshot> byTwitchLogin(const std::string& login);

    /// The refresh job's body: rebuilds (with fresh upstream data) the overlays asked for
    /// recently. Stops early for a HenrikDev key that is rate limited. Returns how many it rebuilt.
    size_t refreshDemanded();
    /// Starts a new session for the overlay and drops its snapshot.
    void resetSession(const std::string& overlayId);
    /// Drops the snapshot (settings changed).
    void invalidate(const std::string& overlayId);
    /// Writes collected demand to the store (called by the job and on a timer).
    void flushDemand();

    struct Counters {
        uint64_t builds = 0, upstreamFailures = 0, servedStale = 0, rateLimitedSkips = 0;
    };
    Counters counters() const;

  private:
    struct Entry {
        std::mutex build;  // held while (re)building
        std::mutex m;      // guards the fields below
        std::shared_ptr<const StatsSnapshot> snapshot;
        std::optional<StatsOwner> owner;
        int64_t lastDemandNoteMs = 0;
    };
    std::shared_ptr<Entry> entry(const std::string& overlayId);
    std::shared_ptr<const StatsSnapshot> serve(const std::string& overlayId, std::optional<StatsOwner> known);
    std::shared_ptr<const StatsSnapshot> build(const StatsOwner& owner,
                                               const std::shared_ptr<const StatsSnapshot>& previous,
                                               bool fresh, const std::map<std::string, int64_t>* live);
    std::shared_ptr<const StatsSnapshot> restamp(const StatsSnapshot& previous);
    std::shared_ptr<const StatsSnapshot> finish(nlohmann::json doc, bool good);
    void noteDemand(const std::string& overlayId, Entry& e);
    bool keyBlocked(const std::string& apiKey);
    void blockKey(const std::string& apiKey, int64_t waitMs);
    int64_t now() const { return clock_(); }

    PlayerSource& source_;
    StatsStore& store_;
    StatsConfig config_;
    Clock clock_;

    std::mutex mapMutex_;
    std::map<std::string, std::shared_ptr<Entry>> entries_;
    std::map<std::string, std::string> loginToOverlay_;  // lower-case login -> overlay id

    std::mutex demandMutex_;
    std::vector<std::string> pendingDemand_;

    std::mutex keyMutex_;
    std::map<std::string, int64_t> keyBlockedUntil_;

    std::atomic<uint64_t> builds_{0}, upstreamFailures_{0}, servedStale_{0}, rateLimitedSkips_{0};
};

}  // namespace valory::plugins::overlays
