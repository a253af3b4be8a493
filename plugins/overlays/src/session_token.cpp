#include "session_token.hpp"

#include <sys/random.h>

#include <Poco/JWT/JWTException.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Timestamp.h>

#include <cerrno>
#include <charconv>
#include <system_error>
#include <vector>

namespace valory::plugins::overlays {

SessionTokens::SessionTokens(std::string secret) : secret_(std::move(secret)) {}

std::string SessionTokens::sign(const SessionClaims& c) const {
    Poco::JWT::Token token;
    token.setType("JWT");
    token.setSubject(std::to_string(c.userId));
    token.setId(c.sessionId);
    token.payload().set("username", c.username);
    token.payload().set("twitch_id", c.twitchId);
    token.payload().set("type", std::string("access_token"));
    token.setIssuedAt(Poco::Timestamp());
    token.setExpiration(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(c.expiresAt)));
    Poco::JWT::Signer signer(secret_);
    return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

SessionClaims SessionTokens::verify(std::string_view text, std::chrono::system_clock::time_point now) const {
    if (text.empty()) throw TokenError("Token is missing in cookies");
    Poco::JWT::Signer signer(secret_);  // accepts HS256 only (Poco's default algorithm set)
    Poco::JWT::Token token;
    try {
        token = signer.verify(std::string(text));
    } catch (const Poco::Exception&) {
        throw TokenError("JWT decode error");
    } catch (const std::exception&) {
        throw TokenError("JWT decode error");
    }
    if (token.getAlgorithm() != Poco::JWT::Signer::ALGO_HS256) throw TokenError("JWT decode error");
    const Poco::Timestamp exp = token.getExpiration();
    const auto nowEpoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (exp.epochTime() == 0 || exp.epochTime() <= nowEpoch) throw TokenError("JWT token has expired");
    SessionClaims c;
    const std::string sub = token.getSubject();
    if (sub.empty()) throw TokenError("Token payload does not contain 'sub' field");
    auto res = std::from_chars(sub.data(), sub.data() + sub.size(), c.userId);
    if (res.ec != std::errc() || res.ptr != sub.data() + sub.size() || c.userId <= 0)
        throw TokenError("JWT decode error");
    c.sessionId = token.getId();
    if (!isUuid(c.sessionId)) throw TokenError("JWT decode error");
    c.username = token.payload().optValue<std::string>("username", "");
    c.twitchId = token.payload().optValue<std::string>("twitch_id", "");
    if (token.payload().optValue<std::string>("type", "") != "access_token")
        throw TokenError("JWT decode error");
    c.expiresAt = exp.epochTime();
    return c;
}

std::string randomToken(size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    size_t got = 0;
    while (got < bytes) {
        ssize_t n = ::getrandom(buf.data() + got, bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        got += static_cast<size_t>(n);
    }
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : buf) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 63u]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63u]);
    return out;
}

bool isUuid(std::string_view s) noexcept {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace valory::plugins::overlays
