#include "migrator.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "error_mapper.hpp"
#include "valory/cpp/error.hpp"

namespace valory::plugins::persistence {
namespace {

// Advisory-lock keys: the table creation and each owner get their own key (hashtextextended).
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS valory_schema_migrations ("
    " owner text NOT NULL,"
    " version bigint NOT NULL CHECK (version > 0),"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (owner, version))";

std::string describe(const std::string& owner, const MigrationSpec& m) {
    return owner + " v" + std::to_string(m.version) + " '" + m.name + "'";
}

/// Runs fn(work) in BEGIN..COMMIT on a leased connection, mapping every failure.
template <class F>
void inTransaction(ConnectionPool& pool, F&& fn) {
    ConnectionPool::Lease lease = pool.acquire();
    std::unique_ptr<pqxx::nontransaction> w;
    try {
        w = std::make_unique<pqxx::nontransaction>(lease.conn());
        w->exec("BEGIN");
    } catch (const std::exception& e) {
        lease.markBroken();
        throw ErrorMapper::map(e, Phase::Connect);
    }
    try {
        fn(*w);
    } catch (const std::exception& e) {
        if (ErrorMapper::connectionBroken(e)) {
            lease.markBroken();
        } else {
            try {
                w->exec("ROLLBACK");
            } catch (const std::exception&) {
                lease.markBroken();
            }
        }
        throw ErrorMapper::map(e, Phase::InTransaction);
    }
    try {
        w->exec("COMMIT");
    } catch (const std::exception& e) {
        if (ErrorMapper::connectionBroken(e)) lease.markBroken();
        throw ErrorMapper::map(e, Phase::Commit);
    }
}

}  // namespace

std::string Migrator::checksum(const std::string& sql) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(sql);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

void Migrator::ensureTable() {
    {
        std::lock_guard lock(mutex_);
        if (tableReady_) return;
    }
    // Two hosts may start at once: CREATE TABLE IF NOT EXISTS itself races on the catalog, so it
    // runs under a transaction-scoped advisory lock.
    inTransaction(pool_, [](pqxx::nontransaction& w) {
        w.exec("SELECT pg_advisory_xact_lock(hashtextextended('valory.schema_migrations', 0))");
        w.exec(kCreateTable);
    });
    std::lock_guard lock(mutex_);
    tableReady_ = true;
}

std::vector<OwnerReport> Migrator::reports() const {
    std::lock_guard lock(mutex_);
    return reports_;
}

std::vector<AppliedInfo> Migrator::migrate(const std::string& owner, std::vector<MigrationSpec> set) {
    OwnerReport report;
    report.owner = owner;
    try {
        auto applied = migrateImpl(owner, set, report);
        report.applied = applied;
        std::lock_guard lock(mutex_);
        reports_.push_back(report);
        return applied;
    } catch (const sdk::Error& e) {
        report.error = e.what();
        std::lock_guard lock(mutex_);
        reports_.push_back(report);
        throw;
    }
}

std::vector<AppliedInfo> Migrator::migrateImpl(const std::string& owner, std::vector<MigrationSpec>& set,
                                               OwnerReport& report) {
    if (owner.empty()) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "migrate: owner must not be empty");
    std::sort(set.begin(), set.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
    for (size_t i = 0; i < set.size(); ++i) {
        if (set[i].version <= 0) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "migrate: " + owner +
                                                              ": versions must be positive (got " +
                                                              std::to_string(set[i].version) + ")");
        }
        if (i > 0 && set[i].version == set[i - 1].version) {
            throw sdk::Error(
                VALORY_ERR_INVALID_ARGUMENT,
                "migrate: " + owner + ": version " + std::to_string(set[i].version) + " appears twice");
        }
        if (set[i].sql.empty()) {
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                             "migrate: " + describe(owner, set[i]) + " has no SQL");
        }
    }
    if (mode_ != MigrateMode::CheckOnly) ensureTable();

    // What is applied already (the table may not exist yet in check mode).
    std::map<int64_t, std::pair<std::string, std::string>> applied;  // version -> (name, checksum)
    {
        ConnectionPool::Lease lease = pool_.acquire();
        try {
            pqxx::nontransaction w(lease.conn());
            pqxx::result exists = w.exec("SELECT to_regclass('valory_schema_migrations') IS NOT NULL");
            if (exists[0][0].as<bool>()) {
                pqxx::result r = w.exec_params(
                    "SELECT version, name, checksum FROM valory_schema_migrations WHERE owner = $1", owner);
                for (const auto& row : r)
                    applied[row[0].as<int64_t>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
            }
        } catch (const std::exception& e) {
            if (ErrorMapper::connectionBroken(e)) lease.markBroken();
            throw ErrorMapper::map(e, Phase::AutocommitRead);
        }
    }

    std::vector<const MigrationSpec*> pending;
    for (const auto& m : set) {
        auto it = applied.find(m.version);
        if (it == applied.end()) {
            pending.push_back(&m);
            continue;
        }
        if (it->second.second != checksum(m.sql)) {
            throw sdk::Error(VALORY_ERR_CONFLICT,
                             "migrate: " + describe(owner, m) + " was applied with checksum " +
                                 it->second.second.substr(0, 12) + "… but its SQL has changed (now " +
                                 checksum(m.sql).substr(0, 12) +
                                 "…): an applied migration must never change; add a new version instead");
        }
    }
    if (pending.empty()) return {};
    for (const auto* m : pending) report.pending.push_back({m->version, m->name});

    if (mode_ == MigrateMode::CheckOnly) return {};
    if (mode_ == MigrateMode::Apply && !autoMigrate_) {
        std::string list;
        for (const auto* m : pending)
            list += (list.empty() ? "" : ", ") + ("v" + std::to_string(m->version) + " '" + m->name + "'");
        throw sdk::Error(VALORY_ERR_STATE, "migrate: " + owner + " has " + std::to_string(pending.size()) +
                                               " pending migration(s) (" + list +
                                               ") and persistence.auto_migrate is false: run "
                                               "`valory-host run persistence migrate` first");
    }

    std::vector<AppliedInfo> done;
    for (const auto* m : pending) {
        const std::string sum = checksum(m->sql);
        bool appliedHere = false;
        try {
            inTransaction(pool_, [&](pqxx::nontransaction& w) {
                // Serialises migrators of this owner across hosts; released at COMMIT/ROLLBACK,
                // so a silent reconnect cannot leave it dangling.
                w.exec_params("SELECT pg_advisory_xact_lock(hashtextextended('valory.migrate:' || $1, 0))",
                              owner);
                pqxx::result r = w.exec_params(
                    "SELECT checksum FROM valory_schema_migrations WHERE owner = $1 AND version = $2", owner,
                    m->version);
                if (!r.empty()) {
                    // Another host applied it while we waited for the lock.
                    if (r[0][0].as<std::string>() != sum) {
                        throw sdk::Error(VALORY_ERR_CONFLICT,
                                         "migrate: " + describe(owner, *m) +
                                             " was applied elsewhere with a different checksum");
                    }
                    return;
                }
                w.exec(m->sql);
                w.exec_params(
                    "INSERT INTO valory_schema_migrations (owner, version, name, checksum) VALUES ($1, $2, "
                    "$3, $4)",
                    owner, m->version, m->name, sum);
                appliedHere = true;
            });
        } catch (const sdk::Error& e) {
            throw sdk::Error(e.status(), "migrate: " + describe(owner, *m) + " failed: " + e.what());
        }
        if (appliedHere) done.push_back({m->version, m->name});
    }
    return done;
}

}  // namespace valory::plugins::persistence
