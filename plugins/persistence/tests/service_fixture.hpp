// Builds a SqlService on a test database and wraps it in the C++ facade (so every test goes
// through the C vtable, as a consumer plugin would).
#pragma once

#include <memory>
#include <string>

#include "pg_test_support.hpp"
#include "settings.hpp"
#include "sql_service.hpp"
#include "valory/cpp/sql.hpp"

namespace valory::plugins::persistence::test {

inline PoolOptions poolFor(const std::string& dsn, size_t base = 4, size_t overflow = 4,
                           std::chrono::milliseconds acquire = std::chrono::milliseconds(10000),
                           int64_t statementTimeoutMs = 30000) {
    PoolOptions o;
    o.conninfo = buildConninfo(dsn, "", statementTimeoutMs, 5);
    o.baseSize = base;
    o.overflow = overflow;
    o.acquireTimeout = acquire;
    return o;
}

struct ServiceUnderTest {
    std::shared_ptr<ConnectionPool> pool;
    std::shared_ptr<ConnectionPool> replica;
    std::unique_ptr<SqlService> service;
    sdk::sql::Database db;

    explicit ServiceUnderTest(PoolOptions primary, bool autoMigrate = true,
                              MigrateMode mode = MigrateMode::Apply,
                              std::shared_ptr<ConnectionPool> replicaPool = nullptr)
        : pool(std::make_shared<ConnectionPool>(std::move(primary))), replica(std::move(replicaPool)) {
        service = std::make_unique<SqlService>(pool, replica, autoMigrate, mode);
        db = sdk::sql::Database(SqlService::vtable(), service.get());
    }
};

/// Runs f and returns the sdk::Error status it threw (VALORY_OK when it did not throw).
template <class F>
valory_status statusOf(F&& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const sdk::Error& e) {
        if (message) *message = e.what();
        return e.status();
    }
    return VALORY_OK;
}

}  // namespace valory::plugins::persistence::test
