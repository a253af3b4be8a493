#include "schema.hpp"

namespace valory::plugins::overlays {

// Only the indexes that the plugin's queries use exist (schema_explain_test proves each one):
//   users_pkey            users/me, session check            WHERE id = $1
//   users_twitch_id_key   login callback                     WHERE twitch_id = $1 (upsert)
//   users_username_key    uniqueness of the Twitch login; lookups by login (chat, rename)
//   overlays_pkey         public GET /api/overlay/{id}
//   overlays_user_id_key  one overlay per user; users/me/overlay WHERE user_id = $1
//   auth_sessions_pkey    every authenticated request        WHERE id = $1
//   oauth_states_pkey     login callback                     DELETE ... WHERE state = $1
//   overlay_matches_pkey  recording matches                  INSERT ... ON CONFLICT (puuid, match_id)
//   overlay_matches_recent session counters                  WHERE puuid = $1 ORDER BY started_at DESC
//   overlay_stats_state_pkey   stats owner lookup, resets    WHERE overlay_id = $1
//   overlay_stats_state_requested  refresh job               WHERE requested_at >= $1
//   showcase_snapshots_pkey, job_runs_pkey  one row each / per job
const std::vector<sdk::sql::Migration>& migrations() {
    static const std::vector<sdk::sql::Migration> kAll = {
        {1, "users and overlays", R"SQL(
CREATE TABLE users (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username            varchar(50)  NOT NULL UNIQUE
                        CHECK (length(username) >= 3 AND username ~ '^[a-zA-Z0-9_-]+$'),
    broadcaster_type    varchar(50)  NOT NULL DEFAULT ''
                        CHECK (broadcaster_type IN ('', 'affiliate', 'partner')),
    avatar_url          varchar(500) CHECK (avatar_url IS NULL OR avatar_url ~ '^https?://'),
    twitch_id           varchar(100) NOT NULL UNIQUE CHECK (twitch_id ~ '^[0-9]+$'),
    twitch_display_name varchar(100),
    riot_id             varchar(100) CHECK (riot_id IS NULL OR position('#' IN riot_id) > 1),
    riot_puuid          varchar(100),
    riot_region         varchar(10),
    hdev_api_key        varchar(200) CHECK (hdev_api_key IS NULL OR hdev_api_key ~ '^HDEV-'),
    is_active           boolean      NOT NULL DEFAULT true,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'Streamers: Twitch identity, linked Riot ID and optional own HenrikDev key';

CREATE TABLE overlays (
    id                           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                      integer     NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    overlay_style                varchar(20) NOT NULL DEFAULT 'old'
                                 CHECK (overlay_style IN ('old', 'new', 'minimal', 'new_v2')),
    background_color             varchar(7)  NOT NULL DEFAULT '#07090E' CHECK (background_color ~ '^#[0-9A-Fa-f]{6}$'),
    disabled_background          boolean     NOT NULL DEFAULT false,
    disabled_border              boolean     NOT NULL DEFAULT false,
    disabled_background_gradient boolean     NOT NULL DEFAULT false,
    disabled_glow_effect         boolean     NOT NULL DEFAULT false,
    disabled_peak_rank_icon      boolean     NOT NULL DEFAULT false,
    disabled_leaderboard_place   boolean     NOT NULL DEFAULT false,
    disabled_peak_rr             boolean     NOT NULL DEFAULT false,
    text_color                   varchar(7)  NOT NULL DEFAULT '#f2f2f2' CHECK (text_color ~ '^#[0-9A-Fa-f]{6}$'),
    primary_color                varchar(7)  NOT NULL DEFAULT '#f2f2f2' CHECK (primary_color ~ '^#[0-9A-Fa-f]{6}$'),
    overlay_font                 varchar(50) NOT NULL DEFAULT 'Inter'
                                 CHECK (length(overlay_font) >= 2 AND overlay_font ~ '^[a-zA-Z0-9 -]+$'),
    win_color                    varchar(7)  NOT NULL DEFAULT '#00FFE3' CHECK (win_color ~ '^#[0-9A-Fa-f]{6}$'),
    lose_color                   varchar(7)  NOT NULL DEFAULT '#FF7986' CHECK (lose_color ~ '^#[0-9A-Fa-f]{6}$'),
    disabled_win_lose            boolean     NOT NULL DEFAULT false,
    disabled_last_match_points   boolean     NOT NULL DEFAULT false,
    disabled_progress            boolean     NOT NULL DEFAULT false,
    progress_color               varchar(7)  NOT NULL DEFAULT '#00FFE3' CHECK (progress_color ~ '^#[0-9A-Fa-f]{6}$'),
    progress_bg_color            varchar(7)  NOT NULL DEFAULT '#f2f2f2' CHECK (progress_bg_color ~ '^#[0-9A-Fa-f]{6}$'),
    is_active                    boolean     NOT NULL DEFAULT true,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE overlays IS 'One overlay per streamer: the 19 visual settings; id is the public overlay token';
)SQL"},
        {2, "login sessions and OAuth states", R"SQL(
-- A session token (JWT) names its row; logout sets revoked_at, so a stolen token stops working.
CREATE TABLE auth_sessions (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     integer     NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
-- Login attempts: the state is single-use (DELETE ... RETURNING) and expires.
CREATE TABLE oauth_states (
    state       varchar(64) PRIMARY KEY CHECK (length(state) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
)SQL"},
        // 10-19: rank data, showcase, jobs (stats features) are appended here.
        {10, "rank data: recorded matches, session resets, demand", R"SQL(
-- Competitive matches as seen by the refresh (HenrikDev lists only the last few): sessions are
-- counted from here, so a long session keeps every result.
CREATE TABLE overlay_matches (
    puuid       varchar(100) NOT NULL,
    match_id    varchar(100) NOT NULL,
    started_at  timestamptz  NOT NULL,
    result      varchar(4)   NOT NULL CHECK (result IN ('win', 'loss', 'draw')),
    recorded_at timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (puuid, match_id)
);
CREATE INDEX overlay_matches_recent ON overlay_matches (puuid, started_at DESC);
-- Per overlay: the owner's last session reset and when its stats were last asked for (the
-- refresh job keeps only recently asked-for overlays up to date).
CREATE TABLE overlay_stats_state (
    overlay_id       uuid        PRIMARY KEY REFERENCES overlays(id) ON DELETE CASCADE,
    session_reset_at timestamptz,
    requested_at     timestamptz
);
CREATE INDEX overlay_stats_state_requested ON overlay_stats_state (requested_at);
)SQL"},
        {11, "showcase list and job runs", R"SQL(
-- The last good showcase list, shared by every host (Twitch down -> this one is served).
CREATE TABLE showcase_snapshots (
    id         smallint    PRIMARY KEY CHECK (id = 1),
    streamers  jsonb       NOT NULL CHECK (jsonb_typeof(streamers) = 'array'),
    updated_at timestamptz NOT NULL
);
-- One row per scheduled job: claimed under an advisory lock so a job runs once per interval
-- across all hosts.
CREATE TABLE job_runs (
    job         varchar(100) PRIMARY KEY,
    last_run_at timestamptz  NOT NULL,
    last_host   varchar(200) NOT NULL DEFAULT ''
);
)SQL"},
    };
    return kAll;
}

}  // namespace valory::plugins::overlays
