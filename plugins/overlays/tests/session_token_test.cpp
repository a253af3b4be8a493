// Session tokens: HS256 signing and the refusals (forged, tampered, "none", expired, wrong key).
#include <gtest/gtest.h>

#include <Poco/Base64Encoder.h>

#include <set>
#include <sstream>

#include "session_token.hpp"

using namespace valory::plugins::overlays;
using namespace std::chrono;

namespace {

const std::string kSecret(48, 's');
const std::string kSid = "3f1c2b4a-9d7e-4c1a-8b2f-6e5d4c3b2a10";

SessionClaims claims(int64_t expOffset = 3600) {
    SessionClaims c;
    c.userId = 42;
    c.sessionId = kSid;
    c.username = "magicx";
    c.twitchId = "512345001";
    c.expiresAt = duration_cast<seconds>(system_clock::now().time_since_epoch()).count() + expOffset;
    return c;
}

std::string b64url(const std::string& s) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    enc.rdbuf()->setLineLength(0);
    enc << s;
    enc.close();
    return out.str();
}

std::string message(const SessionTokens& t, const std::string& token) {
    try {
        t.verify(token, system_clock::now());
    } catch (const TokenError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST(SessionToken, SignsAndVerifies) {
    SessionTokens t(kSecret);
    const std::string jwt = t.sign(claims());
    EXPECT_EQ(std::count(jwt.begin(), jwt.end(), '.'), 2);
    auto c = t.verify(jwt, system_clock::now());
    EXPECT_EQ(c.userId, 42);
    EXPECT_EQ(c.sessionId, kSid);
    EXPECT_EQ(c.username, "magicx");
    EXPECT_EQ(c.twitchId, "512345001");
}

TEST(SessionToken, ExpiredIsRefused) {
    SessionTokens t(kSecret);
    EXPECT_EQ(message(t, t.sign(claims(-5))), "JWT token has expired");
    const std::string jwt = t.sign(claims(60));
    EXPECT_THROW(t.verify(jwt, system_clock::now() + minutes(2)), TokenError);
}

TEST(SessionToken, OtherKeyTamperingAndGarbageAreRefused) {
    SessionTokens t(kSecret), other(std::string(48, 'o'));
    const std::string jwt = t.sign(claims());
    EXPECT_EQ(message(other, jwt), "JWT decode error");
    std::string tampered = jwt;
    tampered[jwt.find('.') + 3] ^= 1;
    EXPECT_EQ(message(t, tampered), "JWT decode error");
    EXPECT_EQ(message(t, "not-a-jwt"), "JWT decode error");
    EXPECT_EQ(message(t, "a.b.c"), "JWT decode error");
    EXPECT_EQ(message(t, ""), "Token is missing in cookies");
}

TEST(SessionToken, AlgNoneIsRefused) {
    SessionTokens t(kSecret);
    const std::string payload = R"({"sub":"42","jti":")" + kSid +
                                R"(","type":"access_token","exp":9999999999,"username":"x","twitch_id":"1"})";
    const std::string none = b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(payload) + ".";
    EXPECT_EQ(message(t, none), "JWT decode error");
}

TEST(SessionToken, RandomTokensAreDistinctAndUrlSafe) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto s = randomToken(32);
        EXPECT_EQ(s.size(), 43u);
        EXPECT_EQ(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        seen.insert(s);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(SessionToken, UuidShape) {
    EXPECT_TRUE(isUuid(kSid));
    EXPECT_TRUE(isUuid("3F1C2B4A-9D7E-4C1A-8B2F-6E5D4C3B2A10"));
    EXPECT_FALSE(isUuid("3f1c2b4a9d7e4c1a8b2f6e5d4c3b2a10"));
    EXPECT_FALSE(isUuid("3f1c2b4a-9d7e-4c1a-8b2f-6e5d4c3b2a1g"));
    EXPECT_FALSE(isUuid("../../etc/passwd-aaaaaaaaaaaaaaaaaaaaaa"));
}
