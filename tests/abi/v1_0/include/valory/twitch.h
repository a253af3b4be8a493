/* Valory SDK — service `twitch/1`: Twitch login (authorization code) and Helix users/streams.
 *
 * Provided by the `twitch` plugin. Consumers declare it in `requires` (or `optional`):
 * {"service": "twitch", "major": 1, "min_minor": 0}.
 *
 * What the service does for its callers:
 *  - Builds the authorize URL of the login flow and exchanges the returned code (single-use: the
 *    exchange is never retried) for the user's profile. The caller owns the `state` value (random,
 *    stored in its session, compared on return).
 *  - Keeps an app access token (client credentials) fresh; a Helix 401 renews it once and repeats
 *    the request once; a second 401 is reported as VALORY_ERR_UNAUTHORIZED.
 *  - Looks users and streams up by id and/or login in batches of at most 100 keys per Helix request
 *    (repeated query keys), following Helix's Ratelimit-Remaining/Ratelimit-Reset headers: when the
 *    bucket is empty it waits for the reset if that fits in the deadline, else fails at once with
 *    VALORY_ERR_RATE_LIMITED (detail = wait in ms).
 *  - Logins are compared case-insensitively (Twitch logins are lower-case ASCII); a login that
 *    cannot be valid (not 1-25 of [A-Za-z0-9_]) is reported as missing without being sent, so one
 *    bad login never fails the batch of the others.
 *
 * Results are JSON documents written through the caller's valory_writer (UTF-8, one document per
 * call, written only on VALORY_OK). Unknown fields may be added in later minors; callers ignore
 * them. Record shapes:
 *
 *   User   {"id": "141981764", "login": "twitchdev", "display_name": "TwitchDev",
 *           "type": "", "broadcaster_type": "partner"|"affiliate"|"", "description": "...",
 *           "profile_image_url": "https://...", "offline_image_url": "https://..."|"",
 *           "created_at": "2016-12-14T20:32:28Z", "email": "..." (only from exchange_code with the
 *           user:read:email scope)}
 *   Stream {"id": "40952121085", "user_id": "...", "user_login": "afro", "user_name": "Afro",
 *           "game_id": "...", "game_name": "VALORANT", "title": "...", "viewer_count": 1490,
 *           "started_at": "2021-03-10T03:18:11Z", "language": "en",
 *           "thumbnail_url": "https://...-{width}x{height}.jpg", "tags": ["English"]}
 *
 * Errors (valory_error.status; detail as stated):
 *   VALORY_ERR_INVALID_ARGUMENT  bad input (empty state, no keys, ...), or Helix answered 400
 *   VALORY_ERR_UNAUTHORIZED      exchange_code: invalid grant (unknown/used/expired code, redirect
 *                                URI mismatch) or client credentials refused; Helix 401 after renewal
 *   VALORY_ERR_RATE_LIMITED      the bucket's reset is beyond the deadline (detail = wait in ms)
 *   VALORY_ERR_UNAVAILABLE       connection failed or Twitch answered 5xx after retries (detail = status)
 *   VALORY_ERR_TIMEOUT           the deadline passed
 *   VALORY_ERR_UPSTREAM          Twitch answered something unusable: malformed JSON, truncated body,
 *                                unexpected status (detail = HTTP status when there was one)
 */
#ifndef VALORY_TWITCH_H
#define VALORY_TWITCH_H

#include "valory/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VALORY_TWITCH_SERVICE "twitch"
#define VALORY_TWITCH_MAJOR 1
#define VALORY_TWITCH_MINOR 0

/* Flags of valory_twitch_authorize. */
typedef uint32_t valory_twitch_authorize_flags;
enum {
    VALORY_TWITCH_FORCE_VERIFY = 1u << 0 /* adds force_verify=true: Twitch asks the user again */
};

/* Arguments of authorize_url(). */
typedef struct valory_twitch_authorize {
    uint32_t struct_size;
    valory_str state;        /* the caller's random state value (required) */
    valory_str redirect_uri; /* empty = the configured one */
    valory_str scopes;       /* space-separated; empty = the configured ones */
    valory_twitch_authorize_flags flags;
} valory_twitch_authorize;

/* Arguments of exchange_code(). */
typedef struct valory_twitch_exchange {
    uint32_t struct_size;
    valory_str code;         /* the authorization code from the redirect (single-use) */
    valory_str redirect_uri; /* the one used for authorize_url(); empty = the configured one */
    uint64_t deadline_ms;    /* budget for the whole call from now; 0 = the plugin's default */
} valory_twitch_exchange;

/* Arguments of get_users() and get_streams(): users by id and/or login (any number). */
typedef struct valory_twitch_query {
    uint32_t struct_size;
    const valory_str* ids; /* may be NULL when id_count is 0 */
    size_t id_count;
    const valory_str* logins; /* may be NULL when login_count is 0 */
    size_t login_count;
    uint64_t deadline_ms; /* budget for the whole call from now; 0 = the plugin's default */
} valory_twitch_query;

typedef struct valory_twitch_api {
    uint32_t struct_size;

    /* Writes the URL to send the browser to (https://id.twitch.tv/oauth2/authorize?...): client_id,
     * redirect_uri, response_type=code, scope, state, and force_verify=true with
     * VALORY_TWITCH_FORCE_VERIFY. VALORY_ERR_INVALID_ARGUMENT when `state` is empty or no redirect
     * URI is known. No network call.
     * Required: yes. Ownership: args borrowed; the URL is written to `out`. Threads: any. Since: 1.0 */
    valory_status (*authorize_url)(void* self, const valory_twitch_authorize* args, valory_writer* out,
                                   valory_error* err);

    /* Exchanges an authorization code (exactly one token request, never retried) and fetches the
     * profile of the user who logged in. Writes {"user": User, "scopes": ["..."], "expires_in": seconds}.
     * The user's tokens stay inside the plugin (and are dropped): callers never see credentials.
     * Required: yes. Ownership: args borrowed. Threads: any, concurrently. Since: 1.0 */
    valory_status (*exchange_code)(void* self, const valory_twitch_exchange* args, valory_writer* out,
                                   valory_error* err);

    /* Users by id and/or login (batched by 100). Writes
     * {"users": [User...], "missing_ids": ["..."], "missing_logins": ["..."]} where missing_* list the
     * requested keys Twitch does not know (logins in lower case). Duplicates are looked up once.
     * Required: yes. Ownership: query, its arrays and strings borrowed. Threads: any, concurrently.
     * Since: 1.0 */
    valory_status (*get_users)(void* self, const valory_twitch_query* query, valory_writer* out,
                               valory_error* err);

    /* Live streams of the given users (batched by 100 with first=100). Writes
     * {"streams": [Stream...], "offline_ids": ["..."], "offline_logins": ["..."]}: a requested user
     * who is not live (or does not exist) is listed as offline.
     * Required: yes. Ownership: borrowed. Threads: any, concurrently. Since: 1.0 */
    valory_status (*get_streams)(void* self, const valory_twitch_query* query, valory_writer* out,
                                 valory_error* err);
} valory_twitch_api;

#ifdef __cplusplus
}
#endif
#endif /* VALORY_TWITCH_H */
