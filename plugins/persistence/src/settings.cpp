#include "settings.hpp"

#include <regex>

#include "valory/cpp/error.hpp"

namespace valory::plugins::persistence {
namespace {

template <class T>
T intIn(const nlohmann::json& j, const char* key, T def, int64_t min, int64_t max) {
    if (!j.contains(key)) return def;
    const auto& v = j.at(key);
    if (!v.is_number_integer())
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                         std::string("settings.") + key + ": must be an integer");
    const int64_t x = v.get<int64_t>();
    if (x < min || x > max) {
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, std::string("settings.") + key + ": must be in [" +
                                                          std::to_string(min) + ", " + std::to_string(max) +
                                                          "]");
    }
    return static_cast<T>(x);
}

std::string str(const nlohmann::json& j, const char* key, const std::string& def) {
    if (!j.contains(key)) return def;
    if (!j.at(key).is_string())
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, std::string("settings.") + key + ": must be a string");
    return j.at(key).get<std::string>();
}

}  // namespace

bool dsnHasPassword(const std::string& dsn) {
    static const std::regex kv(R"((^|\s)password\s*=)", std::regex::icase);
    static const std::regex uri(R"(^postgres(ql)?://[^/@]*:[^/@]*@)", std::regex::icase);
    static const std::regex uriParam(R"([?&]password=)", std::regex::icase);
    return std::regex_search(dsn, kv) || std::regex_search(dsn, uri) || std::regex_search(dsn, uriParam);
}

Settings Settings::fromJson(const nlohmann::json& j) {
    if (!j.is_object()) throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "settings: must be an object");
    Settings s;
    s.dsn = str(j, "dsn", s.dsn);
    s.password = str(j, "password", "");
    s.replicaDsn = str(j, "replica_dsn", "");
    s.replicaPassword = str(j, "replica_password", "");
    s.poolSize = intIn<size_t>(j, "pool_size", 20, 1, 1000);
    s.poolOverflow = intIn<size_t>(j, "pool_overflow", 30, 0, 1000);
    s.recycle = std::chrono::seconds(intIn<int64_t>(j, "recycle_seconds", 3600, 1, 604800));
    s.acquireTimeout = std::chrono::milliseconds(intIn<int64_t>(j, "acquire_timeout_ms", 30000, 1, 600000));
    s.statementTimeoutMs = intIn<int64_t>(j, "statement_timeout_ms", 30000, 0, 86400000);
    s.connectTimeoutSeconds = intIn<int>(j, "connect_timeout_seconds", 5, 1, 120);
    if (j.contains("auto_migrate")) {
        if (!j.at("auto_migrate").is_boolean())
            throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT, "settings.auto_migrate: must be a boolean");
        s.autoMigrate = j.at("auto_migrate").get<bool>();
    }
    if (dsnHasPassword(s.dsn)) {
        throw sdk::Error(
            VALORY_ERR_INVALID_ARGUMENT,
            "settings.dsn: contains a password; move it to settings.password as a secret reference "
            "({\"env\": NAME} or {\"file\": PATH}) so it is never logged");
    }
    if (dsnHasPassword(s.replicaDsn)) {
        throw sdk::Error(VALORY_ERR_INVALID_ARGUMENT,
                         "settings.replica_dsn: contains a password; move it to settings.replica_password");
    }
    return s;
}

PoolOptions Settings::primaryPool() const {
    PoolOptions o;
    o.conninfo = buildConninfo(dsn, password, statementTimeoutMs, connectTimeoutSeconds);
    o.name = "primary";
    o.baseSize = poolSize;
    o.overflow = poolOverflow;
    o.recycleAfter = recycle;
    o.acquireTimeout = acquireTimeout;
    return o;
}

PoolOptions Settings::replicaPool() const {
    PoolOptions o = primaryPool();
    o.conninfo = buildConninfo(replicaDsn, replicaPassword, statementTimeoutMs, connectTimeoutSeconds);
    o.name = "replica";
    return o;
}

}  // namespace valory::plugins::persistence
