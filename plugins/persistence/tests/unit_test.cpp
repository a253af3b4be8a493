// Unit tests without a server: error mapping, conninfo building, settings.
#include <gtest/gtest.h>

#include <pqxx/except>

#include "connection_pool.hpp"
#include "error_mapper.hpp"
#include "settings.hpp"

using namespace valory::plugins::persistence;

TEST(ErrorMapper, SqlStatesToCategories) {
    EXPECT_EQ(ErrorMapper::fromSqlState("23505"), VALORY_ERR_CONFLICT);
    EXPECT_EQ(ErrorMapper::fromSqlState("23P01"), VALORY_ERR_CONFLICT);
    EXPECT_EQ(ErrorMapper::fromSqlState("23514"), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ErrorMapper::fromSqlState("23502"), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ErrorMapper::fromSqlState("22P02"), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ErrorMapper::fromSqlState("42601"), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ErrorMapper::fromSqlState("57014"), VALORY_ERR_TIMEOUT);
    EXPECT_EQ(ErrorMapper::fromSqlState("40001"), VALORY_ERR_RETRYABLE);
    EXPECT_EQ(ErrorMapper::fromSqlState("40P01"), VALORY_ERR_RETRYABLE);
    EXPECT_EQ(ErrorMapper::fromSqlState("08006"), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::fromSqlState("57P01"), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::fromSqlState("57P03"), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::fromSqlState("53300"), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::fromSqlState("XX000"), VALORY_ERR_INTERNAL);
    EXPECT_EQ(ErrorMapper::fromSqlState(""), VALORY_ERR_INTERNAL);
}

TEST(ErrorMapper, BrokenConnectionDependsOnPhase) {
    pqxx::broken_connection broken("server closed the connection unexpectedly");
    EXPECT_EQ(ErrorMapper::map(broken, Phase::Connect).status(), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::map(broken, Phase::InTransaction).status(), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::map(broken, Phase::AutocommitRead).status(), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(ErrorMapper::map(broken, Phase::AutocommitWrite).status(), VALORY_ERR_UNKNOWN_OUTCOME);
    EXPECT_EQ(ErrorMapper::map(broken, Phase::Commit).status(), VALORY_ERR_UNKNOWN_OUTCOME);
    EXPECT_TRUE(ErrorMapper::connectionBroken(broken));
}

TEST(ErrorMapper, InDoubtIsUnknownOutcomeEverywhere) {
    pqxx::in_doubt_error doubt("connection lost during commit");
    EXPECT_EQ(ErrorMapper::map(doubt, Phase::Commit).status(), VALORY_ERR_UNKNOWN_OUTCOME);
    EXPECT_EQ(ErrorMapper::map(doubt, Phase::InTransaction).status(), VALORY_ERR_UNKNOWN_OUTCOME);
    pqxx::statement_completion_unknown unknown("lost");
    EXPECT_EQ(ErrorMapper::map(unknown, Phase::AutocommitRead).status(), VALORY_ERR_UNKNOWN_OUTCOME);
}

TEST(ErrorMapper, MessageCarriesSqlState) {
    pqxx::unique_violation uv("ERROR:  duplicate key value violates unique constraint \"k\"\n", "INSERT",
                              "23505");
    auto e = ErrorMapper::map(uv, Phase::AutocommitWrite);
    EXPECT_EQ(e.status(), VALORY_ERR_CONFLICT);
    EXPECT_NE(std::string(e.what()).find("[SQLSTATE 23505]"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    std::runtime_error other("boom");
    EXPECT_EQ(ErrorMapper::map(other, Phase::AutocommitRead).status(), VALORY_ERR_INTERNAL);
    valory::sdk::Error passthrough(VALORY_ERR_STATE, "x");
    EXPECT_EQ(ErrorMapper::map(passthrough, Phase::AutocommitRead).status(), VALORY_ERR_STATE);
}

TEST(Conninfo, AddsSessionSettingsToKeyValueDsn) {
    std::string ci = buildConninfo("host=db port=5432 dbname=valory user=valory", "p'w\\d", 1500, 5);
    EXPECT_NE(ci.find("options='-c jit=off -c TimeZone=UTC -c statement_timeout=1500'"), std::string::npos)
        << ci;
    EXPECT_NE(ci.find("connect_timeout=5"), std::string::npos);
    EXPECT_NE(ci.find("application_name=valory"), std::string::npos);
    EXPECT_NE(ci.find("password='p\\'w\\\\d'"), std::string::npos) << ci;
}

TEST(Conninfo, AddsSessionSettingsToUri) {
    std::string ci = buildConninfo("postgresql://valory@db:5432/valory", "", 0, 3);
    EXPECT_EQ(ci.rfind("postgresql://valory@db:5432/valory?options=", 0), 0u) << ci;
    EXPECT_NE(ci.find("statement_timeout%3D0"), std::string::npos) << ci;
    EXPECT_NE(ci.find("&application_name=valory"), std::string::npos);
    EXPECT_EQ(ci.find("password"), std::string::npos);
}

TEST(Settings, DefaultsAndRanges) {
    auto s = Settings::fromJson(nlohmann::json::object());
    EXPECT_EQ(s.poolSize, 20u);
    EXPECT_EQ(s.poolOverflow, 30u);
    EXPECT_EQ(s.recycle.count(), 3600);
    EXPECT_EQ(s.acquireTimeout.count(), 30000);
    EXPECT_TRUE(s.autoMigrate);
    EXPECT_THROW(Settings::fromJson({{"pool_size", 0}}), valory::sdk::Error);
    EXPECT_THROW(Settings::fromJson({{"auto_migrate", "no"}}), valory::sdk::Error);
}

TEST(Settings, PasswordInDsnIsRefused) {
    EXPECT_TRUE(dsnHasPassword("host=x password=secret"));
    EXPECT_TRUE(dsnHasPassword("postgresql://u:secret@host/db"));
    EXPECT_TRUE(dsnHasPassword("postgresql://u@host/db?password=x"));
    EXPECT_FALSE(dsnHasPassword("host=x user=u dbname=d"));
    EXPECT_FALSE(dsnHasPassword("postgresql://u@host:5432/db"));
    try {
        Settings::fromJson({{"dsn", "host=x password=hunter2xyz"}});
        FAIL() << "expected a refusal";
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(std::string(e.what()).find("hunter2xyz"), std::string::npos)
            << "the password must not be echoed";
    }
}

TEST(ErrorMapper, LibpqxxRollbackClassesAreRetryable) {
    // libpqxx 6.4 gives these no sqlstate(); the class decides.
    pqxx::serialization_failure sf("ERROR:  could not serialize access due to concurrent update\n");
    pqxx::deadlock_detected dl("ERROR:  deadlock detected\n");
    auto a = ErrorMapper::map(sf, Phase::InTransaction);
    auto b = ErrorMapper::map(dl, Phase::AutocommitWrite);
    EXPECT_EQ(a.status(), VALORY_ERR_RETRYABLE);
    EXPECT_EQ(b.status(), VALORY_ERR_RETRYABLE);
    EXPECT_NE(std::string(a.what()).find("40001"), std::string::npos);
    EXPECT_NE(std::string(b.what()).find("40P01"), std::string::npos);
    pqxx::too_many_connections tmc("FATAL:  sorry, too many clients already");
    EXPECT_EQ(ErrorMapper::map(tmc, Phase::AutocommitWrite).status(), VALORY_ERR_UNAVAILABLE);
}

TEST(ErrorMapper, BrokenConnectionOnAnOpenConnectionWasARefusedMessage) {
    pqxx::broken_connection refused(
        "ERROR:  bind message supplies 0 parameters, but prepared statement requires 1");
    EXPECT_EQ(ErrorMapper::map(refused, Phase::AutocommitWrite, /*connectionStillOpen=*/true).status(),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ErrorMapper::map(refused, Phase::AutocommitWrite, false).status(), VALORY_ERR_UNKNOWN_OUTCOME);
}
