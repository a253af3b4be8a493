// The schema the plugin applies: real SQL defaults and CHECKs (an INSERT of only user_id gives the
// documented defaults; bad values are refused by the database itself), one overlay per user, and
// only indexes the queries use, each proved by EXPLAIN on a seeded, analysed database.
#include "overlays_stack.hpp"

using namespace valory::it;
using namespace valory::it::overlays;

namespace {

class OverlaysSchema : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        stack_ = std::make_unique<Stack>("schema_" + lower(info->name()).substr(0, 16));
        stack_->startHost();  // applies the migrations
    }
    std::string plan(const std::string& query) {
        std::string out;
        for (const auto& row : stack_->sql("EXPLAIN " + query)) out += row[0].as<std::string>() + "\n";
        return out;
    }
    std::unique_ptr<Stack> stack_;
};

}  // namespace

TEST_F(OverlaysSchema, DefaultsAndChecksLiveInTheDatabase) {
    stack_->sql("INSERT INTO users (username, twitch_id) VALUES ('plainuser', '123')");
    stack_->sql("INSERT INTO overlays (user_id) SELECT id FROM users WHERE username = 'plainuser'");
    auto r = stack_->sql(
        "SELECT overlay_style, background_color, text_color, primary_color, overlay_font, win_color, "
        "lose_color, "
        "progress_color, progress_bg_color, disabled_peak_rr, is_active, id IS NOT NULL FROM overlays");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0][0].as<std::string>(), "old");
    EXPECT_EQ(r[0][1].as<std::string>(), "#07090E");
    EXPECT_EQ(r[0][2].as<std::string>(), "#f2f2f2");
    EXPECT_EQ(r[0][3].as<std::string>(), "#f2f2f2");
    EXPECT_EQ(r[0][4].as<std::string>(), "Inter");
    EXPECT_EQ(r[0][5].as<std::string>(), "#00FFE3");
    EXPECT_EQ(r[0][6].as<std::string>(), "#FF7986");
    EXPECT_EQ(r[0][7].as<std::string>(), "#00FFE3");
    EXPECT_EQ(r[0][8].as<std::string>(), "#f2f2f2");
    EXPECT_EQ(r[0][9].as<bool>(), false);
    EXPECT_EQ(r[0][10].as<bool>(), true);
    EXPECT_TRUE(r[0][11].as<bool>());
    EXPECT_EQ(stack_->sql("SELECT broadcaster_type, is_active FROM users")[0][0].as<std::string>(), "");

    EXPECT_THROW(stack_->sql("INSERT INTO overlays (user_id) SELECT id FROM users"), pqxx::unique_violation)
        << "one overlay per user";
    EXPECT_THROW(stack_->sql("UPDATE overlays SET win_color = '#GGGGGG'"), pqxx::check_violation);
    EXPECT_THROW(stack_->sql("UPDATE overlays SET overlay_style = 'neon'"), pqxx::check_violation);
    EXPECT_THROW(stack_->sql("UPDATE overlays SET overlay_font = 'x'"), pqxx::check_violation);
    EXPECT_THROW(stack_->sql("UPDATE users SET avatar_url = 'javascript:alert(1)'"), pqxx::check_violation);
    EXPECT_THROW(stack_->sql("UPDATE users SET username = 'a b'"), pqxx::check_violation);
    EXPECT_THROW(stack_->sql("INSERT INTO users (username, twitch_id) VALUES ('otheruser', '123')"),
                 pqxx::unique_violation);
    // deleting a user removes the overlay and the sessions with it
    stack_->sql(
        "INSERT INTO auth_sessions (user_id, expires_at) SELECT id, now() + interval '1 day' FROM users");
    stack_->sql("DELETE FROM users");
    EXPECT_EQ(
        stack_->sql("SELECT (SELECT count(*) FROM overlays) + (SELECT count(*) FROM auth_sessions)")[0][0]
            .as<int>(),
        0);
}

TEST_F(OverlaysSchema, EveryQueryUsesItsIndex) {
    stack_->sql(
        "INSERT INTO users (username, twitch_id, riot_id) SELECT 'user' || g, (100000 + g)::text, 'Name' || "
        "g || '#TAG' "
        "FROM generate_series(1, 3000) g");
    stack_->sql("INSERT INTO overlays (user_id) SELECT id FROM users");
    stack_->sql(
        "INSERT INTO auth_sessions (user_id, expires_at) SELECT id, now() + interval '1 day' FROM users");
    stack_->sql(
        "INSERT INTO oauth_states (state, expires_at) SELECT md5(g::text) || 'state', now() + interval '10 "
        "minutes' "
        "FROM generate_series(1, 3000) g");
    stack_->sql("ANALYZE");
    const std::string overlay =
        stack_->sql("SELECT id FROM overlays LIMIT 1 OFFSET 1500")[0][0].as<std::string>();
    const std::string session =
        stack_->sql("SELECT id FROM auth_sessions LIMIT 1 OFFSET 7")[0][0].as<std::string>();

    // GET /api/overlay/{id}: overlays by id, joined to its user
    const std::string pub = plan(
        "SELECT o.win_color, u.riot_id FROM overlays o JOIN users u ON u.id = o.user_id "
        "WHERE o.id = '" +
        overlay + "'::uuid");
    EXPECT_NE(pub.find("overlays_pkey"), std::string::npos) << pub;
    EXPECT_NE(pub.find("users_pkey"), std::string::npos) << pub;
    // every authenticated request
    const std::string sess = plan("SELECT s.user_id FROM auth_sessions s WHERE s.id = '" + session +
                                  "'::uuid AND s.revoked_at IS NULL AND s.expires_at > now()");
    EXPECT_NE(sess.find("auth_sessions_pkey"), std::string::npos) << sess;
    // users/me/overlay and ensureOverlay
    const std::string mine = plan("SELECT id FROM overlays WHERE user_id = 1500");
    EXPECT_NE(mine.find("overlays_user_id_key"), std::string::npos) << mine;
    // login: upsert by twitch_id, free a renamed login
    const std::string byTwitch = plan("SELECT id FROM users WHERE twitch_id = '101500'");
    EXPECT_NE(byTwitch.find("users_twitch_id_key"), std::string::npos) << byTwitch;
    const std::string byName = plan("SELECT id FROM users WHERE username = 'user1500' AND twitch_id <> '1'");
    EXPECT_NE(byName.find("users_username_key"), std::string::npos) << byName;
    // callback: consume the state
    const std::string state = plan("SELECT expires_at FROM oauth_states WHERE state = 'abc'");
    EXPECT_NE(state.find("oauth_states_pkey"), std::string::npos) << state;
    // users/me
    const std::string me = plan("SELECT username FROM users WHERE id = 1500");
    EXPECT_NE(me.find("users_pkey"), std::string::npos) << me;

    // and no index exists that these queries do not need
    auto idx = stack_->sql(
        "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename IN ('users', 'overlays', 'auth_sessions', 'oauth_states')");
    EXPECT_EQ(idx[0][0].as<std::string>(),
              "auth_sessions_pkey,oauth_states_pkey,overlays_pkey,overlays_user_id_key,users_pkey,"
              "users_twitch_id_key,users_username_key");
}
