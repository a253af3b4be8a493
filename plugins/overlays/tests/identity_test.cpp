#include <gtest/gtest.h>

#include "identity.hpp"

using namespace valory::plugins::overlays;

TEST(RiotIdFormat, UnicodeAndSpacesAreAccepted) {
    auto a = parseRiotId("  Café Crème#ÉTÉ ");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->name, "Café Crème");
    EXPECT_EQ(a->tag, "ÉTÉ");
    EXPECT_TRUE(parseRiotId("MAGICX#1337"));
    EXPECT_TRUE(parseRiotId("Nrk#sun"));
    EXPECT_TRUE(parseRiotId("ドラゴン 王#JP1"));
    EXPECT_FALSE(parseRiotId("Ab#c#TAG"));  // the last # splits; "Ab#c" is no name
}

TEST(RiotIdFormat, MalformedIsRefused) {
    EXPECT_FALSE(parseRiotId("MAGICX"));
    EXPECT_FALSE(parseRiotId("MAGICX#"));
    EXPECT_FALSE(parseRiotId("#1337"));
    EXPECT_FALSE(parseRiotId("ab#1337"));                // name too short
    EXPECT_FALSE(parseRiotId("abcdefghijklmnopq#TAG"));  // 17
    EXPECT_FALSE(parseRiotId("Name#TAGTAG"));            // tag too long
    EXPECT_FALSE(parseRiotId("Name#T1"));
    EXPECT_FALSE(parseRiotId("Two  Spaces#TAG"));
    EXPECT_FALSE(parseRiotId("Dot.Name#TAG"));
    EXPECT_FALSE(parseRiotId("Name#TA G"));
    EXPECT_FALSE(parseRiotId("../..#TAG"));
    EXPECT_FALSE(parseRiotId("Bad\xC3#TAG"));       // cut UTF-8
    EXPECT_FALSE(parseRiotId("Bad\xC0\xAFx#TAG"));  // overlong
}

TEST(HdevKey, Format) {
    EXPECT_TRUE(isHdevKeyFormat("HDEV-0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
    EXPECT_TRUE(isHdevKeyFormat("HDEV-00000000-0000-4000-8000-00000000demo"));
    EXPECT_FALSE(isHdevKeyFormat("HDEV-0a1b2c3d-4e5f-6789-abcd-ef012345678"));
    EXPECT_FALSE(isHdevKeyFormat("hdev-0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
    EXPECT_FALSE(isHdevKeyFormat("HDEV-0a1b2c3d-4e5f-6789-abcd-ef0123456789x"));
    EXPECT_FALSE(isHdevKeyFormat("HDEV-0a1b2c3d_4e5f-6789-abcd-ef0123456789"));
    EXPECT_FALSE(isHdevKeyFormat(""));
}

TEST(HdevKey, MaskShowsOnlyTheLastFour) {
    const std::string key = "HDEV-0a1b2c3d-4e5f-6789-abcd-ef0123456789";
    const std::string m = maskKey(key);
    EXPECT_EQ(m, "HDEV-…6789");
    EXPECT_EQ(m.find("0a1b2c3d"), std::string::npos);
}
