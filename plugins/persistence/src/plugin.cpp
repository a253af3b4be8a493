// persistence: PostgreSQL as the sql/1 service. Thin adapter: settings -> pools -> SqlService.
#include <memory>

#include <pqxx/nontransaction>

#include "settings.hpp"
#include "sql_service.hpp"
#include "status_report.hpp"
#include "valory/cpp/plugin.hpp"

namespace valory::plugins::persistence {

class PersistencePlugin : public sdk::Plugin {
  public:
    PersistencePlugin(sdk::Host host, const sdk::CreateArgs& args)
        : Plugin(std::move(host)), settings_(Settings::fromJson(args.settings)) {
        migrateCommand_ =
            args.commanding() && args.commandPlugin == "persistence" && args.commandName == "migrate";
        const MigrateMode mode = args.checking()   ? MigrateMode::CheckOnly
                                 : migrateCommand_ ? MigrateMode::ForceApply
                                                   : MigrateMode::Apply;
        auto primary = std::make_shared<ConnectionPool>(settings_.primaryPool());
        std::shared_ptr<ConnectionPool> replica;
        if (!settings_.replicaDsn.empty())
            replica = std::make_shared<ConnectionPool>(settings_.replicaPool());
        service_ =
            std::make_unique<SqlService>(std::move(primary), std::move(replica), settings_.autoMigrate, mode);
    }

    void start() override {
        // Not reaching PostgreSQL is not fatal: the pool connects on demand, so calls fail fast
        // as unavailable until the server answers, then succeed without a restart.
        nlohmann::json detail;
        if (checkHealth(*service_, detail) == VALORY_HEALTH_OK) {
            host().info("connected to PostgreSQL (pool " + std::to_string(settings_.poolSize) + " + " +
                        std::to_string(settings_.poolOverflow) + ")");
        } else {
            host().warn("PostgreSQL unreachable at start, running degraded and reconnecting on demand: " +
                        detail.value("reason", std::string("?")));
        }
        statementTime_ =
            host().histogram("valory_sql_query_duration_seconds",
                             "SQL statement time through sql/1 (exec and prepared), by outcome", {"outcome"},
                             {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
        service_->setStatementObserver([h = statementTime_](std::chrono::microseconds took, bool ok) {
            h.observe(static_cast<double>(took.count()) / 1e6, {ok ? "ok" : "error"});
        });
        provided_ = host().provide(VALORY_SQL_SERVICE, VALORY_SQL_MAJOR, VALORY_SQL_MINOR,
                                   SqlService::vtable(), service_.get());
        inUse_ = host().gauge("valory_sql_pool_connections", "Pooled PostgreSQL connections by state",
                              {"pool", "state"});
        events_ = host().counter("valory_sql_pool_events_total",
                                 "Pool waits, timeouts and discarded connections", {"pool", "event"});
        metricsJob_ = host().job("persistence.pool-metrics", std::chrono::seconds(5), std::chrono::seconds(1),
                                 [this] { publishMetrics(); });
    }

    void stop() override { metricsJob_ = {}; }

    valory_health_state health(nlohmann::json& detail) { return checkHealth(*service_, detail); }

    std::string command(const std::string& name, const std::vector<std::string>&) {
        if (name != "migrate")
            throw sdk::Error(VALORY_ERR_UNSUPPORTED,
                             "persistence: unknown command '" + name + "' (known: migrate)");
        // The owners applied their sets in their own start(); here we only report (and fail when
        // the database is down or an owner failed).
        nlohmann::json detail;
        if (checkHealth(*service_, detail) != VALORY_HEALTH_OK && detail.value("database", "") == "down") {
            throw sdk::Error(VALORY_ERR_UNAVAILABLE,
                             "migrate: database unreachable: " + detail.value("reason", std::string()));
        }
        bool failed = false;
        std::string report = migrateReport(service_->migrator().reports(), failed);
        if (failed) throw sdk::Error(VALORY_ERR_STATE, report);
        return report;
    }

  private:
    void publishMetrics() {
        auto publish = [&](const char* pool, const PoolStats& s, PoolStats& last) {
            inUse_.set(static_cast<double>(s.inUse), {pool, "in_use"});
            inUse_.set(static_cast<double>(s.idle), {pool, "idle"});
            events_.add(static_cast<double>(s.waits - last.waits), {pool, "wait"});
            events_.add(static_cast<double>(s.timeouts - last.timeouts), {pool, "timeout"});
            events_.add(static_cast<double>(s.discarded - last.discarded), {pool, "discarded"});
            last = s;
        };
        publish("primary", service_->primary().stats(), lastPrimary_);
        if (service_->replica()) publish("replica", service_->replica()->stats(), lastReplica_);
    }

    Settings settings_;
    bool migrateCommand_ = false;
    std::unique_ptr<SqlService> service_;
    sdk::ProvidedService provided_;
    sdk::Histogram statementTime_;
    sdk::Gauge inUse_;
    sdk::Counter events_;
    sdk::Job metricsJob_;
    PoolStats lastPrimary_, lastReplica_;
};

}  // namespace valory::plugins::persistence

VALORY_PLUGIN(valory::plugins::persistence::PersistencePlugin, "persistence", "1.0.0")
