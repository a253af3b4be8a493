// The Valory-shaped fixture schema (test-only owner): DEFAULTs, constraints, and EXPLAIN after
// ANALYZE on >= 100k seeded rows naming the index each of the app's lookups must use.
#include <gtest/gtest.h>

#include "service_fixture.hpp"
#include "valory_fixture_schema.hpp"

using namespace valory::plugins::persistence;
using namespace valory::plugins::persistence::test;
using valory::sdk::sql::Migration;

namespace {

constexpr int kRows = 100000;

std::vector<Migration> fixtureSet() {
    std::vector<Migration> out;
    for (const auto& m : valoryFixtureMigrations()) out.push_back({m.version, m.name, m.sql});
    return out;
}

class ValorySchema : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        sut_ = new ServiceUnderTest(poolFor(testDatabase("valory_schema")));
        ASSERT_EQ(sut_->db.migrate("valory_fixture", fixtureSet()).size(), 2u);
        // Seed: 100k users and one overlay each, with a spread of styles and timestamps.
        sut_->db.exec(
            "INSERT INTO users (username, twitch_id, twitch_display_name, riot_id, created_at, updated_at) "
            "SELECT 'user_' || g, (1000000 + g)::text, 'User' || g, 'Player' || g || '#EUW', "
            "now() - (g || ' minutes')::interval, now() - (g || ' seconds')::interval "
            "FROM generate_series(1, $1::int) AS g",
            {kRows});
        sut_->db.exec(
            "INSERT INTO overlays (user_id, overlay_style, created_at, updated_at) "
            "SELECT id, (ARRAY['old','new','minimal','new_v2'])[1 + id % 4], created_at, updated_at FROM "
            "users");
        sut_->db.exec("ANALYZE users");
        sut_->db.exec("ANALYZE overlays");
    }
    static void TearDownTestSuite() {
        delete sut_;
        sut_ = nullptr;
    }
    static std::string plan(const std::string& sql, const valory::sdk::sql::Params& params) {
        auto r = sut_->db.exec("EXPLAIN " + sql, params);
        std::string text;
        for (size_t i = 0; i < r.rows(); ++i) text += std::string(r.get(i, 0)) + "\n";
        return text;
    }
    static ServiceUnderTest* sut_;
};
ServiceUnderTest* ValorySchema::sut_ = nullptr;

}  // namespace

TEST_F(ValorySchema, SeededRowCounts) {
    EXPECT_EQ(sut_->db.exec("SELECT count(*) FROM users").getInt(0, 0), kRows);
    EXPECT_EQ(sut_->db.exec("SELECT count(*) FROM overlays").getInt(0, 0), kRows);
}

TEST_F(ValorySchema, UserByLowerUsernameUsesTheExpressionIndex) {
    auto p = plan("SELECT * FROM users WHERE lower(username) = lower($1)", {"USER_4242"});
    EXPECT_NE(p.find("ix_users_username_lower"), std::string::npos) << p;
    auto r = sut_->db.exec("SELECT id FROM users WHERE lower(username) = lower($1)", {"USER_4242"});
    EXPECT_EQ(r.rows(), 1u);
}

TEST_F(ValorySchema, UserByTwitchIdUsesItsIndex) {
    auto p = plan("SELECT * FROM users WHERE twitch_id = $1", {"1004242"});
    EXPECT_NE(p.find("ix_users_twitch_id"), std::string::npos) << p;
}

TEST_F(ValorySchema, OverlayByIdUsesThePrimaryKey) {
    auto id = sut_->db.exec("SELECT id FROM overlays WHERE user_id = 4242");
    ASSERT_EQ(id.rows(), 1u);
    auto p = plan("SELECT * FROM overlays WHERE id = $1", {id.get(0, 0)});
    EXPECT_NE(p.find("overlays_pkey"), std::string::npos) << p;
}

TEST_F(ValorySchema, OverlaysOfAUserUseAUserIdIndex) {
    auto p = plan("SELECT * FROM overlays WHERE user_id = $1 ORDER BY created_at DESC", {4242});
    // user_id is UNIQUE (one overlay per user), so the planner takes the unique constraint's
    // index; (user_id, created_at DESC) serves the same query should UNIQUE ever be dropped.
    EXPECT_TRUE(p.find("uq_overlays_user_id") != std::string::npos ||
                p.find("ix_overlays_user_created_desc") != std::string::npos)
        << p;
    EXPECT_EQ(p.find("Seq Scan"), std::string::npos) << p;
}

TEST_F(ValorySchema, RecentlyUpdatedOverlaysUseTheDescIndex) {
    auto p = plan("SELECT id FROM overlays ORDER BY updated_at DESC LIMIT $1", {20});
    EXPECT_NE(p.find("ix_overlays_updated_desc"), std::string::npos) << p;
}

TEST_F(ValorySchema, DefaultsConstraintsAndOneOverlayPerUser) {
    auto u = sut_->db.exec(
        "INSERT INTO users (username) VALUES ($1) RETURNING id, is_active, created_at IS NOT NULL",
        {"fresh_user"});
    EXPECT_EQ(u.get(0, 1), "t");
    EXPECT_EQ(u.get(0, 2), "t");
    auto o = sut_->db.exec(
        "INSERT INTO overlays (user_id) VALUES ($1) RETURNING overlay_style, background_color, overlay_font, "
        "win_color, disabled_win_lose, is_active",
        {u.get(0, 0)});
    EXPECT_EQ(o.get(0, 0), "old");
    EXPECT_EQ(o.get(0, 1), "#07090E");
    EXPECT_EQ(o.get(0, 2), "Inter");
    EXPECT_EQ(o.get(0, 3), "#00FFE3");
    EXPECT_EQ(o.get(0, 4), "f");
    EXPECT_EQ(o.get(0, 5), "t");
    EXPECT_EQ(statusOf([&] { sut_->db.exec("INSERT INTO overlays (user_id) VALUES ($1)", {u.get(0, 0)}); }),
              VALORY_ERR_CONFLICT);
    EXPECT_EQ(statusOf([&] {
                  sut_->db.exec("UPDATE overlays SET background_color = $1 WHERE user_id = 1", {"red"});
              }),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(statusOf([&] {
                  sut_->db.exec("UPDATE overlays SET overlay_style = $1 WHERE user_id = 1", {"fancy"});
              }),
              VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(
        statusOf([&] { sut_->db.exec("INSERT INTO users (username) VALUES ($1)", {"no spaces allowed"}); }),
        VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(statusOf([&] { sut_->db.exec("INSERT INTO users (username) VALUES ($1)", {"USER_1"}); }),
              VALORY_ERR_CONFLICT)
        << "usernames are unique case-insensitively (the lower(username) index is UNIQUE)";
    // Deleting a user cascades to its overlay.
    sut_->db.exec("DELETE FROM users WHERE id = $1", {u.get(0, 0)});
    EXPECT_EQ(sut_->db.exec("SELECT count(*) FROM overlays WHERE user_id = $1", {u.get(0, 0)}).getInt(0, 0),
              0);
}
