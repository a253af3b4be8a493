// Rank data, the streamers showcase and their jobs, wired to the host: riot/1 + twitch/1 behind
// PlayerSource, sql/1 behind StatsStore and the showcase's shared list, the overlays/1 service,
// and the scheduled jobs that run once per interval across every host sharing the database.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "showcase.hpp"
#include "stats_service.hpp"
#include "valory/cpp/host.hpp"
#include "valory/cpp/sql.hpp"
#include "valory/overlays.h"

namespace valory::plugins::overlays {

struct App;

/// Claims one run of `job` for this interval across every host: under a transaction-scoped
/// advisory lock (pg_try_advisory_xact_lock), the job's row in job_runs is moved to now() only
/// when its last run is at least 80 % of an interval old (so jitter must stay below 20 %).
/// False = another host has it.
bool claimJobRun(const sdk::sql::Database& db, const std::string& job, std::chrono::milliseconds interval,
                 const std::string& hostId);

/// The running state of the stats and showcase features (App::stats).
struct StatsFeature {
    std::unique_ptr<PlayerSource> source;
    std::unique_ptr<StatsStore> store;
    std::unique_ptr<StatsService> service;
    std::unique_ptr<Showcase> showcase;
    valory_overlays_api vtable{};
    sdk::ProvidedService provided;
    std::vector<sdk::Job> jobs;
};

/// Creates the feature's objects, provides overlays/1 and starts the jobs (serve mode only).
void startStats(App& app);
/// Stops the jobs and withdraws the service (before the services it uses go away).
void stopStats(App& app);

/// OpenAPI entries of the stats, session and showcase routes (openapi.cpp adds them).
void documentStatsRoutes(nlohmann::json& doc);

/// Whether `s` is a UUID in its canonical text form (any case).
bool isUuid(const std::string& s);

}  // namespace valory::plugins::overlays
