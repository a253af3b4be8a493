// The plugin's settings (validated by the host against plugin.json; re-checked here).
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "connection_pool.hpp"

namespace valory::plugins::persistence {

struct Settings {
    std::string dsn = "host=127.0.0.1 port=5432 dbname=valory user=valory";
    std::string password;
    std::string replicaDsn;
    std::string replicaPassword;
    size_t poolSize = 20;
    size_t poolOverflow = 30;
    std::chrono::seconds recycle{3600};
    std::chrono::milliseconds acquireTimeout{30000};
    int64_t statementTimeoutMs = 30000;
    int connectTimeoutSeconds = 5;
    bool autoMigrate = true;

    /// Throws sdk::Error(INVALID_ARGUMENT) naming the key, e.g. a password written into `dsn`.
    static Settings fromJson(const nlohmann::json& j);
    PoolOptions primaryPool() const;
    PoolOptions replicaPool() const;  // only when !replicaDsn.empty()
};

/// True when a DSN carries a password (key=value `password=` or a URI's user:password@).
bool dsnHasPassword(const std::string& dsn);

}  // namespace valory::plugins::persistence
