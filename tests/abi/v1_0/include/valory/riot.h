/* Valory SDK — service `riot/1`: Valorant account, rank and recent matches (through HenrikDev).
 *
 * Provided by the `riot` plugin. Consumers declare it in `requires` (or `optional`):
 * {"service": "riot", "major": 1, "min_minor": 0}.
 *
 * Riot's official API has no per-player rank, so the plugin reads the HenrikDev API (base URL and a
 * server-wide key in the plugin's config; a caller may pass a streamer's own key per call). Answers
 * are normalised into the records below and cached (through `cache/1` when that service runs, else
 * in the plugin's memory) with TTLs from the plugin's config, so upstream calls depend on the
 * number of players, not of viewers. Concurrent calls for one record are coalesced into one
 * upstream request inside the plugin, with or without `cache/1`. When HenrikDev is rate limited,
 * down or slow, a cached value past its TTL but inside the configured stale window is served with
 * "stale": true instead of an error.
 *
 * Results are JSON documents written through the caller's valory_writer (written only on
 * VALORY_OK). Unknown fields may be added in later minors. Record shapes:
 *
 *   Account {"puuid": "...", "name": "Café Crème", "tag": "ÉTÉ", "region": "eu",
 *            "account_level": 57, "card": "<uuid>", "title": "<uuid>", "platforms": ["PC"],
 *            "updated_at": "<ISO>", "stale": false}
 *   Rank    {"puuid", "name", "tag", "region",
 *            "status": "ranked" | "placements" (games_needed_for_rating > 0) | "unrated" (tier 0)
 *                      | "no_data" (HenrikDev has no MMR for the player, its code 25),
 *            "tier": 0..27, "tier_name": "Diamond 3", "rr": 29, "elo": 1729 | null,
 *            "last_change": -11 | null (missing upstream), "games_needed_for_rating": 0,
 *            "rank_protection_shields": 2, "leaderboard_rank": 123 | null,
 *            "peak": {"tier", "tier_name", "rr", "season"} | null,
 *            "season": {"short": "e10a5", "wins": 18, "games": 26, "losses": 8, "winrate": 70} | null
 *                      (the latest act; winrate = ceil(wins * 100 / games), 0 without games),
 *            "images": {"small": "https://...", "large": "https://..."},
 *            "fetched_at_ms": <epoch ms>, "stale": false}
 *   Matches {"puuid", "region", "wins": 3, "losses": 1, "draws": 1,
 *            "matches": [{"match_id", "started_at", "map", "agent", "mode", "result": "win"|"loss"|"draw",
 *                         "rounds_won", "rounds_lost", "kills", "deaths", "assists"}],   newest first
 *            "fetched_at_ms", "stale"}
 *
 * Errors (valory_error.status; detail as stated):
 *   VALORY_ERR_INVALID_ARGUMENT  neither name+tag nor puuid, bad region/platform (HenrikDev code 6)
 *   VALORY_ERR_NOT_FOUND         no such account (detail = 22, HenrikDev's code)
 *   VALORY_ERR_UNAUTHORIZED      the HenrikDev key is missing or refused (HTTP 401/403)
 *   VALORY_ERR_RATE_LIMITED      no usable cached value and the key's limit resets later than the
 *                                deadline allows (detail = wait in ms)
 *   VALORY_ERR_UNAVAILABLE       HenrikDev unreachable or 5xx after retries (detail = HTTP status)
 *   VALORY_ERR_TIMEOUT           the deadline passed
 *   VALORY_ERR_UPSTREAM          malformed or truncated answer (detail = HTTP status when known)
 */
#ifndef VALORY_RIOT_H
#define VALORY_RIOT_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_RIOT_SERVICE "riot"
#define VALORY_RIOT_MAJOR 1
#define VALORY_RIOT_MINOR 0

/* Query flags. */
enum {
    /* Skip the caches and ask HenrikDev (still coalesced with concurrent identical calls; the
     * answer refreshes the cache). */
    VALORY_RIOT_FRESH = 1u << 0
};

/* One lookup. Identify the player by puuid, or by Riot ID (name + tag, UTF-8, spaces allowed). */
typedef struct valory_riot_query {
    uint32_t struct_size;
    valory_str name;      /* Riot ID game name, e.g. "Café Crème" */
    valory_str tag;       /* Riot ID tag line without '#', e.g. "ÉTÉ" */
    valory_str puuid;     /* HenrikDev/Riot puuid; wins over name+tag when both are given */
    valory_str region;    /* eu | na | latam | br | ap | kr; empty = the account's region */
    valory_str platform;  /* pc | console; empty = the configured one ("pc") */
    valory_str api_key;   /* a streamer's own HenrikDev key; empty = the server-wide key */
    uint32_t count;       /* matches(): how many recent competitive matches, 1..10 (0 = 5) */
    uint32_t flags;       /* VALORY_RIOT_* */
    uint64_t deadline_ms; /* budget for the whole call; 0 = the plugin's default */
} valory_riot_query;

typedef struct valory_riot_api {
    uint32_t struct_size;

    /* The account (Account record). Required: yes. Ownership: query borrowed; JSON written to `out`.
     * Threads: any, concurrently. Since: 1.0 */
    valory_status (*account)(void* self, const valory_riot_query* query, valory_writer* out,
                             valory_error* err);

    /* The current rank (Rank record). A player without rank data is VALORY_OK with status
     * "no_data" (not an error). With name + tag the account is resolved first (cached).
     * Required: yes. Ownership: as account(). Threads: any, concurrently. Since: 1.0 */
    valory_status (*rank)(void* self, const valory_riot_query* query, valory_writer* out, valory_error* err);

    /* Recent competitive matches with wins/losses (Matches record).
     * Required: yes. Ownership: as account(). Threads: any, concurrently. Since: 1.0 */
    valory_status (*matches)(void* self, const valory_riot_query* query, valory_writer* out,
                             valory_error* err);
} valory_riot_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_RIOT_H */
