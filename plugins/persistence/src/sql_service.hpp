// The sql/1 service: statements, prepared statements, transactions and migrations over the pools.
// Plain class (unit-tested directly); vtable() exposes it through the C ABI.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <pqxx/nontransaction>
#include <pqxx/result>

#include "connection_pool.hpp"
#include "migrator.hpp"
#include "valory/sql.h"

// The opaque ABI handles, defined here (global namespace, as declared in sql.h).
struct valory_sql_result {
    pqxx::result r;
};

struct valory_sql_tx {
    valory::plugins::persistence::ConnectionPool::Lease lease;
    std::unique_ptr<pqxx::nontransaction> work;
    bool failed = false;  // a statement failed: the server-side transaction is aborted
};

namespace valory::plugins::persistence {

class SqlService {
  public:
    /// `replica` may be null: stale_ok calls then go to the primary.
    SqlService(std::shared_ptr<ConnectionPool> primary, std::shared_ptr<ConnectionPool> replica,
               bool autoMigrate, MigrateMode mode);

    /// Autocommit (tx == nullptr) or in-transaction statement. Throws sdk::Error.
    pqxx::result exec(valory_sql_tx* tx, std::string_view sql, const valory_str* params, size_t count,
                      uint32_t flags);
    pqxx::result execPrepared(valory_sql_tx* tx, std::string_view name, const valory_str* params,
                              size_t count, uint32_t flags);
    void prepare(std::string_view name, std::string_view sql);
    std::unique_ptr<valory_sql_tx> begin(uint32_t txFlags);
    void commit(std::unique_ptr<valory_sql_tx> tx);
    void rollback(std::unique_ptr<valory_sql_tx> tx) noexcept;
    std::vector<AppliedInfo> migrate(const std::string& owner, std::vector<MigrationSpec> set) {
        return migrator_.migrate(owner, std::move(set));
    }

    Migrator& migrator() noexcept { return migrator_; }
    ConnectionPool& primary() noexcept { return *primary_; }
    ConnectionPool* replica() noexcept { return replica_.get(); }

    /// Called after every statement (exec / execPrepared) with its wall time and whether it
    /// succeeded; set before the service is registered (not synchronised).
    using StatementObserver = std::function<void(std::chrono::microseconds took, bool ok)>;
    void setStatementObserver(StatementObserver fn) { observer_ = std::move(fn); }

    /// The C vtable; its `self` is a SqlService*.
    static const valory_sql_api* vtable() noexcept;

  private:
    pqxx::result run(valory_sql_tx* tx, std::string_view text, const valory_str* params, size_t count,
                     uint32_t flags, bool prepared);
    ConnectionPool::Lease leaseFor(bool staleOk);

    std::shared_ptr<ConnectionPool> primary_;
    std::shared_ptr<ConnectionPool> replica_;
    Migrator migrator_;
    std::shared_mutex preparedMutex_;
    std::unordered_map<std::string, std::string> prepared_;  // name -> SQL; never shrinks
    StatementObserver observer_;
};

}  // namespace valory::plugins::persistence
