/* Valory SDK — service `overlays/1`: a streamer's rank statistics as the overlay shows them.
 *
 * Provided by the `overlays` plugin (the Valory app). Consumers declare it in `requires` (or
 * `optional`): {"service": "overlays", "major": 1, "min_minor": 0}. The `chat` plugin is one: it
 * answers `!rank` chat commands from these statistics through this header alone.
 *
 * A lookup names an overlay by its id (UUID text) or its streamer by Twitch login (ASCII,
 * case-insensitive). The answer is the document GET /api/overlay/{id}/stats serves, from the same
 * snapshot: rebuilt at most once per the plugin's refresh interval however many callers ask, and
 * with the last good values (and their age) when HenrikDev fails. Written through the caller's
 * valory_writer (UTF-8 JSON, only on VALORY_OK); unknown fields may be added in later minors:
 *
 *   Stats {"overlay_id": "<uuid>",
 *          "status": "ok" | "no_data" (no rank data upstream) | "unlinked" (no Riot ID set)
 *                    | "not_found" (HenrikDev does not know the Riot ID)
 *                    | "unavailable" (HenrikDev failed and nothing was known yet),
 *          "rank_status": "ranked" | "placements" | "unrated" | "no_data",
 *          "riot_id": "Name#Tag" | null, "level": 412,
 *          "tier": {"id": 24, "name": "Immortal 1"}, "rr": 41, "elo": 2141 | null,
 *          "last_change": -18 | null, "peak": {"tier": {"id", "name"}, "rr", "season"} | null,
 *          "leaderboard_place": 4210 | null,
 *          "session": {"wins": 5, "losses": 2, "draws": 0, "started_at": "<ISO>" | null,
 *                      "since": "stream" | "idle_gap" | "reset" | "none"},
 *          "last_five": ["win", "loss", "draw", ...]   (newest first, at most five),
 *          "season_winrate": 56, "updated_at": "<ISO>" | null (when the rank was fetched),
 *          "age_s": 12 | null, "stale": false}
 *
 * Errors (valory_error.status):
 *   VALORY_ERR_INVALID_ARGUMENT  neither or both of overlay_id and twitch_login, or a malformed one
 *   VALORY_ERR_NOT_FOUND         no overlay with that id, no streamer with that login
 *   VALORY_ERR_UNAVAILABLE       the overlays plugin cannot reach its database
 */
#ifndef VALORY_OVERLAYS_H
#define VALORY_OVERLAYS_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_OVERLAYS_SERVICE "overlays"
#define VALORY_OVERLAYS_MAJOR 1
#define VALORY_OVERLAYS_MINOR 0

/* One lookup: exactly one of overlay_id and twitch_login. */
typedef struct valory_overlays_query {
    uint32_t struct_size;
    valory_str overlay_id;   /* "3f1c2b4a-9d7e-4c1a-8b2f-6e5d4c3b2a10" */
    valory_str twitch_login; /* "magicx" (any case) */
    uint64_t deadline_ms;    /* budget of the call; 0 = the plugin's default */
} valory_overlays_query;

typedef struct valory_overlays_api {
    uint32_t struct_size;

    /* The Stats document of one overlay.
     * Required: yes. Ownership: query borrowed; JSON written to `out`.
     * Threads: any, concurrently. Since: 1.0 */
    valory_status (*stats)(void* self, const valory_overlays_query* query, valory_writer* out,
                           valory_error* err);
} valory_overlays_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_OVERLAYS_H */
