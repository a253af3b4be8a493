// The real libpersistence.so (dlopen'ed) in the SDK's fake host, with a test owner plugin that
// migrates the Valory-shaped fixture schema from its start(): serve/command/check modes,
// auto_migrate=false, database down at start, and PostgreSQL stopped and restarted under
// concurrent callers (private cluster).
#include <dlfcn.h>
#include <signal.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pg_test_support.hpp"
#include "valory/cpp/sql.hpp"
#include "valory/testkit/fake_host.hpp"

using namespace valory::plugins::persistence::test;
using valory::sdk::sql::Database;
using valory::testkit::FakeHost;
using valory::testkit::LoadOptions;
using valory::testkit::PluginHandle;

namespace {

const char* kOwnerManifest = R"({"id": "valory_fixture", "version": "1.0.0", "abi": "1.0",
  "library": "libvalory_fixture.so", "requires": [{"service": "sql", "major": 1, "min_minor": 0}],
  "optional": [], "provides": [], "config_schema": {"type": "object", "properties": {}}})";

const valory_plugin_descriptor* persistenceDescriptor() {
    static void* lib = ::dlopen(PERSISTENCE_PLUGIN_SO, RTLD_NOW | RTLD_LOCAL);
    if (!lib) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    auto entry = reinterpret_cast<valory_plugin_entry_fn>(::dlsym(lib, VALORY_PLUGIN_ENTRY_SYMBOL));
    if (!entry) throw std::runtime_error("no entry symbol in libpersistence.so");
    return entry();
}

std::string persistenceManifest() {
    return FakeHost::readFile(PERSISTENCE_MANIFEST);
}

std::string settingsFor(const std::string& dsn, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json s = {{"dsn", dsn}, {"pool_size", 4}, {"pool_overflow", 4}};
    s.update(extra);
    return s.dump();
}

LoadOptions migrateCommand() {
    LoadOptions o;
    o.runMode = VALORY_RUN_COMMAND;
    o.commandPlugin = "persistence";
    o.commandName = "migrate";
    return o;
}

Database sqlOf(FakeHost& host) {
    auto svc = host.service("sql", 1);
    if (!svc) throw std::runtime_error("sql/1 not registered");
    return Database(svc->as<valory_sql_api>(), svc->self());
}

}  // namespace

TEST(PersistencePlugin, ExportsOnlyTheEntryAndProvidesSql1) {
    FakeHost host;
    auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                       settingsFor(testDatabase("plugin_provides")));
    p.start();
    auto svc = host.service("sql", 1);
    ASSERT_TRUE(svc.has_value());
    EXPECT_EQ(svc->service.minor, 0u);
    EXPECT_EQ(svc->as<valory_sql_api>()->struct_size, sizeof(valory_sql_api));
    EXPECT_EQ(sqlOf(host).exec("SELECT 40 + $1::int", {2}).getInt(0, 0), 42);
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK) << detail.dump();
    EXPECT_EQ(detail["database"], "up");
    EXPECT_TRUE(detail["pool"].contains("in_use"));
    EXPECT_TRUE(detail["pool"].contains("timeouts"));
    EXPECT_TRUE(host.hasJob("persistence.pool-metrics"));
    host.runJob("persistence.pool-metrics");
    EXPECT_TRUE(host.metricValue("valory_sql_pool_connections", {"primary", "idle"}).has_value());
}

TEST(PersistencePlugin, PasswordInDsnIsAConfigError) {
    FakeHost host;
    PluginHandle p;
    std::string err;
    EXPECT_NE(host.tryLoad(&p, persistenceDescriptor(), persistenceManifest(),
                           settingsFor("host=127.0.0.1 password=hunter2xyz"), {}, &err),
              VALORY_OK);
    EXPECT_NE(err.find("settings.dsn"), std::string::npos) << err;
    EXPECT_EQ(err.find("hunter2xyz"), std::string::npos) << err;
}

TEST(PersistencePlugin, OwnerMigratesFromItsStartInServeMode) {
    FakeHost host;
    const std::string dsn = testDatabase("plugin_serve");
    auto p = host.load(persistenceDescriptor(), persistenceManifest(), settingsFor(dsn));
    p.start();
    auto owner = host.load(valory_plugin_entry_v1(), kOwnerManifest);
    owner.start();
    EXPECT_TRUE(host.logContains("applied 2 migration(s)"));
    EXPECT_EQ(sqlOf(host)
                  .exec("SELECT count(*) FROM valory_schema_migrations WHERE owner = 'valory_fixture'")
                  .getInt(0, 0),
              2);
    owner.stop();
    owner.start();
    EXPECT_TRUE(host.logContains("applied 0 migration(s)"));
}

TEST(PersistencePlugin, AutoMigrateOffRefusesToStartTheOwnerThenMigrateCommandAppliesAndSaysWhich) {
    const std::string dsn = testDatabase("plugin_command");
    {
        FakeHost host;
        auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                           settingsFor(dsn, {{"auto_migrate", false}}));
        p.start();
        PluginHandle owner = host.load(valory_plugin_entry_v1(), kOwnerManifest);
        EXPECT_EQ(owner.tryStart(), VALORY_ERR_STATE);
        EXPECT_NE(owner.lastError().find("valory-host run persistence migrate"), std::string::npos)
            << owner.lastError();
        EXPECT_FALSE(owner.started());
    }
    {
        // `valory-host run persistence migrate`: every plugin starts in command mode, each owner
        // applies its set in start(), then persistence's command reports.
        FakeHost host;
        auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                           settingsFor(dsn, {{"auto_migrate", false}}), migrateCommand());
        p.start();
        auto owner = host.load(valory_plugin_entry_v1(), kOwnerManifest, "{}", migrateCommand());
        owner.start();
        std::string report = p.command("migrate");
        EXPECT_NE(report.find("valory_fixture: applied v1 'create users', v2 'create overlays'"),
                  std::string::npos)
            << report;
    }
    {
        FakeHost host;
        auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                           settingsFor(dsn, {{"auto_migrate", false}}), migrateCommand());
        p.start();
        auto owner = host.load(valory_plugin_entry_v1(), kOwnerManifest, "{}", migrateCommand());
        owner.start();
        std::string report = p.command("migrate");
        EXPECT_NE(report.find("valory_fixture: none pending"), std::string::npos) << report;
    }
    {
        // And now the owner starts in serve mode although auto_migrate is off.
        FakeHost host;
        auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                           settingsFor(dsn, {{"auto_migrate", false}}));
        p.start();
        auto owner = host.load(valory_plugin_entry_v1(), kOwnerManifest);
        EXPECT_EQ(owner.tryStart(), VALORY_OK) << owner.lastError();
    }
}

TEST(PersistencePlugin, CheckModeAppliesNothing) {
    const std::string dsn = testDatabase("plugin_check");
    FakeHost host;
    LoadOptions check;
    check.runMode = VALORY_RUN_CHECK;
    auto p = host.load(persistenceDescriptor(), persistenceManifest(), settingsFor(dsn), check);
    p.start();
    auto owner = host.load(valory_plugin_entry_v1(), kOwnerManifest, "{}", check);
    owner.start();
    EXPECT_EQ(sqlOf(host).exec("SELECT to_regclass('users') IS NULL").get(0, 0), "t");
}

TEST(PersistencePlugin, DatabaseDownAtStartDegradedOwnerUnstartedMigrateFails) {
    FakeHost host;
    auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                       settingsFor("host=127.0.0.1 port=1 dbname=valory user=valory"), migrateCommand());
    ASSERT_EQ(p.tryStart(), VALORY_OK) << "persistence starts degraded: " << p.lastError();
    EXPECT_TRUE(host.logContains("unreachable at start"));
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_DEGRADED);
    EXPECT_EQ(detail["database"], "down");
    PluginHandle owner = host.load(valory_plugin_entry_v1(), kOwnerManifest, "{}", migrateCommand());
    EXPECT_EQ(owner.tryStart(), VALORY_ERR_UNAVAILABLE);
    EXPECT_NE(owner.lastError().find("cannot connect"), std::string::npos) << owner.lastError();
    EXPECT_THROW(p.command("migrate"), std::exception);
}

TEST(PersistencePlugin, StartsDegradedAndRecoversWhenTheServerComesUp) {
    PrivateCluster cluster("degraded");
    cluster.pause();
    FakeHost host;
    auto p = host.load(persistenceDescriptor(), persistenceManifest(), settingsFor(cluster.dsn()));
    p.start();
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_DEGRADED);
    Database db = sqlOf(host);
    std::string msg;
    try {
        db.exec("SELECT 1");
        ADD_FAILURE() << "expected unavailable";
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_UNAVAILABLE) << e.what();
    }
    cluster.resume();
    bool up = false;
    for (int i = 0; i < 300 && !up; ++i) {  // bounded wait, no timing assertion
        try {
            up = db.exec("SELECT 1").getInt(0, 0) == 1;
        } catch (const valory::sdk::Error&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    EXPECT_TRUE(up) << "the pool reconnects without a restart";
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK) << detail.dump();
}

TEST(PersistencePlugin, ServerRestartUnderConcurrentCallersFailsFastThenRecoversWithoutLeaks) {
    PrivateCluster cluster("restart");
    FakeHost host;
    // acquire timeout far above what a fail-fast call may take, so a hang would show.
    auto p = host.load(persistenceDescriptor(), persistenceManifest(),
                       settingsFor(cluster.dsn(), {{"acquire_timeout_ms", 20000}}));
    p.start();
    Database db = sqlOf(host);
    db.exec("CREATE TABLE hits (id bigserial PRIMARY KEY, worker int)");

    enum Phase { kBefore, kDown, kAfter };
    std::atomic<int> phase{kBefore};
    std::atomic<bool> stop{false};
    std::atomic<int> ok[3] = {0, 0, 0};
    std::atomic<int> failed[3] = {0, 0, 0};
    std::atomic<int> badStatus{0};
    std::atomic<int64_t> slowestFailureMs{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 8; ++w) {
        workers.emplace_back([&, w] {
            for (int i = 0; !stop; ++i) {
                const int ph = phase.load();
                const auto t0 = std::chrono::steady_clock::now();
                try {
                    if (i % 2) {
                        db.exec("SELECT count(*) FROM hits WHERE worker = $1", {w}, VALORY_SQL_READ_ONLY);
                    } else {
                        db.exec("INSERT INTO hits (worker) VALUES ($1)", {w});
                    }
                    ++ok[ph];
                } catch (const valory::sdk::Error& e) {
                    ++failed[ph];
                    // Reads fail as unavailable; a write whose connection died under it may be
                    // unknown_outcome. Nothing else is acceptable.
                    if (e.status() != VALORY_ERR_UNAVAILABLE && e.status() != VALORY_ERR_UNKNOWN_OUTCOME)
                        ++badStatus;
                    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
                    int64_t prev = slowestFailureMs.load();
                    while (ms > prev && !slowestFailureMs.compare_exchange_weak(prev, ms)) {
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            }
        });
    }
    auto waitFor = [&](auto cond) {
        for (int i = 0; i < 1200 && !cond(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        return cond();
    };
    EXPECT_TRUE(waitFor([&] { return ok[kBefore] >= 200; }));
    phase = kDown;
    cluster.pause();
    EXPECT_TRUE(waitFor([&] { return failed[kDown] >= 200; }))
        << "calls keep failing fast while the server is down";
    nlohmann::json detail;
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_DEGRADED) << detail.dump();
    cluster.resume();
    phase = kAfter;
    EXPECT_TRUE(waitFor([&] { return ok[kAfter] >= 200; })) << "calls succeed again without a restart";
    stop = true;
    for (auto& t : workers) t.join();

    EXPECT_EQ(badStatus.load(), 0);
    EXPECT_LT(slowestFailureMs.load(), 15000) << "no failed call waited for the 20 s acquire timeout";
    EXPECT_EQ(p.health(&detail), VALORY_HEALTH_OK) << detail.dump();
    EXPECT_EQ(detail["pool"]["in_use"], 0) << detail.dump();
    EXPECT_EQ(detail["pool"]["timeouts"], 0) << detail.dump();
    // No leaked slots: all 8 (4 + 4) connections can be held at once.
    std::vector<valory::sdk::sql::Tx> held;
    for (int i = 0; i < 8; ++i) held.push_back(db.begin());
    for (auto& tx : held) tx.commit();
    EXPECT_GT(db.exec("SELECT count(*) FROM hits").getInt(0, 0), 0);
    std::cout << "restart test: ok before/down/after = " << ok[0] << "/" << ok[1] << "/" << ok[2]
              << ", failed = " << failed[0] << "/" << failed[1] << "/" << failed[2] << ", slowest failure "
              << slowestFailureMs.load() << " ms, pool " << detail["pool"].dump() << "\n";
}

TEST(PersistencePlugin, ConnectionLostUnderAnAutocommitWriteIsUnknownOutcome) {
    PrivateCluster cluster("unknown");
    FakeHost host;
    auto p = host.load(persistenceDescriptor(), persistenceManifest(), settingsFor(cluster.dsn()));
    p.start();
    Database db = sqlOf(host);
    db.exec("CREATE TABLE w (v int)");
    auto monitor = std::make_unique<pqxx::connection>(cluster.dsn());
    auto killBackendRunning = [&](const std::string& marker) {
        // Wait until the statement runs, then SIGKILL its backend: the client sees the socket
        // close with no error message, exactly like a crash or a network cut after sending.
        for (int i = 0; i < 400; ++i) {
            pqxx::nontransaction w(*monitor);
            auto r = w.exec_params(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
                "%" + marker + "%");
            if (!r.empty()) {
                ::kill(r[0][0].as<int>(), SIGKILL);
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return false;
    };
    auto runKilled = [&](const std::string& sql, uint32_t flags, const std::string& marker) {
        std::atomic<valory_status> st{VALORY_OK};
        std::thread t([&] {
            try {
                db.exec(sql, {}, flags);
            } catch (const valory::sdk::Error& e) {
                st = e.status();
            }
        });
        bool killed = killBackendRunning(marker);
        t.join();
        EXPECT_TRUE(killed);
        // The postmaster restarts its backends after a SIGKILL: wait until it answers again.
        for (int i = 0; i < 600; ++i) {
            try {
                monitor = std::make_unique<pqxx::connection>(cluster.dsn());
                pqxx::nontransaction w(*monitor);
                w.exec("SELECT 1");
                break;
            } catch (const std::exception&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        return st.load();
    };
    EXPECT_EQ(runKilled("INSERT INTO w SELECT 1 FROM pg_sleep(30) /* marker_write */", 0, "marker_write"),
              VALORY_ERR_UNKNOWN_OUTCOME);
    EXPECT_EQ(runKilled("SELECT pg_sleep(30) /* marker_read */", VALORY_SQL_READ_ONLY, "marker_read"),
              VALORY_ERR_UNAVAILABLE);
}
