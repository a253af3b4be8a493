// The chat plugin on the SDK's fake host with a fake overlays/1 provider: templates, safe texts
// for unknown, unlinked and failing lookups, and one plain-text line.
#include <gtest/gtest.h>

#include <map>

#include "chat_line.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/overlays.h"
#include "valory/plugin.h"
#include "valory/testkit/fake_host.hpp"

using nlohmann::json;
using valory::testkit::FakeHost;
namespace chat = valory::plugins::chat;

namespace {

json magicx() {
    return json{{"status", "ok"},
                {"rank_status", "ranked"},
                {"riot_id", "MAGICX#1337"},
                {"tier", {{"id", 24}, {"name", "Immortal 1"}}},
                {"rr", 41},
                {"last_change", -18},
                {"session", {{"wins", 5}, {"losses", 2}, {"draws", 0}}},
                {"last_five", {"win", "loss", "win"}},
                {"season_winrate", 56}};
}

struct FakeOverlays {
    std::map<std::string, json> byLogin;
    valory_status failWith = VALORY_OK;
    int calls = 0;

    static valory_status stats(void* self, const valory_overlays_query* q, valory_writer* out,
                               valory_error* err) {
        auto* me = static_cast<FakeOverlays*>(self);
        ++me->calls;
        if (me->failWith != VALORY_OK) {
            err->status = me->failWith;
            return me->failWith;
        }
        const std::string login(valory::sdk::view(q->twitch_login));
        auto it = me->byLogin.find(login);
        if (it == me->byLogin.end()) {
            err->status = VALORY_ERR_NOT_FOUND;
            return VALORY_ERR_NOT_FOUND;
        }
        valory::sdk::writeTo(out, it->second.dump());
        return VALORY_OK;
    }
};

class ChatPluginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fake.byLogin["magicx"] = magicx();
        fake.byLogin["newbie"] = json{{"status", "ok"},
                                      {"rank_status", "placements"},
                                      {"riot_id", "Newbie#0001"},
                                      {"session", {{"wins", 1}, {"losses", 0}}}};
        fake.byLogin["cafecreme"] = json{{"status", "unlinked"}};
        vtable.struct_size = sizeof vtable;
        vtable.stats = &FakeOverlays::stats;
        host.provideService(VALORY_OVERLAYS_SERVICE, 1, 0, &vtable, &fake);
    }
    FakeOverlays fake;
    valory_overlays_api vtable{};
    FakeHost host;
};

TEST(ChatLine, TemplatesFillEveryPlaceholder) {
    chat::ChatTemplates t;
    EXPECT_EQ(chat::chatLine(t, "magicx", magicx()), "Immortal 1 · 41 RR · today 5W 2L");
    t.ranked = "{riot_id}: {tier} {rr}RR ({last_change}) {last_five} {winrate}% {unknown}";
    EXPECT_EQ(chat::chatLine(t, "magicx", magicx()), "MAGICX#1337: Immortal 1 41RR (-18) WLW 56% {unknown}");
    EXPECT_EQ(chat::render("a\r\nb{x}", json{{"x", "\x01z"}}, 400), "a  b z");
    EXPECT_EQ(chat::render("ééé", json::object(), 3), "é");  // never a cut UTF-8 sequence
    EXPECT_FALSE(chat::validLogin("a b"));
    EXPECT_FALSE(chat::validLogin(std::string(26, 'a')));
    EXPECT_TRUE(chat::validLogin("Nrk_Plays"));
}

TEST_F(ChatPluginTest, AnswersOneLineFromTheOverlaysService) {
    auto p = host.load(valory_plugin_entry_v1(), FakeHost::readFile(VALORY_TEST_MANIFEST));
    p.start();
    auto r = host.request("GET", "/api/chat/magicx");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(r.body, "Immortal 1 · 41 RR · today 5W 2L");
    EXPECT_EQ(host.request("GET", "/api/chat/newbie").body, "Newbie#0001 is unranked · today 1W 0L");
    EXPECT_EQ(host.request("GET", "/api/chat/cafecreme").body,
              "cafecreme has not linked a Riot ID on Valory yet.");
    EXPECT_EQ(host.request("GET", "/api/chat/ghost").body, "ghost has no Valory overlay.");
    const int before = fake.calls;
    auto bad = host.request("GET", "/api/chat/%3Cscript%3E");
    EXPECT_EQ(bad.status, 200);
    EXPECT_EQ(bad.body, "This user has no Valory overlay.");  // never echoes what is not a login
    EXPECT_EQ(fake.calls, before);
    fake.failWith = VALORY_ERR_UNAVAILABLE;
    auto down = host.request("GET", "/api/chat/magicx");
    EXPECT_EQ(down.status, 200);
    EXPECT_EQ(down.body, "Rank data for magicx is not available right now.");
}

TEST_F(ChatPluginTest, TemplatesComeFromTheSettings) {
    auto p = host.load(valory_plugin_entry_v1(), FakeHost::readFile(VALORY_TEST_MANIFEST),
                       R"({"ranked": "{login} is {tier} with {rr} RR", "unknown": "who is {login}?"})");
    p.start();
    EXPECT_EQ(host.request("GET", "/api/chat/magicx").body, "magicx is Immortal 1 with 41 RR");
    EXPECT_EQ(host.request("GET", "/api/chat/ghost").body, "who is ghost?");
}

}  // namespace
