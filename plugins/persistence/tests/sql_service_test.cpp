// sql/1 against a real PostgreSQL (fixture `postgres`): binding, NULLs, transactions, prepared
// statements, every error category, pool exhaustion, recycle, broken connections, stale_ok.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "service_fixture.hpp"

using namespace valory::plugins::persistence;
using namespace valory::plugins::persistence::test;
using valory::sdk::sql::Database;
using valory::sdk::sql::Tx;

namespace {

class SqlServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info->name();
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        dsn_ = testDatabase(name);
        sut_ = std::make_unique<ServiceUnderTest>(poolFor(dsn_));
        db().exec(
            "CREATE TABLE t (id serial PRIMARY KEY, v text, n integer UNIQUE, c integer CHECK (c >= 0))");
    }
    Database& db() { return sut_->db; }
    std::string dsn_;
    std::unique_ptr<ServiceUnderTest> sut_;
};

}  // namespace

TEST_F(SqlServiceTest, HostileStringsRoundTripUnchanged) {
    const std::string big(1 << 20, 'x');
    std::string bigMixed = big;
    bigMixed[12345] = '\'';
    bigMixed[54321] = '\\';
    const std::vector<std::string> hostile = {
        "'; DROP TABLE t; --",
        "Robert'); DROP TABLE t;--",
        "O'Reilly \"quoted\" \\backslash\\ $1 $$dollar$$ %s %n",
        "Zoë 🎮 日本語 ‮right-to-left‬ \t tab \n newline",
        "",
        bigMixed,
    };
    for (const auto& s : hostile) {
        auto r = db().exec("INSERT INTO t (v) VALUES ($1) RETURNING id, v, length(v)", {s});
        ASSERT_EQ(r.rows(), 1u);
        EXPECT_EQ(r.get(0, 1), s);
        EXPECT_FALSE(r.isNull(0, 1));
    }
    auto all = db().exec("SELECT v FROM t ORDER BY id");
    ASSERT_EQ(all.rows(), hostile.size()) << "the table survived every hostile value";
    for (size_t i = 0; i < hostile.size(); ++i) EXPECT_EQ(all.get(i, 0), hostile[i]);
    // Hostile strings are data in WHERE clauses too.
    auto hit = db().exec("SELECT count(*) FROM t WHERE v = $1", {hostile[0]});
    EXPECT_EQ(hit.getInt(0, 0), 1);
    auto utf = db().exec("SELECT length($1::text), octet_length($1::text)", {hostile[3]});
    EXPECT_GT(utf.getInt(0, 1), utf.getInt(0, 0)) << "multi-byte UTF-8 arrived intact";
}

TEST_F(SqlServiceTest, NullsAndEmptyStringsAreDistinct) {
    std::optional<std::string> none;
    db().exec("INSERT INTO t (v, n) VALUES ($1, $2)", {nullptr, 1});
    db().exec("INSERT INTO t (v, n) VALUES ($1, $2)", {"", 2});
    db().exec("INSERT INTO t (v, n) VALUES ($1, $2)", {none, nullptr});
    auto r = db().exec("SELECT v, v IS NULL, n FROM t ORDER BY id");
    ASSERT_EQ(r.rows(), 3u);
    EXPECT_TRUE(r.isNull(0, 0));
    EXPECT_EQ(r.get(0, 1), "t");
    EXPECT_FALSE(r.isNull(1, 0));
    EXPECT_EQ(r.get(1, 0), "");
    EXPECT_EQ(r.get(1, 1), "f");
    EXPECT_TRUE(r.isNull(2, 0));
    EXPECT_TRUE(r.isNull(2, 2));
    EXPECT_FALSE(r.opt(0, 0).has_value());
    EXPECT_EQ(r.opt(1, 0).value(), "");
    EXPECT_EQ(r.columnName(1), "?column?");
    EXPECT_EQ(r.column("n"), 2u);
    // NULL never equals NULL: the parameter is a real SQL NULL, not the text 'NULL'.
    EXPECT_EQ(db().exec("SELECT count(*) FROM t WHERE v = $1", {nullptr}).getInt(0, 0), 0);
    EXPECT_EQ(db().exec("SELECT $1::text IS NULL", {nullptr}).get(0, 0), "t");
}

TEST_F(SqlServiceTest, AffectedRows) {
    for (int i = 0; i < 5; ++i) db().exec("INSERT INTO t (n) VALUES ($1)", {i});
    EXPECT_EQ(db().exec("UPDATE t SET v = 'x' WHERE n < $1", {3}).affected(), 3u);
    EXPECT_EQ(db().exec("DELETE FROM t WHERE n >= $1", {4}).affected(), 1u);
    EXPECT_EQ(db().exec("UPDATE t SET v = 'y' WHERE n = $1", {99}).affected(), 0u);
}

TEST_F(SqlServiceTest, TransactionsCommitAndRollBack) {
    db().transaction([&](Tx& tx) {
        tx.exec("INSERT INTO t (n) VALUES ($1)", {1});
        tx.exec("INSERT INTO t (n) VALUES ($1)", {2});
    });
    EXPECT_EQ(db().exec("SELECT count(*) FROM t").getInt(0, 0), 2);

    EXPECT_THROW(db().transaction([&](Tx& tx) {
        tx.exec("INSERT INTO t (n) VALUES ($1)", {3});
        throw std::runtime_error("caller changed its mind");
    }),
                 std::runtime_error);
    EXPECT_EQ(db().exec("SELECT count(*) FROM t").getInt(0, 0), 2) << "exception rolled back";

    {
        Tx tx = db().begin();
        tx.exec("INSERT INTO t (n) VALUES ($1)", {4});
        // Not visible outside before commit.
        EXPECT_EQ(db().exec("SELECT count(*) FROM t WHERE n = 4").getInt(0, 0), 0);
        tx.rollback();
    }
    EXPECT_EQ(db().exec("SELECT count(*) FROM t WHERE n = 4").getInt(0, 0), 0);

    // A failed statement aborts the transaction: later statements and commit say so, and
    // nothing of it is committed.
    Tx tx = db().begin();
    tx.exec("INSERT INTO t (n) VALUES ($1)", {5});
    EXPECT_EQ(statusOf([&] { tx.exec("INSERT INTO t (n) VALUES ($1)", {1}); }), VALORY_ERR_CONFLICT);
    EXPECT_EQ(statusOf([&] { tx.exec("SELECT 1"); }), VALORY_ERR_STATE);
    std::string msg;
    EXPECT_EQ(statusOf([&] { tx.commit(); }, &msg), VALORY_ERR_STATE);
    EXPECT_NE(msg.find("rolled back"), std::string::npos) << msg;
    EXPECT_EQ(db().exec("SELECT count(*) FROM t WHERE n = 5").getInt(0, 0), 0);
    // Every connection went back to the pool.
    EXPECT_EQ(sut_->pool->stats().inUse, 0u);
}

TEST_F(SqlServiceTest, ReadOnlyTransactionRefusesWrites) {
    std::string msg;
    auto st = statusOf(
        [&] {
            db().transaction([&](Tx& tx) { tx.exec("INSERT INTO t (n) VALUES (1)"); },
                             VALORY_SQL_TX_READ_ONLY);
        },
        &msg);
    EXPECT_NE(st, VALORY_OK);
    EXPECT_NE(msg.find("25006"), std::string::npos) << msg;
}

TEST_F(SqlServiceTest, PreparedStatements) {
    db().prepare("test.insert", "INSERT INTO t (v, n) VALUES ($1, $2) RETURNING id");
    db().prepare("test.insert", "INSERT INTO t (v, n) VALUES ($1, $2) RETURNING id");  // same SQL: no-op
    EXPECT_EQ(statusOf([&] { db().prepare("test.insert", "SELECT 1"); }), VALORY_ERR_CONFLICT);
    for (int i = 0; i < 20; ++i) db().execPrepared("test.insert", {"'; DROP TABLE t; --", i});
    db().prepare("test.by_n", "SELECT v FROM t WHERE n = $1");
    auto r = db().execPrepared("test.by_n", {7});
    ASSERT_EQ(r.rows(), 1u);
    EXPECT_EQ(r.get(0, 0), "'; DROP TABLE t; --");
    EXPECT_EQ(statusOf([&] { db().execPrepared("test.nope", {}); }), VALORY_ERR_INVALID_ARGUMENT);
    // Prepared statements inside a transaction.
    db().transaction([&](Tx& tx) { tx.execPrepared("test.insert", {nullptr, 100}); });
    EXPECT_EQ(db().exec("SELECT count(*) FROM t").getInt(0, 0), 21);
    // A bad statement fails at first use as invalid, and does not poison the connection.
    db().prepare("test.bad", "SELEKT 1");
    EXPECT_EQ(statusOf([&] { db().execPrepared("test.bad"); }), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(db().execPrepared("test.by_n", {7}).rows(), 1u);
}

TEST_F(SqlServiceTest, ErrorCategories) {
    db().exec("INSERT INTO t (n) VALUES (1)");
    std::string msg;
    EXPECT_EQ(statusOf([&] { db().exec("INSERT INTO t (n) VALUES ($1)", {1}); }, &msg), VALORY_ERR_CONFLICT);
    EXPECT_NE(msg.find("[SQLSTATE 23505]"), std::string::npos) << msg;
    EXPECT_EQ(statusOf([&] { db().exec("INSERT INTO t (c) VALUES ($1)", {-1}); }, &msg),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("23514"), std::string::npos) << msg;
    EXPECT_EQ(statusOf([&] { db().exec("INSERT INTO t (n) VALUES ($1)", {"not a number"}); }, &msg),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("22P02"), std::string::npos) << msg;
    EXPECT_EQ(statusOf([&] { db().exec("SELEKT 1"); }, &msg), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(msg.find("42601"), std::string::npos) << msg;
    EXPECT_EQ(statusOf([&] { db().exec("SELECT $1::int", {}); }, &msg), VALORY_ERR_INVALID_ARGUMENT) << msg;
    EXPECT_EQ(db().exec("SELECT 1").getInt(0, 0), 1) << "a refused message leaves the connection usable";
    EXPECT_EQ(statusOf([&] { db().exec("SELECT $1::text", {std::string_view("a\0b", 3)}); }),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(statusOf([&] { db().exec("SELECT 1", {}, 0x80); }), VALORY_ERR_INVALID_ARGUMENT);

    // timeout: statement_timeout from the conninfo.
    ServiceUnderTest shortTimeout(poolFor(dsn_, 1, 0, std::chrono::milliseconds(10000), 200));
    EXPECT_EQ(statusOf([&] { shortTimeout.db.exec("SELECT pg_sleep(5)"); }, &msg), VALORY_ERR_TIMEOUT);
    EXPECT_NE(msg.find("57014"), std::string::npos) << msg;
    EXPECT_EQ(shortTimeout.db.exec("SELECT 1").getInt(0, 0), 1) << "the connection is usable afterwards";

    // retryable: serialization failure between two REPEATABLE READ transactions.
    db().exec("INSERT INTO t (n, v) VALUES (50, 'a')");
    Tx first = db().begin(VALORY_SQL_TX_REPEATABLE_READ);
    first.exec("SELECT v FROM t WHERE n = 50");
    db().exec("UPDATE t SET v = 'b' WHERE n = 50");
    EXPECT_EQ(statusOf([&] { first.exec("UPDATE t SET v = 'c' WHERE n = 50"); }, &msg), VALORY_ERR_RETRYABLE);
    EXPECT_NE(msg.find("40001"), std::string::npos) << msg;
    first.rollback();

    // retryable: deadlock.
    db().exec("INSERT INTO t (n, v) VALUES (60, 'a'), (61, 'a')");
    Tx a = db().begin();
    Tx b = db().begin();
    a.exec("UPDATE t SET v = 'x' WHERE n = 60");
    b.exec("UPDATE t SET v = 'x' WHERE n = 61");
    auto blocked = std::async(std::launch::async,
                              [&] { return statusOf([&] { a.exec("UPDATE t SET v = 'y' WHERE n = 61"); }); });
    valory_status bStatus = statusOf([&] { b.exec("UPDATE t SET v = 'y' WHERE n = 60"); });
    valory_status aStatus = blocked.get();
    EXPECT_TRUE((aStatus == VALORY_ERR_RETRYABLE) != (bStatus == VALORY_ERR_RETRYABLE))
        << "exactly one side is the deadlock victim: a=" << aStatus << " b=" << bStatus;
    a.rollback();
    b.rollback();

    // unavailable: nothing listens there.
    ServiceUnderTest down(poolFor("host=127.0.0.1 port=1 dbname=x user=x", 1, 0));
    EXPECT_EQ(statusOf([&] { down.db.exec("INSERT INTO t (n) VALUES (1)"); }, &msg), VALORY_ERR_UNAVAILABLE);
    EXPECT_NE(msg.find("cannot connect"), std::string::npos) << msg;
    EXPECT_EQ(statusOf([&] { down.db.begin(); }), VALORY_ERR_UNAVAILABLE);
    EXPECT_EQ(down.pool->stats().inUse + down.pool->stats().idle, 0u) << "failed connects free their slot";
    EXPECT_EQ(sut_->pool->stats().inUse, 0u);
}

TEST_F(SqlServiceTest, PoolExhaustionFailsAsUnavailableAfterTheAcquireTimeout) {
    ServiceUnderTest small(poolFor(dsn_, 1, 1, std::chrono::milliseconds(300)));
    Tx a = small.db.begin();
    Tx b = small.db.begin();
    auto third = std::async(std::launch::async, [&] {
        std::string msg;
        valory_status st = statusOf([&] { small.db.exec("SELECT 1"); }, &msg);
        return std::make_pair(st, msg);
    });
    ASSERT_EQ(third.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "acquire must not hang";
    auto [st, msg] = third.get();
    EXPECT_EQ(st, VALORY_ERR_UNAVAILABLE);
    EXPECT_NE(msg.find("timed out"), std::string::npos) << msg;
    auto s = small.pool->stats();
    EXPECT_EQ(s.timeouts, 1u);
    EXPECT_GE(s.waits, 1u);
    EXPECT_EQ(s.inUse, 2u);
    // A waiter gets the connection as soon as one is returned.
    auto waiter = std::async(std::launch::async, [&] {
        ServiceUnderTest* p = &small;
        (void)p;
        return statusOf([&] { small.db.exec("SELECT 1"); });
    });
    a.rollback();
    EXPECT_EQ(waiter.get(), VALORY_OK);
    b.commit();
    EXPECT_EQ(small.pool->stats().inUse, 0u);
    EXPECT_EQ(small.pool->stats().idle, 1u) << "overflow connection closed on return, base kept";
}

TEST_F(SqlServiceTest, ConnectionsAreRecycledByAge) {
    PoolOptions o = poolFor(dsn_, 2, 0);
    o.recycleAfter = std::chrono::seconds(1);
    ServiceUnderTest sut(o);
    const auto pid1 = sut.db.exec("SELECT pg_backend_pid()").getInt(0, 0);
    EXPECT_EQ(sut.db.exec("SELECT pg_backend_pid()").getInt(0, 0), pid1) << "reused while young";
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    const auto pid2 = sut.db.exec("SELECT pg_backend_pid()").getInt(0, 0);
    EXPECT_NE(pid2, pid1);
    EXPECT_EQ(sut.pool->stats().recycled, 1u);
}

TEST_F(SqlServiceTest, SessionSettingsComeFromTheConninfo) {
    auto r = db().exec(
        "SELECT current_setting('jit'), current_setting('TimeZone'), current_setting('application_name'), "
        "current_setting('statement_timeout')");
    EXPECT_EQ(r.get(0, 0), "off");
    EXPECT_EQ(r.get(0, 1), "UTC");
    EXPECT_EQ(r.get(0, 2), "valory");
    EXPECT_EQ(r.get(0, 3), "30s");
}

TEST_F(SqlServiceTest, BrokenIdleConnectionsAreDiscardedNotReused) {
    const auto pid = db().exec("SELECT pg_backend_pid()").getInt(0, 0);
    {
        pqxx::connection admin(dsn_);
        pqxx::nontransaction w(admin);
        w.exec_params("SELECT pg_terminate_backend($1)", pid);
        // Wait until the backend is gone (its FATAL message is then waiting on our idle socket).
        for (int i = 0; i < 400; ++i) {
            if (w.exec_params("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)[0][0].as<int>() ==
                0)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    // Idle longer than idleCheckAfter, so the pool checks the socket before reuse.
    std::this_thread::sleep_for(sut_->pool->options().idleCheckAfter + std::chrono::milliseconds(50));
    // The killed connection sits idle in the pool; the next call must not fail because of it.
    for (int i = 0; i < 50 && sut_->pool->stats().discarded == 0; ++i) {
        EXPECT_EQ(db().exec("SELECT 1", {}, VALORY_SQL_READ_ONLY).getInt(0, 0), 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(sut_->pool->stats().discarded, 1u);
    EXPECT_NE(db().exec("SELECT pg_backend_pid()").getInt(0, 0), pid);
}

TEST_F(SqlServiceTest, StaleOkReadsGoToTheReplica) {
    // Stand-in replica: another database whose marker table says "replica".
    const std::string replicaDsn = freshDatabase(sharedDsn(), "t_replica_" + std::to_string(::getpid()));
    {
        pqxx::connection c(replicaDsn);
        pqxx::nontransaction w(c);
        w.exec("CREATE TABLE marker (v text); INSERT INTO marker VALUES ('replica')");
    }
    db().exec("CREATE TABLE marker (v text)");
    db().exec("INSERT INTO marker VALUES ('primary')");
    auto replicaPool = std::make_shared<ConnectionPool>(poolFor(replicaDsn, 1, 0));
    ServiceUnderTest sut(poolFor(dsn_), true, MigrateMode::Apply, replicaPool);
    EXPECT_EQ(sut.db.exec("SELECT v FROM marker").get(0, 0), "primary");
    EXPECT_EQ(sut.db.exec("SELECT v FROM marker", {}, VALORY_SQL_READ_ONLY).get(0, 0), "primary");
    EXPECT_EQ(sut.db.exec("SELECT v FROM marker", {}, VALORY_SQL_STALE_OK).get(0, 0), "replica");
    sut.db.transaction([&](Tx& tx) { EXPECT_EQ(tx.exec("SELECT v FROM marker").get(0, 0), "replica"); },
                       VALORY_SQL_TX_STALE_OK);
    // Replica down: stale_ok reads fall back to the primary.
    auto deadReplica =
        std::make_shared<ConnectionPool>(poolFor("host=127.0.0.1 port=1 dbname=x user=x", 1, 0));
    ServiceUnderTest fallback(poolFor(dsn_), true, MigrateMode::Apply, deadReplica);
    EXPECT_EQ(fallback.db.exec("SELECT v FROM marker", {}, VALORY_SQL_STALE_OK).get(0, 0), "primary");
}

TEST_F(SqlServiceTest, ConcurrentCallersShareThePool) {
    ServiceUnderTest sut(poolFor(dsn_, 4, 4));
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 16; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                try {
                    auto r = sut.db.exec("SELECT $1::int * 2", {t * 1000 + i});
                    if (r.getInt(0, 0) != (t * 1000 + i) * 2) ++failures;
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto s = sut.pool->stats();
    EXPECT_EQ(s.inUse, 0u);
    EXPECT_LE(s.connects, 8u);
    EXPECT_LE(s.idle, 4u);
}
