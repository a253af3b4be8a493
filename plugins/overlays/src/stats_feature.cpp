// Rank data, showcase and jobs wired to the host (see stats_feature.hpp).
#include "stats_feature.hpp"

#include <chrono>
#include <random>

#include "app.hpp"
#include "auth.hpp"
#include "features.hpp"
#include "valory/cpp/error.hpp"
#include "valory/cpp/strings.hpp"

namespace valory::plugins::overlays {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

template <class T>
T value(const json& s, const char* key, T fallback) {
    auto it = s.find(key);
    return it == s.end() || it->is_null() ? fallback : it->get<T>();
}

// ---- riot/1 + twitch/1 ----------------------------------------------------------------------

class ServiceSource : public PlayerSource {
  public:
    explicit ServiceSource(App& app) : app_(app) {}
    json account(const std::string& name, const std::string& tag, const std::string& apiKey) override {
        auto q = sdk::RiotQuery::byRiotId(name, tag);
        q.apiKey = apiKey;
        return app_.rt().account(q);
    }
    json rank(const std::string& puuid, const std::string& region, const std::string& apiKey,
              bool fresh) override {
        auto q = sdk::RiotQuery::byPuuid(puuid, region);
        q.apiKey = apiKey;
        if (fresh) q.flags = VALORY_RIOT_FRESH;
        return app_.rt().rank(q);
    }
    json matches(const std::string& puuid, const std::string& region, const std::string& apiKey,
                 bool fresh) override {
        auto q = sdk::RiotQuery::byPuuid(puuid, region);
        q.apiKey = apiKey;
        q.count = 10;
        if (fresh) q.flags = VALORY_RIOT_FRESH;
        return app_.rt().matches(q);
    }
    std::map<std::string, int64_t> liveSince(const std::vector<std::string>& logins) override {
        std::map<std::string, int64_t> out;
        const json r = app_.tw().streams({}, logins);  // the service batches by 100
        if (r.contains("streams") && r["streams"].is_array())
            for (const auto& s : r["streams"]) {
                auto at = parseIsoUtcMs(s.value("started_at", ""));
                if (at) out[lower(s.value("user_login", ""))] = *at;
            }
        return out;
    }

  private:
    App& app_;
};

// ---- sql/1 ------------------------------------------------------------------------------------

constexpr const char* kOwnerSelect =
    "SELECT o.id::text, u.username, coalesce(u.riot_id, ''), coalesce(u.hdev_api_key, ''),"
    " (extract(epoch FROM s.session_reset_at) * 1000)::bigint"
    " FROM overlays o JOIN users u ON u.id = o.user_id"
    " LEFT JOIN overlay_stats_state s ON s.overlay_id = o.id ";

class SqlStatsStore : public StatsStore {
  public:
    explicit SqlStatsStore(App& app) : app_(app) {}

    std::optional<StatsOwner> ownerByOverlayId(const std::string& id) override {
        return first(
            app_.sql().exec(std::string(kOwnerSelect) + "WHERE o.id = $1::uuid AND o.is_active", {id}));
    }
    std::optional<StatsOwner> ownerByTwitchLogin(const std::string& login) override {
        const std::string l = lower(login);
        return first(
            app_.sql().exec(std::string(kOwnerSelect) + "WHERE u.username = $1 AND o.is_active", {l}));
    }
    std::vector<PlayedMatch> recordMatches(const std::string& puuid, const std::vector<PlayedMatch>& fetched,
                                           size_t limit) override {
        auto& db = app_.sql();
        if (!fetched.empty()) {
            std::vector<std::string> texts;
            texts.reserve(fetched.size() * 3 + 1);
            texts.push_back(puuid);
            std::string sql = "INSERT INTO overlay_matches (puuid, match_id, started_at, result) VALUES ";
            for (size_t i = 0; i < fetched.size(); ++i) {
                const size_t b = 2 + i * 3;
                sql += (i ? ", " : "") + std::string("($1, $") + std::to_string(b) + ", $" +
                       std::to_string(b + 1) + "::timestamptz, $" + std::to_string(b + 2) + ")";
                texts.push_back(fetched[i].id);
                texts.push_back(isoUtcMs(fetched[i].startedAtMs));
                texts.push_back(fetched[i].result);
            }
            sql += " ON CONFLICT (puuid, match_id) DO NOTHING";
            sdk::sql::Params params(texts.begin(), texts.end());
            db.exec(sql, params);
        }
        const std::string lim = std::to_string(limit);
        auto r = db.exec(
            "SELECT match_id, (extract(epoch FROM started_at) * 1000)::bigint, result FROM overlay_matches"
            " WHERE puuid = $1 ORDER BY started_at DESC LIMIT $2::integer",
            {puuid, lim});
        std::vector<PlayedMatch> out;
        for (size_t i = 0; i < r.rows(); ++i)
            out.push_back(PlayedMatch{std::string(r.get(i, 0)), r.getInt(i, 1), std::string(r.get(i, 2))});
        return out;
    }
    void noteDemand(const std::vector<std::string>& ids) override {
        std::string arr = "{";
        for (size_t i = 0; i < ids.size(); ++i) arr += (i ? "," : "") + ids[i];
        arr += "}";
        app_.sql().exec(
            "INSERT INTO overlay_stats_state (overlay_id, requested_at) SELECT o.id, now() FROM overlays o"
            " WHERE o.id = ANY($1::uuid[]) ON CONFLICT (overlay_id) DO UPDATE SET requested_at = "
            "excluded.requested_at",
            {arr});
    }
    std::vector<StatsOwner> demandedSince(int64_t sinceMs) override {
        const std::string since = std::to_string(sinceMs);
        auto r = app_.sql().exec(std::string(kOwnerSelect) +
                                     "WHERE s.requested_at >= to_timestamp($1::double precision / 1000)"
                                     " AND o.is_active ORDER BY s.requested_at DESC",
                                 {since});
        std::vector<StatsOwner> out;
        for (size_t i = 0; i < r.rows(); ++i) out.push_back(owner(r, i));
        return out;
    }
    void resetSession(const std::string& id, int64_t atMs) override {
        const std::string at = std::to_string(atMs);
        app_.sql().exec(
            "INSERT INTO overlay_stats_state (overlay_id, session_reset_at)"
            " VALUES ($1::uuid, to_timestamp($2::double precision / 1000))"
            " ON CONFLICT (overlay_id) DO UPDATE SET session_reset_at = excluded.session_reset_at",
            {id, at});
    }

  private:
    static StatsOwner owner(const sdk::sql::Result& r, size_t i) {
        StatsOwner o;
        o.overlayId = std::string(r.get(i, 0));
        o.twitchLogin = std::string(r.get(i, 1));
        o.riotId = std::string(r.get(i, 2));
        o.apiKey = std::string(r.get(i, 3));
        if (!r.isNull(i, 4)) o.sessionResetAtMs = r.getInt(i, 4);
        return o;
    }
    static std::optional<StatsOwner> first(const sdk::sql::Result& r) {
        if (r.empty()) return std::nullopt;
        return owner(r, 0);
    }
    App& app_;
};

// ---- showcase over twitch/1 and sql/1 -------------------------------------------------------

std::unique_ptr<Showcase> makeShowcase(App& app) {
    const auto logins = app.config.rankData.showcaseLogins;
    auto fetch = [&app, logins] {
        if (logins.empty()) return std::vector<Streamer>{};
        const json users = app.tw().users({}, logins);
        const json streams = app.tw().streams({}, logins);
        // Follower totals need Helix channels/followers, which twitch/1 does not offer (yet): 0.
        return buildShowcase(logins, users, streams);
    };
    auto load = [&app]() -> std::optional<Showcase::Snapshot> {
        auto r = app.sql().exec(
            "SELECT streamers::text, (extract(epoch FROM updated_at) * 1000)::bigint FROM showcase_snapshots"
            " WHERE id = 1",
            {}, VALORY_SQL_STALE_OK);
        if (r.empty()) return std::nullopt;
        const auto text = r.get(0, 0);
        return Showcase::Snapshot{streamersFromJson(json::parse(text.begin(), text.end())), r.getInt(0, 1)};
    };
    auto save = [&app](const Showcase::Snapshot& s) {
        const std::string body = toStoredJson(s.streamers).dump(), at = std::to_string(s.updatedAtMs);
        app.sql().exec(
            "INSERT INTO showcase_snapshots (id, streamers, updated_at)"
            " VALUES (1, $1::jsonb, to_timestamp($2::double precision / 1000))"
            " ON CONFLICT (id) DO UPDATE SET streamers = excluded.streamers, updated_at = "
            "excluded.updated_at",
            {body, at});
    };
    return std::make_unique<Showcase>(fetch, load, save, app.config.rankData.showcaseLocalTtl.count() * 1000);
}

// ---- overlays/1 -------------------------------------------------------------------------------

valory_status statsThunk(void* self, const valory_overlays_query* q, valory_writer* out, valory_error* err) {
    return sdk::guarded(err, [&] {
        auto* app = static_cast<App*>(self);
        if (!q || !app->stats || !app->stats->service)
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "overlays: no query");
        valory_overlays_query c{};
        std::memcpy(&c, q, std::min<size_t>(q->struct_size, sizeof c));
        const std::string id(sdk::view(c.overlay_id)), login(sdk::view(c.twitch_login));
        if (id.empty() == login.empty())
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                             "overlays: give exactly one of overlay_id and twitch_login");
        std::shared_ptr<const StatsSnapshot> snap;
        if (!id.empty()) {
            if (!isUuid(id))
                throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "overlays: overlay_id is not a UUID");
            snap = app->stats->service->byOverlayId(lower(id));
        } else {
            if (login.size() > 25)
                throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "overlays: not a Twitch login");
            for (char ch : login)
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                      ch == '_'))
                    throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "overlays: not a Twitch login");
            snap = app->stats->service->byTwitchLogin(login);
        }
        if (!snap) throw sdk::Error(VALORY_ERR_NOT_FOUND, "overlays: no such overlay");
        sdk::writeTo(out, snap->body);
    });
}

// ---- jobs ---------------------------------------------------------------------------------------

void runClaimed(App& app, const char* job, milliseconds interval, const std::function<void()>& body) {
    try {
        if (!claimJobRun(app.sql(), job, interval, app.host.hostInfo("host.instance_id"))) return;
        body();
    } catch (const std::exception& e) {
        app.host.warn(std::string(job) + " failed: " + e.what() + " (the next interval tries again)");
    }
}

}  // namespace

RankDataConfig RankDataConfig::fromSettings(const json& s) {
    RankDataConfig c;
    c.statsRefresh = std::chrono::seconds(value<int64_t>(s, "stats_refresh_s", 30));
    c.sessionIdleGap = std::chrono::minutes(value<int64_t>(s, "session_idle_gap_min", 120));
    c.demandWindow = std::chrono::seconds(value<int64_t>(s, "stats_demand_window_s", 600));
    c.statsJobInterval = std::chrono::seconds(value<int64_t>(s, "stats_job_interval_s", 60));
    c.showcaseLogins = value<std::vector<std::string>>(s, "showcase_logins", {});
    for (const auto& l : c.showcaseLogins) {
        bool ok = !l.empty() && l.size() <= 25;
        for (char ch : l)
            ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                        ch == '_');
        if (!ok) throw std::invalid_argument("overlays.showcase_logins: '" + l + "' is not a Twitch login");
    }
    c.showcaseRefresh = std::chrono::seconds(value<int64_t>(s, "showcase_refresh_s", 300));
    c.showcaseJitter = std::chrono::seconds(value<int64_t>(s, "showcase_jitter_s", 30));
    c.showcaseLocalTtl = std::chrono::seconds(value<int64_t>(s, "showcase_local_ttl_s", 15));
    c.jobs = value<bool>(s, "jobs_enabled", true);
    return c;
}

bool isUuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

bool claimJobRun(const sdk::sql::Database& db, const std::string& job, milliseconds interval,
                 const std::string& hostId) {
    // 80 %: a host's own next tick (interval +- timer drift) still claims; another host ticking
    // in between does not.
    const std::string half = std::to_string(static_cast<double>(interval.count()) * 0.8 / 1000.0);
    return db.transaction([&](sdk::sql::Tx& tx) {
        auto lock = tx.exec("SELECT pg_try_advisory_xact_lock(7311, hashtext($1))", {job});
        if (!lock.getBool(0, 0)) return false;
        auto r = tx.exec(
            "INSERT INTO job_runs (job, last_run_at, last_host) VALUES ($1, now(), $3)"
            " ON CONFLICT (job) DO UPDATE SET last_run_at = now(), last_host = excluded.last_host"
            " WHERE job_runs.last_run_at <= now() - make_interval(secs => $2::double precision)"
            " RETURNING job",
            {job, half, hostId});
        return r.rows() == 1;
    });
}

void startStats(App& app) {
    auto f = std::make_shared<StatsFeature>();
    const auto& rc = app.config.rankData;
    f->source = std::make_unique<ServiceSource>(app);
    f->store = std::make_unique<SqlStatsStore>(app);
    StatsConfig sc;
    sc.refreshMs = rc.statsRefresh.count() * 1000;
    sc.idleGapMs = rc.sessionIdleGap.count() * 60'000;
    sc.demandWindowMs = rc.demandWindow.count() * 1000;
    sc.demandFlushMs = std::min<int64_t>(60'000, sc.demandWindowMs / 4);
    f->service = std::make_unique<StatsService>(*f->source, *f->store, sc);
    f->showcase = makeShowcase(app);
    app.stats = f;

    f->vtable.struct_size = sizeof f->vtable;
    f->vtable.stats = &statsThunk;
    f->provided = app.host.provide(VALORY_OVERLAYS_SERVICE, VALORY_OVERLAYS_MAJOR, VALORY_OVERLAYS_MINOR,
                                   &f->vtable, &app);

    // Every host writes down which overlays its viewers asked for; the refresh and showcase jobs
    // run on one host per interval (claimJobRun).
    StatsService* svc = f->service.get();
    f->jobs.push_back(app.host.job(
        "overlays.stats.demand", milliseconds(sc.demandFlushMs), milliseconds(1000), [&app, svc] {
            try {
                svc->flushDemand();
            } catch (const std::exception& e) {
                app.host.warn(std::string("overlays.stats.demand failed: ") + e.what());
            }
        }));
    if (!rc.jobs) return;
    const milliseconds statsEvery(rc.statsJobInterval.count() * 1000),
        showEvery(rc.showcaseRefresh.count() * 1000);
    f->jobs.push_back(
        app.host.job("overlays.stats.refresh", statsEvery, statsEvery / 10, [&app, svc, statsEvery] {
            runClaimed(app, "overlays.stats.refresh", statsEvery, [&] { svc->refreshDemanded(); });
        }));
    Showcase* showcase = f->showcase.get();
    f->jobs.push_back(app.host.job(
        "overlays.showcase.refresh", showEvery, milliseconds(rc.showcaseJitter.count() * 1000),
        [&app, showcase, showEvery] {
            runClaimed(app, "overlays.showcase.refresh", showEvery, [&] {
                if (!showcase->refresh())
                    app.host.warn("showcase: Twitch failed; the last good list stays (next run retries)");
            });
        },
        VALORY_JOB_RUN_AT_START));
    app.jobsRunning = true;
}

void stopStats(App& app) {
    if (!app.stats) return;
    app.stats->jobs.clear();  // cancels and waits for running bodies
    app.stats->provided = {};
    app.jobsRunning = false;
    app.stats.reset();
}

// ---- routes -------------------------------------------------------------------------------------

void registerStatsRoutes(App& app) {
    app.routes.add(
        "GET", "/api/overlay/{overlay_id}/stats", [&app](const sdk::Request& req, sdk::Response& resp) {
            const std::string id(req.param("overlay_id").value_or(""));
            if (!isUuid(id))
                throw ApiError(422,
                               json::array({fieldError("path", "overlay_id", "Input should be a valid UUID",
                                                       "uuid_parsing")}),
                               "overlay_id is not a UUID");
            if (!app.stats) throw ApiError(503, "Stats are not available");
            auto snap = app.stats->service->byOverlayId(lower(id));
            if (!snap) throw ApiError(404, "Overlay not found");
            resp.header("ETag", snap->etag).header("Cache-Control", "no-cache");
            if (etagMatches(req, snap->etag)) {
                resp.status(304);
                return;
            }
            resp.status(200).header("Content-Type", "application/json").body(snap->body);
        });
    app.routes.add("POST", "/api/users/me/session/reset",
                   [&app](const sdk::Request& req, sdk::Response& resp) {
                       requireSafeWrite(app, req);
                       const CurrentUser user = requireUser(app, req);
                       auto r = app.sql().exec("SELECT id::text FROM overlays WHERE user_id = $1", {user.id});
                       if (r.empty()) throw ApiError(404, "Overlay not found");
                       const std::string overlayId(r.get(0, 0));
                       app.stats->service->resetSession(overlayId);
                       resp.json(app.stats->service->byOverlayId(overlayId)->doc);
                   });
}

void registerShowcaseRoutes(App& app) {
    static const char* const kRoutes[][2] = {
        {"/api/streamers/", ""},           {"/api/streamers/online", "online"},
        {"/api/streamers/stats", "stats"}, {"/api/streamers/sorted", "sorted"},
        {"/api/streamers/top", "top"},     {"/api/streamers/mixed-sort", "mixed-sort"}};
    for (const auto& [path, name] : kRoutes) {
        const std::string route = name;
        app.routes.add("GET", path, [&app, route](const sdk::Request& req, sdk::Response& resp) {
            if (!app.stats) throw ApiError(503, "Showcase is not available");
            QueryFn q = [&req](const std::string& k) -> std::optional<std::string> {
                auto v = req.query(k);
                if (!v) return std::nullopt;
                return std::string(*v);
            };
            try {
                bool refreshed = false;
                auto snap = app.stats->showcase->current(wantsRefresh(q), &refreshed);
                const json body = showcaseAnswer(route, snap->streamers, q, snap->updatedAtMs, refreshed);
                const std::string text = body.dump();
                const std::string etag = etagOf(text);
                resp.header("ETag", etag).header("Cache-Control", "public, max-age=30");
                if (etagMatches(req, etag)) {
                    resp.status(304);
                    return;
                }
                resp.status(200).header("Content-Type", "application/json").body(text);
            } catch (const std::vector<QueryError>& errors) {
                json detail = json::array();
                for (const auto& e : errors)
                    detail.push_back(fieldError("query", e.field, e.message, e.type));
                throw ApiError(422, detail, "invalid query parameters");
            }
        });
    }
}

// ---- OpenAPI --------------------------------------------------------------------------------------

void documentStatsRoutes(json& doc) {
    const json detail = {
        {"description", "error"},
        {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Detail"}}}}}}}};
    auto ok = [](const char* d, const json& schema) {
        return json{{"description", d}, {"content", {{"application/json", {{"schema", schema}}}}}};
    };
    auto qp = [](const char* name, const json& schema, const char* d) {
        return json{
            {"name", name}, {"in", "query"}, {"required", false}, {"schema", schema}, {"description", d}};
    };
    const json boolean = {{"type", "boolean"}, {"default", false}};
    const json sortKey = {{"type", "string"}, {"enum", {"followers", "viewers", "username", "live_status"}}};
    const json order = {{"type", "string"}, {"enum", {"asc", "desc"}}, {"default", "desc"}};
    const json limit100 = {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}};
    const json streamer = {
        {"type", "object"},
        {"properties",
         {{"username", {{"type", "string"}}},
          {"followers", {{"type", "string"}, {"description", "formatted: 1.2M, 12.3k, 999"}}},
          {"img", {{"type", "string"}}},
          {"live", {{"type", "boolean"}}},
          {"verified", {{"type", "boolean"}}},
          {"viewers", {{"type", "integer"}, {"nullable", true}}}}}};
    const json list = {{"type", "array"}, {"items", streamer}};
    doc["components"]["schemas"]["Stats"] = {
        {"type", "object"},
        {"description", "Rank data of an overlay's player; see valory/overlays.h for every field"},
        {"properties",
         {{"overlay_id", {{"type", "string"}, {"format", "uuid"}}},
          {"status",
           {{"type", "string"}, {"enum", {"ok", "no_data", "unlinked", "not_found", "unavailable"}}}},
          {"riot_id", {{"type", "string"}, {"nullable", true}}},
          {"level", {{"type", "integer"}}},
          {"tier", {{"type", "object"}}},
          {"rr", {{"type", "integer"}}},
          {"elo", {{"type", "integer"}, {"nullable", true}}},
          {"last_change", {{"type", "integer"}, {"nullable", true}}},
          {"peak", {{"type", "object"}, {"nullable", true}}},
          {"leaderboard_place", {{"type", "integer"}, {"nullable", true}}},
          {"session", {{"type", "object"}}},
          {"last_five",
           {{"type", "array"}, {"items", {{"type", "string"}, {"enum", {"win", "loss", "draw"}}}}}},
          {"season_winrate", {{"type", "integer"}}},
          {"updated_at", {{"type", "string"}, {"format", "date-time"}, {"nullable", true}}},
          {"age_s", {{"type", "integer"}, {"nullable", true}}},
          {"stale", {{"type", "boolean"}}}}}};
    const json statsRef = {{"$ref", "#/components/schemas/Stats"}};
    doc["paths"]["/api/overlay/{overlay_id}/stats"]["get"] = {
        {"summary", "Rank data of the overlay's player (public; ETag / If-None-Match -> 304)"},
        {"tags", {"overlay"}},
        {"parameters",
         {{{"name", "overlay_id"},
           {"in", "path"},
           {"required", true},
           {"schema", {{"type", "string"}, {"format", "uuid"}}}}}},
        {"responses",
         {{"200", ok("stats (last good values with their age when HenrikDev fails)", statsRef)},
          {"304", {{"description", "not modified"}}},
          {"404", detail},
          {"422", detail}}}};
    doc["paths"]["/api/users/me/session/reset"]["post"] = {
        {"summary", "Start a new session (W/L counters from now)"},
        {"tags", {"users"}},
        {"security", {{{"session", json::array()}}}},
        {"responses",
         {{"200", ok("the stats after the reset", statsRef)}, {"401", detail}, {"404", detail}}}};
    const json refresh = qp("refresh_cache", boolean, "fetch from Twitch first (bounded per host)");
    const json verified = qp("verified_only", boolean, "partners only");
    const json liveOnly = qp("live_only", boolean, "live streamers only");
    auto get = [&](const char* path, const char* summary, json params, const json& schema) {
        doc["paths"][path]["get"] = {{"summary", summary},
                                     {"tags", {"streamers"}},
                                     {"parameters", std::move(params)},
                                     {"responses", {{"200", ok("ok", schema)}, {"422", detail}}}};
    };
    get("/api/streamers/", "Showcase: live first by viewers, then offline by followers",
        {liveOnly, verified, qp("limit", limit100, "at most this many"), refresh}, list);
    get("/api/streamers/online", "Live streamers by viewers",
        {qp("limit", limit100, "at most this many"), verified, refresh}, list);
    get("/api/streamers/stats", "Showcase totals", {refresh}, {{"type", "object"}});
    get("/api/streamers/sorted", "Showcase sorted by one key",
        {qp("sort_by", sortKey, "default followers"), qp("sort_order", order, "asc or desc"), liveOnly,
         verified, qp("limit", limit100, "at most this many"), refresh},
        list);
    get("/api/streamers/top", "The first N by one key, descending",
        {qp("by", sortKey, "default followers"),
         qp("limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}, {"default", 10}}, "how many"),
         liveOnly, verified, refresh},
        list);
    get("/api/streamers/mixed-sort", "Sorted by two keys (the landing page's list)",
        {qp("primary_sort", sortKey, "default live_status"),
         qp("secondary_sort", sortKey, "default followers"), qp("sort_order", order, "asc or desc"), verified,
         qp("limit", limit100, "at most this many"), refresh},
        list);
}

}  // namespace valory::plugins::overlays
