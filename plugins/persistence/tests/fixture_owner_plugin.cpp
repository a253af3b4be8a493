// A test-only plugin that owns the Valory-shaped fixture schema and applies it from its own
// start(), as the overlays plugin will. Compiled into the plugin test binary (never installed).
#include "valory/cpp/plugin.hpp"
#include "valory/cpp/sql.hpp"
#include "valory_fixture_schema.hpp"

namespace valory::plugins::persistence::test {

class FixtureOwner : public sdk::Plugin {
  public:
    FixtureOwner(sdk::Host host, const sdk::CreateArgs&) : Plugin(std::move(host)) {}

    void start() override {
        db_ = host().acquire<sdk::sql::Database>();
        std::vector<sdk::sql::Migration> set;
        for (const auto& m : valoryFixtureMigrations()) set.push_back({m.version, m.name, m.sql});
        auto applied = db_.migrate("valory_fixture", set);
        host().info("applied " + std::to_string(applied.size()) + " migration(s)");
    }
    void stop() override { db_.reset(); }

  private:
    sdk::sql::Database db_;
};

}  // namespace valory::plugins::persistence::test

VALORY_PLUGIN(valory::plugins::persistence::test::FixtureOwner, "valory_fixture", "1.0.0")
