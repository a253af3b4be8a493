// Rank statistics of one player as the overlay shows them: the pure part (no I/O), unit tested.
//
// Inputs are riot/1 records (valory/riot.h: Account, Rank, Matches) and the competitive matches
// this plugin has recorded for the player; the output is the JSON of GET /api/overlay/{id}/stats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

/// One competitive match as recorded (newest first in every list below).
struct PlayedMatch {
    std::string id;
    int64_t startedAtMs = 0;
    std::string result;  // "win" | "loss" | "draw"
};

/// What a session is, with the inputs that decide it.
///  - live on Twitch: the session started when the stream went live;
///  - offline: it is the run of matches that ends with the newest one, where no two neighbours
///    are more than `idleGapMs` apart; when the newest match began more than `idleGapMs` ago the
///    session is over and the next match starts a new one (counters read 0);
///  - a reset by the owner moves the start to the time of the reset (both cases).
struct SessionInputs {
    std::optional<int64_t> streamStartedAtMs;  // set while the streamer is live
    std::optional<int64_t> resetAtMs;          // the owner's last reset
    int64_t idleGapMs = 2LL * 3600 * 1000;
    int64_t nowMs = 0;
};

struct Session {
    int wins = 0, losses = 0, draws = 0;
    std::optional<int64_t> startedAtMs;  // empty: no session is running
    std::string since;                   // "stream" | "idle_gap" | "reset" | "none"
};

/// Counts the matches of the current session (matches newest first).
Session computeSession(const std::vector<PlayedMatch>& matches, const SessionInputs& in);

/// Parses ISO-8601 UTC ("2026-11-25T20:55:00.000Z", "…Z", "…+00:00"); nullopt when malformed.
std::optional<int64_t> parseIsoUtcMs(const std::string& text);
/// Epoch ms as "2026-11-25T20:55:00.000Z".
std::string isoUtcMs(int64_t epochMs);

/// Competitive matches of a riot/1 Matches record (newest first), ready to record.
std::vector<PlayedMatch> playedMatches(const nlohmann::json& matchesRecord);

/// Merges recorded and freshly fetched matches (by id), newest first.
std::vector<PlayedMatch> mergeMatches(std::vector<PlayedMatch> recorded,
                                      const std::vector<PlayedMatch>& fetched);

/// The stats document. `account` and `rank` are riot/1 records (rank may be null when unknown),
/// `matches` newest first; ageMs is how old the rank data is when the document is built.
nlohmann::json buildStats(const std::string& overlayId, const nlohmann::json& account,
                          const nlohmann::json& rank, const std::vector<PlayedMatch>& matches,
                          const Session& session, int64_t nowMs);

/// A document for an overlay without rank data: status "unlinked" (no Riot ID), "not_found"
/// (HenrikDev does not know the Riot ID) or "unavailable" (HenrikDev failed and nothing is cached).
nlohmann::json emptyStats(const std::string& overlayId, const std::string& status, const std::string& riotId);

}  // namespace valory::plugins::overlays
