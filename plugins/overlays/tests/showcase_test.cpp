// Showcase parameters, sorting, statistics, case-insensitive matching and the last good list.
#include "showcase.hpp"

#include <gtest/gtest.h>

#include <map>

namespace valory::plugins::overlays {
namespace {

using nlohmann::json;

QueryFn q(std::map<std::string, std::string> m) {
    return [m](const std::string& k) -> std::optional<std::string> {
        auto it = m.find(k);
        if (it == m.end()) return std::nullopt;
        return it->second;
    };
}

Streamer st(const std::string& name, int64_t followers, bool live, std::optional<int64_t> viewers,
            bool verified) {
    Streamer s;
    s.username = name;
    s.followers = followers;
    s.live = live;
    s.viewers = viewers;
    s.verified = verified;
    return s;
}

std::vector<std::string> names(const json& arr) {
    std::vector<std::string> out;
    for (const auto& e : arr) out.push_back(e["username"]);
    return out;
}

class ShowcaseTest : public ::testing::Test {
  protected:
    std::vector<Streamer> list = {st("akaira", 512'400, true, 3120, true),
                                  st("hardy", 98'100, false, {}, false),
                                  st("MAGICXcmd", 1'250'000, false, {}, true),
                                  st("zed", 900, true, 40, false), st("bee", 5'000, true, 700, false)};
};

TEST_F(ShowcaseTest, FollowersAreFormattedLikeTheOriginal) {
    EXPECT_EQ(formatFollowers(1'200'000), "1.2M");
    EXPECT_EQ(formatFollowers(12'345), "12.3k");
    EXPECT_EQ(formatFollowers(999'999), "1000.0k");
    EXPECT_EQ(formatFollowers(999), "999");
    EXPECT_EQ(formatFollowers(0), "0");
}

TEST_F(ShowcaseTest, DefaultListIsLiveByViewersThenOfflineByFollowers) {
    auto r = showcaseAnswer("", list, q({}), 0, false);
    EXPECT_EQ(names(r), (std::vector<std::string>{"akaira", "bee", "zed", "MAGICXcmd", "hardy"}));
    EXPECT_EQ(r[0], (json{{"username", "akaira"},
                          {"followers", "512.4k"},
                          {"img", ""},
                          {"live", true},
                          {"verified", true},
                          {"viewers", 3120}}));
    EXPECT_TRUE(r[3]["viewers"].is_null());
    EXPECT_EQ(names(showcaseAnswer("", list, q({{"live_only", "true"}, {"limit", "2"}}), 0, false)),
              (std::vector<std::string>{"akaira", "bee"}));
    EXPECT_EQ(names(showcaseAnswer("", list, q({{"verified_only", "1"}}), 0, false)),
              (std::vector<std::string>{"akaira", "MAGICXcmd"}));
}

TEST_F(ShowcaseTest, OnlineSortedTopAndMixedSort) {
    EXPECT_EQ(names(showcaseAnswer("online", list, q({}), 0, false)),
              (std::vector<std::string>{"akaira", "bee", "zed"}));
    EXPECT_EQ(
        names(showcaseAnswer("sorted", list, q({{"sort_by", "username"}, {"sort_order", "asc"}}), 0, false)),
        (std::vector<std::string>{"akaira", "bee", "hardy", "MAGICXcmd", "zed"}));
    EXPECT_EQ(names(showcaseAnswer("sorted", list, q({}), 0, false))[0], "MAGICXcmd");  // followers desc
    EXPECT_EQ(names(showcaseAnswer("top", list, q({{"by", "viewers"}, {"limit", "2"}}), 0, false)),
              (std::vector<std::string>{"akaira", "bee"}));
    EXPECT_EQ(showcaseAnswer("top", list, q({}), 0, false).size(), 5u);  // default 10
    EXPECT_EQ(names(showcaseAnswer("mixed-sort", list, q({{"limit", "4"}}), 0, false)),
              (std::vector<std::string>{"akaira", "bee", "zed", "MAGICXcmd"}));
    EXPECT_EQ(names(showcaseAnswer(
                  "mixed-sort", list,
                  q({{"primary_sort", "live_status"}, {"secondary_sort", "username"}, {"sort_order", "asc"}}),
                  0, false)),
              (std::vector<std::string>{"hardy", "MAGICXcmd", "akaira", "bee", "zed"}));
}

TEST_F(ShowcaseTest, BadParametersNameEachField) {
    try {
        showcaseAnswer("sorted", list, q({{"sort_by", "age"}, {"limit", "0"}, {"live_only", "maybe"}}), 0,
                       false);
        FAIL() << "no error";
    } catch (const std::vector<QueryError>& errors) {
        std::vector<std::string> fields;
        for (const auto& e : errors) fields.push_back(e.field);
        EXPECT_EQ(errors.size(), 3u);
        EXPECT_NE(std::find(fields.begin(), fields.end(), "sort_by"), fields.end());
        EXPECT_NE(std::find(fields.begin(), fields.end(), "limit"), fields.end());
        EXPECT_NE(std::find(fields.begin(), fields.end(), "live_only"), fields.end());
    }
    EXPECT_THROW(showcaseAnswer("top", list, q({{"limit", "51"}}), 0, false), std::vector<QueryError>);
    EXPECT_THROW(showcaseAnswer("", list, q({{"limit", "12abc"}}), 0, false), std::vector<QueryError>);
    EXPECT_THROW(showcaseAnswer("stats", list, q({{"refresh_cache", "yes please"}}), 0, false),
                 std::vector<QueryError>);
    EXPECT_NO_THROW(showcaseAnswer("top", list, q({{"limit", "50"}}), 0, false));
}

TEST_F(ShowcaseTest, StatsCountEverything) {
    auto s = showcaseAnswer("stats", list, q({}), 1'000, true);
    EXPECT_EQ(s["total_streamers"], 5);
    EXPECT_EQ(s["online_streamers"], 3);
    EXPECT_EQ(s["offline_streamers"], 2);
    EXPECT_EQ(s["verified_streamers"], 2);
    EXPECT_EQ(s["verified_online"], 1);
    EXPECT_EQ(s["total_viewers"], 3860);
    EXPECT_EQ(s["total_followers"], 512'400 + 98'100 + 1'250'000 + 900 + 5'000);
    EXPECT_DOUBLE_EQ(s["online_percentage"].get<double>(), 60.0);
    EXPECT_DOUBLE_EQ(s["verified_percentage"].get<double>(), 40.0);
    EXPECT_TRUE(s["cache_refreshed"].get<bool>());
    EXPECT_EQ(showcaseAnswer("stats", {}, q({}), 0, false)["online_percentage"], 0.0);
}

TEST_F(ShowcaseTest, TwitchAnswersMatchLoginsCaseInsensitively) {
    json users = {
        {"users",
         {{{"id", "1"}, {"login", "magicxcmd"}, {"broadcaster_type", "partner"}, {"profile_image_url", "i1"}},
          {{"id", "2"}, {"login", "sindics"}, {"broadcaster_type", "affiliate"}}}}};
    json streams = {{"streams", {{{"user_login", "magicxcmd"}, {"viewer_count", 77}, {"title", "t"}}}}};
    auto v = buildShowcase({"MAGICXcmd", "Sindics", "ghost"}, users, streams,
                           [](const std::string& id) { return id == "1" ? 4'200 : 0; });
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].username, "MAGICXcmd");
    EXPECT_TRUE(v[0].live);
    EXPECT_EQ(v[0].viewers, 77);
    EXPECT_TRUE(v[0].verified);
    EXPECT_EQ(v[0].img, "i1");
    EXPECT_EQ(v[0].followers, 4'200);
    EXPECT_FALSE(v[1].live);
    EXPECT_FALSE(v[1].verified);
    EXPECT_FALSE(v[2].live);  // unknown to Twitch: listed, offline
    auto back = streamersFromJson(toStoredJson(v));
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[0].followers, 4'200);
    EXPECT_EQ(back[0].title, "t");
}

TEST_F(ShowcaseTest, TwitchDownKeepsTheLastGoodList) {
    int64_t now = 1'000'000;
    bool twitchUp = true;
    int fetches = 0;
    std::optional<Showcase::Snapshot> stored;
    Showcase sc(
        [&] {
            ++fetches;
            if (!twitchUp) throw std::runtime_error("twitch down");
            return std::vector<Streamer>{st("a", 1, true, 5, false)};
        },
        [&] { return stored; }, [&](const Showcase::Snapshot& s) { stored = s; }, 10'000,
        [&] { return now; });
    bool refreshed = false;
    auto first = sc.current(false, &refreshed);  // nothing anywhere yet: fetched once
    EXPECT_TRUE(refreshed);
    EXPECT_EQ(first->streamers.size(), 1u);
    EXPECT_TRUE(stored);
    EXPECT_EQ(fetches, 1);
    sc.current(false);
    EXPECT_EQ(fetches, 1);
    twitchUp = false;
    EXPECT_FALSE(sc.refresh());
    now += 20'000;
    auto kept = sc.current(true, &refreshed);
    EXPECT_FALSE(refreshed);
    EXPECT_EQ(kept->streamers.size(), 1u);
    EXPECT_EQ(kept->updatedAtMs, 1'000'000);
    sc.current(true);  // forced refreshes are bounded per host
    EXPECT_EQ(fetches, 3);
}

}  // namespace
}  // namespace valory::plugins::overlays
