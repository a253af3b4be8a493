// Health (database answers, pool saturation) and the migrate command's report.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migrator.hpp"
#include "sql_service.hpp"
#include "valory/plugin.h"

namespace valory::plugins::persistence {

/// Probes the primary (SELECT 1, waiting at most `probeTimeout` for a connection) and reads the
/// pool counters. ok: database answers and the pool has room; degraded: database down, or every
/// connection in use (saturated). Writes the reason and the pool metrics into `detail`.
valory_health_state checkHealth(SqlService& service, nlohmann::json& detail,
                                std::chrono::milliseconds probeTimeout = std::chrono::milliseconds(2000));

nlohmann::json poolStatsJson(const PoolStats& s);

/// "persistence migrate" output: per owner the versions applied, or "none pending".
/// Sets `failed` when an owner's migration failed.
std::string migrateReport(const std::vector<OwnerReport>& reports, bool& failed);

}  // namespace valory::plugins::persistence
