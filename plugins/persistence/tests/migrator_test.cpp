// Migrations against a real PostgreSQL: apply once, checksums, auto_migrate=false, check mode,
// atomicity, and concurrent migrators in separate processes.
#include <gtest/gtest.h>

#include <cstdio>
#include <future>

#include "service_fixture.hpp"

using namespace valory::plugins::persistence;
using namespace valory::plugins::persistence::test;
using valory::sdk::sql::Migration;

namespace {

const std::vector<Migration> kSet = {
    {1, "create things", "CREATE TABLE things (id int PRIMARY KEY, name text NOT NULL)"},
    {2, "index things", "CREATE INDEX ix_things_name ON things (name)"},
};

std::string dbFor(const char* name) {
    return testDatabase(std::string("mig_") + name);
}

}  // namespace

TEST(Migrator, AppliesPendingOnceAndReportsWhat) {
    ServiceUnderTest sut(poolFor(dbFor("once")));
    auto applied = sut.db.migrate("owner_a", kSet);
    ASSERT_EQ(applied.size(), 2u);
    EXPECT_EQ(applied[0].version, 1);
    EXPECT_EQ(applied[0].name, "create things");
    EXPECT_EQ(applied[1].version, 2);
    EXPECT_TRUE(sut.db.migrate("owner_a", kSet).empty()) << "second run applies nothing";
    auto more = kSet;
    more.push_back({3, "add column", "ALTER TABLE things ADD COLUMN note text"});
    auto third = sut.db.migrate("owner_a", more);
    ASSERT_EQ(third.size(), 1u);
    EXPECT_EQ(third[0].version, 3);
    auto r = sut.db.exec(
        "SELECT owner, version, name, length(checksum) FROM valory_schema_migrations ORDER BY version");
    ASSERT_EQ(r.rows(), 3u);
    EXPECT_EQ(r.get(0, 0), "owner_a");
    EXPECT_EQ(r.getInt(0, 3), 64) << "sha-256 hex";
    // Owners are independent: another owner's version 1 is its own.
    EXPECT_EQ(sut.db.migrate("owner_b", {{1, "other", "CREATE TABLE other_things (id int)"}}).size(), 1u);
}

TEST(Migrator, ChangedChecksumIsRefused) {
    ServiceUnderTest sut(poolFor(dbFor("checksum")));
    sut.db.migrate("owner", kSet);
    auto changed = kSet;
    changed[0].sql = "CREATE TABLE things (id bigint PRIMARY KEY, name text NOT NULL)";
    changed.push_back({3, "never applied", "CREATE TABLE never (id int)"});
    std::string msg;
    EXPECT_EQ(statusOf([&] { sut.db.migrate("owner", changed); }, &msg), VALORY_ERR_CONFLICT);
    EXPECT_NE(msg.find("owner v1 'create things'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("changed"), std::string::npos) << msg;
    EXPECT_EQ(sut.db.exec("SELECT to_regclass('never') IS NULL").get(0, 0), "t")
        << "nothing applied after a refusal";
}

TEST(Migrator, InvalidSetsAreRefused) {
    ServiceUnderTest sut(poolFor(dbFor("invalid")));
    EXPECT_EQ(statusOf([&] {
                  sut.db.migrate("owner", {{0, "zero", "SELECT 1"}});
              }),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(statusOf([&] {
                  sut.db.migrate("owner", {{1, "a", "SELECT 1"}, {1, "b", "SELECT 2"}});
              }),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(statusOf([&] { sut.db.migrate("", kSet); }), VALORY_ERR_INVALID_ARGUMENT);
}

TEST(Migrator, AFailingMigrationLeavesNothingBehind) {
    ServiceUnderTest sut(poolFor(dbFor("atomic")));
    std::string msg;
    auto st = statusOf(
        [&] {
            sut.db.migrate(
                "owner", {{1, "ok", "CREATE TABLE ok1 (id int)"},
                          {2, "half", "CREATE TABLE half (id int); INSERT INTO half VALUES ('not an int')"}});
        },
        &msg);
    EXPECT_EQ(st, VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("owner v2 'half' failed"), std::string::npos) << msg;
    EXPECT_EQ(sut.db.exec("SELECT to_regclass('ok1') IS NOT NULL, to_regclass('half') IS NULL").get(0, 0),
              "t");
    EXPECT_EQ(sut.db.exec("SELECT to_regclass('half') IS NULL").get(0, 0), "t") << "v2 rolled back entirely";
    EXPECT_EQ(
        sut.db.exec("SELECT max(version) FROM valory_schema_migrations WHERE owner = 'owner'").getInt(0, 0),
        1);
}

TEST(Migrator, AutoMigrateOffRefusesPendingAndNamesTheCommand) {
    const std::string dsn = dbFor("auto_off");
    {
        ServiceUnderTest off(poolFor(dsn), /*autoMigrate=*/false, MigrateMode::Apply);
        std::string msg;
        EXPECT_EQ(statusOf([&] { off.db.migrate("overlays_test", kSet); }, &msg), VALORY_ERR_STATE);
        EXPECT_NE(msg.find("valory-host run persistence migrate"), std::string::npos) << msg;
        EXPECT_NE(msg.find("2 pending"), std::string::npos) << msg;
        EXPECT_EQ(off.db.exec("SELECT to_regclass('things') IS NULL").get(0, 0), "t");
    }
    {
        // The migrate command (ForceApply) applies even with auto_migrate off ...
        ServiceUnderTest command(poolFor(dsn), false, MigrateMode::ForceApply);
        EXPECT_EQ(command.db.migrate("overlays_test", kSet).size(), 2u);
        auto reports = command.service->migrator().reports();
        ASSERT_EQ(reports.size(), 1u);
        EXPECT_EQ(reports[0].applied.size(), 2u);
    }
    {
        // ... after which a serve-mode start with auto_migrate off is fine.
        ServiceUnderTest off(poolFor(dsn), false, MigrateMode::Apply);
        EXPECT_TRUE(off.db.migrate("overlays_test", kSet).empty());
    }
}

TEST(Migrator, CheckModeAppliesNothing) {
    ServiceUnderTest check(poolFor(dbFor("check")), true, MigrateMode::CheckOnly);
    EXPECT_TRUE(check.db.migrate("owner", kSet).empty());
    EXPECT_EQ(check.db.exec("SELECT to_regclass('valory_schema_migrations') IS NULL").get(0, 0), "t");
    auto reports = check.service->migrator().reports();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].pending.size(), 2u);
}

TEST(Migrator, TwoProcessesMigratingAtOnceApplyEachVersionOnce) {
    const std::string dsn = dbFor("race");
    constexpr int kProcs = 4;
    std::vector<std::future<std::pair<int, std::string>>> runs;
    for (int i = 0; i < kProcs; ++i) {
        runs.push_back(std::async(std::launch::async, [&] {
            std::string cmd = std::string("'" PERSISTENCE_MIGRATE_HELPER "' '") + dsn + "' racer 2>&1";
            FILE* p = ::popen(cmd.c_str(), "r");
            std::string out;
            char buf[512];
            while (p && std::fgets(buf, sizeof buf, p)) out += buf;
            int rc = p ? ::pclose(p) : -1;
            return std::make_pair(rc, out);
        }));
    }
    std::string all;
    int appliedLines = 0;
    for (auto& r : runs) {
        auto [rc, out] = r.get();
        EXPECT_EQ(rc, 0) << out;
        all += out;
        for (size_t pos = 0; (pos = out.find("applied ", pos)) != std::string::npos; ++pos) ++appliedLines;
    }
    EXPECT_EQ(appliedLines, 3) << "each of the 3 versions applied by exactly one process:\n" << all;
    ServiceUnderTest sut(poolFor(dsn));
    EXPECT_EQ(sut.db.exec("SELECT count(*) FROM valory_schema_migrations WHERE owner = 'racer'").getInt(0, 0),
              3);
    EXPECT_EQ(sut.db.exec("SELECT count(*) FROM a").getInt(0, 0), 100);
}

TEST(Migrator, DatabaseDownIsUnavailable) {
    ServiceUnderTest down(poolFor("host=127.0.0.1 port=1 dbname=x user=x", 1, 0));
    std::string msg;
    EXPECT_EQ(statusOf([&] { down.db.migrate("owner", kSet); }, &msg), VALORY_ERR_UNAVAILABLE);
    EXPECT_NE(msg.find("cannot connect"), std::string::npos) << msg;
}
