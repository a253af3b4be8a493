#include "status_report.hpp"

#include <pqxx/pqxx>

#include "error_mapper.hpp"
#include "valory/cpp/error.hpp"

namespace valory::plugins::persistence {

nlohmann::json poolStatsJson(const PoolStats& s) {
    return {{"in_use", s.inUse},        {"idle", s.idle},
            {"opening", s.opening},     {"max", s.max},
            {"waits", s.waits},         {"timeouts", s.timeouts},
            {"connects", s.connects},   {"connect_failures", s.connectFailures},
            {"discarded", s.discarded}, {"recycled", s.recycled}};
}

valory_health_state checkHealth(SqlService& service, nlohmann::json& detail,
                                std::chrono::milliseconds probeTimeout) {
    PoolStats before = service.primary().stats();
    detail["pool"] = poolStatsJson(before);
    if (service.replica()) detail["replica_pool"] = poolStatsJson(service.replica()->stats());
    const bool saturated = before.idle == 0 && before.inUse + before.opening >= before.max;
    if (saturated) {
        // Do not queue a probe behind real work: a full pool is itself the finding.
        detail["database"] = "unknown";
        detail["reason"] = "pool saturated: all " + std::to_string(before.max) + " connections in use";
        return VALORY_HEALTH_DEGRADED;
    }
    try {
        ConnectionPool::Lease lease = service.primary().acquire(probeTimeout);
        try {
            pqxx::nontransaction w(lease.conn());
            w.exec("SELECT 1");
        } catch (const std::exception& e) {
            if (ErrorMapper::connectionBroken(e)) lease.markBroken();
            throw ErrorMapper::map(e, Phase::AutocommitRead);
        }
    } catch (const sdk::Error& e) {
        detail["database"] = "down";
        detail["reason"] = e.what();
        return VALORY_HEALTH_DEGRADED;
    }
    detail["database"] = "up";
    return VALORY_HEALTH_OK;
}

std::string migrateReport(const std::vector<OwnerReport>& reports, bool& failed) {
    failed = false;
    if (reports.empty()) return "migrate: no enabled plugin requested migrations\n";
    std::string out = "migrate:\n";
    for (const auto& r : reports) {
        out += "  " + r.owner + ": ";
        if (!r.error.empty()) {
            failed = true;
            out += "FAILED: " + r.error + "\n";
            continue;
        }
        if (r.applied.empty()) {
            out += "none pending\n";
            continue;
        }
        out += "applied ";
        for (size_t i = 0; i < r.applied.size(); ++i) {
            out += (i ? ", " : "") +
                   ("v" + std::to_string(r.applied[i].version) + " '" + r.applied[i].name + "'");
        }
        out += "\n";
    }
    return out;
}

}  // namespace valory::plugins::persistence
