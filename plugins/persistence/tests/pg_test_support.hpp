// Test helpers: the shared PostgreSQL fixture (tests/support/postgres_launcher.sh, CTest fixture
// `postgres`), a fresh database per test, and private clusters for tests that stop the server.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>

#include <pqxx/pqxx>

namespace valory::plugins::persistence::test {

/// Reads VALORY_PG_DSN from a launcher env file. Throws (the test FAILS, never skips) when absent.
inline std::string readDsn(const std::string& envFile) {
    std::ifstream in(envFile);
    if (!in) {
        throw std::runtime_error("PostgreSQL fixture missing: no env file " + envFile +
                                 " (run through ctest, which starts the `postgres` fixture, or run "
                                 "tests/support/postgres_launcher.sh start " +
                                 envFile + ")");
    }
    std::string line;
    while (std::getline(in, line)) {
        const std::string key = "VALORY_PG_DSN=";
        if (line.rfind(key, 0) == 0) {
            std::string v = line.substr(key.size());
            if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
            return v;
        }
    }
    throw std::runtime_error("PostgreSQL fixture env file " + envFile + " has no VALORY_PG_DSN");
}

inline std::string envFile() {
    const char* e = std::getenv("VALORY_PG_ENV_FILE");
    return e && *e ? e : VALORY_PG_ENV_FILE_DEFAULT;
}

/// The shared cluster's DSN (database postgres).
inline std::string sharedDsn() {
    return readDsn(envFile());
}

inline std::string withDb(const std::string& dsn, const std::string& db) {
    return std::regex_replace(dsn, std::regex(R"(dbname=\S+)"), "dbname=" + db);
}

/// Creates (or recreates) database `name` on the server of `dsn`; returns its DSN.
inline std::string freshDatabase(const std::string& dsn, const std::string& name) {
    try {
        pqxx::connection c(dsn);
        pqxx::nontransaction w(c);
        w.exec("DROP DATABASE IF EXISTS " + w.quote_name(name) + " WITH (FORCE)");
        w.exec("CREATE DATABASE " + w.quote_name(name));
    } catch (const std::exception& e) {
        throw std::runtime_error("PostgreSQL fixture does not answer (" + dsn + "): " + e.what());
    }
    return withDb(dsn, name);
}

/// A database of the shared cluster, unique to this process + name.
inline std::string testDatabase(const std::string& name) {
    return freshDatabase(sharedDsn(), "t_" + name + "_" + std::to_string(::getpid()));
}

inline int launcher(const std::string& cmd, const std::string& file) {
    std::string line = "bash '" VALORY_PG_LAUNCHER "' " + cmd + " '" + file + "' >/dev/null";
    return std::system(line.c_str());
}

/// A private cluster (for tests that stop and restart the server); removed on destruction.
class PrivateCluster {
  public:
    explicit PrivateCluster(const std::string& tag)
        : file_(std::string(testing_tmp_dir()) + "/valory-pg-private-" + tag + "-" +
                std::to_string(::getpid()) + ".env") {
        if (launcher("start", file_) != 0)
            throw std::runtime_error("could not start a private PostgreSQL cluster");
        dsn_ = readDsn(file_);
    }
    ~PrivateCluster() { launcher("stop", file_); }
    PrivateCluster(const PrivateCluster&) = delete;
    PrivateCluster& operator=(const PrivateCluster&) = delete;
    const std::string& dsn() const { return dsn_; }
    void pause() {
        if (launcher("pause", file_) != 0) throw std::runtime_error("could not stop the private cluster");
    }
    void resume() {
        if (launcher("resume", file_) != 0) throw std::runtime_error("could not restart the private cluster");
    }

  private:
    static const char* testing_tmp_dir() {
        const char* t = std::getenv("TMPDIR");
        return t && *t ? t : "/tmp";
    }
    std::string file_;
    std::string dsn_;
};

}  // namespace valory::plugins::persistence::test
