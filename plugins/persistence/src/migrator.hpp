// Versioned, checksummed schema migrations per owner (a plugin id), one transaction each under
// pg_advisory_xact_lock, recorded in valory_schema_migrations.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "connection_pool.hpp"

namespace valory::plugins::persistence {

struct MigrationSpec {
    int64_t version = 0;
    std::string name;
    std::string sql;
};

struct AppliedInfo {
    int64_t version = 0;
    std::string name;
};

/// What a migrate() call may do.
enum class MigrateMode {
    Apply,      // serve mode: apply pending if autoMigrate, else refuse
    CheckOnly,  // --check: verify checksums, apply nothing
    ForceApply  // `run persistence migrate`: apply even when autoMigrate is off
};

/// Per-owner outcome, kept for the migrate command's report.
struct OwnerReport {
    std::string owner;
    std::vector<AppliedInfo> applied;
    std::vector<AppliedInfo> pending;  // CheckOnly: what would be applied
    std::string error;                 // empty on success
};

class Migrator {
  public:
    static constexpr const char* kTable = "valory_schema_migrations";

    Migrator(ConnectionPool& pool, bool autoMigrate, MigrateMode mode) noexcept
        : pool_(pool), autoMigrate_(autoMigrate), mode_(mode) {}

    /// Applies `owner`'s pending migrations; returns those applied by this call.
    /// Throws sdk::Error: INVALID_ARGUMENT (bad set), CONFLICT (checksum/name changed),
    /// STATE (pending while auto_migrate is off), UNAVAILABLE, or the failing migration's error.
    std::vector<AppliedInfo> migrate(const std::string& owner, std::vector<MigrationSpec> set);

    /// Hex SHA-256 of a migration's SQL.
    static std::string checksum(const std::string& sql);

    std::vector<OwnerReport> reports() const;

  private:
    void ensureTable();
    std::vector<AppliedInfo> migrateImpl(const std::string& owner, std::vector<MigrationSpec>& set,
                                         OwnerReport& report);

    ConnectionPool& pool_;
    bool autoMigrate_;
    MigrateMode mode_;
    mutable std::mutex mutex_;
    bool tableReady_ = false;
    std::vector<OwnerReport> reports_;
};

}  // namespace valory::plugins::persistence
