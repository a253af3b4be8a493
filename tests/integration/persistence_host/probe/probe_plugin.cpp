// Test-only plugin: uses sql/1 through the host's service registry, as the overlays plugin will.
// start() migrates the Valory-shaped fixture schema (owner "sql_probe").
//   POST /probe/sql/users          body = username  -> 201 {"id": n} | 409 conflict | 503 ...
//   GET  /probe/sql/users/{id}                      -> 200 {"id", "username"} | 404 | 503 ...
// sql/1 errors become {"error": "<status name>", "message": ...} with 409 / 400 / 503 / 500.
#include <optional>

#include "valory/cpp/plugin.hpp"
#include "valory/cpp/sql.hpp"
#include "valory_fixture_schema.hpp"

namespace {

int httpStatusOf(valory_status s) {
    switch (s) {
        case VALORY_ERR_CONFLICT:
            return 409;
        case VALORY_ERR_INVALID_ARGUMENT:
            return 400;
        case VALORY_ERR_UNAVAILABLE:
        case VALORY_ERR_TIMEOUT:
        case VALORY_ERR_RETRYABLE:
        case VALORY_ERR_UNKNOWN_OUTCOME:
            return 503;
        default:
            return 500;
    }
}

class SqlProbe : public valory::sdk::Plugin {
  public:
    SqlProbe(valory::sdk::Host host, const valory::sdk::CreateArgs&) : Plugin(std::move(host)) {}

    void start() override {
        db_ = host().acquire<valory::sdk::sql::Database>();
        std::vector<valory::sdk::sql::Migration> set;
        for (const auto& m : valory::plugins::persistence::test::valoryFixtureMigrations())
            set.push_back({m.version, m.name, m.sql});
        auto applied = db_.migrate("sql_probe", set);
        host().info("sql_probe: applied " + std::to_string(applied.size()) + " migration(s)");
        routes_.push_back(host().route("POST", "/probe/sql/users", [this](const auto& rq, auto& rs) {
            guard(rs, [&] {
                auto r = db_.exec("INSERT INTO users (username) VALUES ($1) RETURNING id", {rq.body()});
                rs.json({{"id", r.getInt(0, 0)}}, 201);
            });
        }));
        routes_.push_back(host().route("GET", "/probe/sql/users/{id}", [this](const auto& rq, auto& rs) {
            guard(rs, [&] {
                auto r = db_.exec("SELECT id, username FROM users WHERE id = $1", {*rq.param("id")},
                                  VALORY_SQL_READ_ONLY);
                if (r.empty()) {
                    rs.error(404, "not_found", "no such user");
                    return;
                }
                rs.json({{"id", r.getInt(0, 0)}, {"username", std::string(r.get(0, 1))}});
            });
        }));
    }
    void stop() override {
        routes_.clear();
        db_.reset();
    }

  private:
    template <class F>
    static void guard(valory::sdk::Response& rs, F&& f) {
        try {
            f();
        } catch (const valory::sdk::Error& e) {
            rs.error(httpStatusOf(e.status()), valory::sdk::statusName(e.status()), e.what());
        }
    }

    valory::sdk::sql::Database db_;
    std::vector<valory::sdk::Route> routes_;
};

}  // namespace

VALORY_PLUGIN(SqlProbe, "sql_probe", "1.0.0")
