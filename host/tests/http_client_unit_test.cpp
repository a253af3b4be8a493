// Unit tests of the pure parts of http.client/1: URL parsing, the retry policy, settings.
#include <gtest/gtest.h>

#include <chrono>

#include "http_client/http_client_service.hpp"
#include "http_client/retry_policy.hpp"
#include "http_client/url.hpp"
#include "valory/http_client.h"

using namespace std::chrono_literals;
using valory::host::HeaderList;
using valory::host::HttpClientSettings;
using valory::host::parseUrl;
using valory::host::RetryConfig;
using valory::host::RetryPolicy;

namespace {

std::chrono::system_clock::time_point epochSeconds(int64_t s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

}  // namespace

TEST(HttpClientUrl, ParsesSchemeHostPortTarget) {
    std::string why;
    auto u = parseUrl("HTTPS://Api.Twitch.TV/helix/users?login=a&login=b#frag", why);
    ASSERT_TRUE(u) << why;
    EXPECT_EQ(u->endpoint.scheme, "https");
    EXPECT_EQ(u->endpoint.host, "api.twitch.tv");
    EXPECT_EQ(u->endpoint.port, 443);
    EXPECT_EQ(u->target, "/helix/users?login=a&login=b");
    EXPECT_EQ(u->endpoint.key(), "https://api.twitch.tv:443");

    u = parseUrl("http://127.0.0.1:8080", why);
    ASSERT_TRUE(u) << why;
    EXPECT_EQ(u->endpoint.port, 8080);
    EXPECT_EQ(u->target, "/");

    u = parseUrl("http://[::1]:9/x", why);
    ASSERT_TRUE(u) << why;
    EXPECT_EQ(u->endpoint.host, "::1");
    EXPECT_EQ(u->endpoint.authority(), "[::1]:9");

    u = parseUrl("http://h?q=1", why);
    ASSERT_TRUE(u) << why;
    EXPECT_EQ(u->target, "/?q=1");
}

TEST(HttpClientUrl, KeepsTheTargetByteForByte) {
    std::string why;
    auto u = parseUrl("https://api.henrikdev.xyz/valorant/v1/account/Caf%C3%A9%20Noir/EUW%2F1?x=%2F", why);
    ASSERT_TRUE(u) << why;
    EXPECT_EQ(u->target, "/valorant/v1/account/Caf%C3%A9%20Noir/EUW%2F1?x=%2F");
}

TEST(HttpClientUrl, RejectsMalformed) {
    std::string why;
    EXPECT_FALSE(parseUrl("ftp://x/", why));
    EXPECT_NE(why.find("scheme"), std::string::npos) << why;
    EXPECT_FALSE(parseUrl("/relative", why));
    EXPECT_FALSE(parseUrl("http://user:pw@host/", why));
    EXPECT_FALSE(parseUrl("http:///path", why));
    EXPECT_FALSE(parseUrl("http://host:0/", why));
    EXPECT_FALSE(parseUrl("http://host:70000/", why));
    EXPECT_FALSE(parseUrl("http://host:12x/", why));
    EXPECT_FALSE(parseUrl("http://host/a b", why));
    EXPECT_FALSE(parseUrl("http://host/a\r\nX: y", why));
    EXPECT_FALSE(parseUrl("http://[::1/", why));
}

TEST(HttpClientRetryPolicy, OnlyIdempotentRequestsMayRetry) {
    EXPECT_TRUE(RetryPolicy::mayRetry("GET", 0));
    EXPECT_TRUE(RetryPolicy::mayRetry("HEAD", 0));
    EXPECT_TRUE(RetryPolicy::mayRetry("PUT", 0));
    EXPECT_TRUE(RetryPolicy::mayRetry("DELETE", 0));
    EXPECT_FALSE(RetryPolicy::mayRetry("POST", 0));
    EXPECT_FALSE(RetryPolicy::mayRetry("PATCH", 0));
    EXPECT_TRUE(RetryPolicy::mayRetry("POST", VALORY_HTTP_CLIENT_IDEMPOTENT));
    EXPECT_FALSE(RetryPolicy::mayRetry("GET", VALORY_HTTP_CLIENT_NO_RETRY));
    EXPECT_FALSE(RetryPolicy::mayRetry("POST", VALORY_HTTP_CLIENT_NO_RETRY | VALORY_HTTP_CLIENT_IDEMPOTENT));
}

TEST(HttpClientRetryPolicy, RetryableStatuses) {
    for (int s : {429, 500, 502, 503, 504}) EXPECT_TRUE(RetryPolicy::isRetryableStatus(s)) << s;
    for (int s : {200, 301, 304, 400, 401, 403, 404, 410, 501, 505})
        EXPECT_FALSE(RetryPolicy::isRetryableStatus(s)) << s;
}

TEST(HttpClientRetryPolicy, ServerWaitFromRetryAfterSeconds) {
    auto now = epochSeconds(1'700'000'000);
    EXPECT_EQ(RetryPolicy::serverWait({{"retry-after", " 7 "}}, now), 7000ms);
    EXPECT_EQ(RetryPolicy::serverWait({{"Retry-After", "0"}}, now), 0ms);
    EXPECT_FALSE(RetryPolicy::serverWait({{"Retry-After", "soon"}}, now));
    EXPECT_FALSE(RetryPolicy::serverWait({{"Retry-After", "-3"}}, now));
    EXPECT_FALSE(RetryPolicy::serverWait({}, now));
}

TEST(HttpClientRetryPolicy, ServerWaitFromRetryAfterHttpDate) {
    // Tue, 14 Nov 2023 22:13:20 GMT == 1700000000
    auto now = epochSeconds(1'700'000'000 - 30);
    auto w = RetryPolicy::serverWait({{"Retry-After", "Tue, 14 Nov 2023 22:13:20 GMT"}}, now);
    ASSERT_TRUE(w);
    EXPECT_EQ(*w, 30000ms);
    // A date in the past means "now".
    EXPECT_EQ(RetryPolicy::serverWait({{"Retry-After", "Tue, 14 Nov 2023 22:13:20 GMT"}},
                                      epochSeconds(1'800'000'000)),
              0ms);
}

TEST(HttpClientRetryPolicy, TwitchRatelimitResetCountsOnlyWhenTheBucketIsEmpty) {
    auto now = epochSeconds(1'700'000'000);
    HeaderList empty{
        {"Ratelimit-Limit", "800"}, {"Ratelimit-Remaining", "0"}, {"Ratelimit-Reset", "1700000012"}};
    EXPECT_EQ(RetryPolicy::serverWait(empty, now), 12000ms);
    HeaderList absent{{"Ratelimit-Reset", "1700000003"}};
    EXPECT_EQ(RetryPolicy::serverWait(absent, now), 3000ms);
    // Budget left: an endpoint-specific or false 429 — normal backoff, not the bucket reset.
    HeaderList left{{"Ratelimit-Remaining", "799"}, {"Ratelimit-Reset", "1700000050"}};
    EXPECT_FALSE(RetryPolicy::serverWait(left, now));
}

TEST(HttpClientRetryPolicy, HenrikResetAsDeltaOrEpoch) {
    auto now = epochSeconds(1'700'000'000);
    EXPECT_EQ(RetryPolicy::serverWait({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "42"}}, now),
              42000ms);
    EXPECT_EQ(RetryPolicy::serverWait({{"x-ratelimit-reset", "1700000005"}}, now), 5000ms);
    // The largest of several demands wins.
    EXPECT_EQ(RetryPolicy::serverWait({{"Retry-After", "2"}, {"x-ratelimit-reset", "9"}}, now), 9000ms);
}

TEST(HttpClientRetryPolicy, BackoffIsCappedExponentialWithJitter) {
    double r = 0.0;
    RetryPolicy p(RetryConfig{5, 100ms, 1000ms}, [&] { return r; });
    r = 0.0;
    EXPECT_EQ(p.backoff(1), 50ms);   // step 100 -> [50, 100)
    EXPECT_EQ(p.backoff(2), 100ms);  // step 200
    EXPECT_EQ(p.backoff(3), 200ms);  // step 400
    EXPECT_EQ(p.backoff(5), 500ms);  // step 1600 capped at 1000
    EXPECT_EQ(p.backoff(40), 500ms);
    r = 0.999;
    EXPECT_LT(p.backoff(1), 100ms);
    EXPECT_GE(p.backoff(1), 99ms);
    EXPECT_LE(p.backoff(9), 1000ms);
}

TEST(HttpClientRetryPolicy, DecideHonoursServerWaitAttemptsAndDeadline) {
    RetryPolicy p(RetryConfig{3, 100ms, 1000ms}, [] { return 0.0; });
    // Server wait is a floor.
    auto d = p.decide(true, 1, 3, 700ms, 5000ms);
    EXPECT_TRUE(d.retry);
    EXPECT_EQ(d.wait, 700ms);
    // Backoff when larger than the server's figure.
    d = p.decide(true, 1, 3, 10ms, 5000ms);
    EXPECT_TRUE(d.retry);
    EXPECT_EQ(d.wait, 50ms);
    // Wait beyond the deadline: stop at once and report the server's wait.
    d = p.decide(true, 1, 3, 30000ms, 2000ms);
    EXPECT_FALSE(d.retry);
    EXPECT_TRUE(d.beyondDeadline);
    EXPECT_EQ(d.wait, 30000ms);
    // Attempts used up.
    d = p.decide(true, 3, 3, 500ms, 5000ms);
    EXPECT_FALSE(d.retry);
    EXPECT_FALSE(d.beyondDeadline);
    EXPECT_EQ(d.wait, 500ms);
    // Not allowed (POST).
    d = p.decide(false, 1, 3, std::nullopt, 5000ms);
    EXPECT_FALSE(d.retry);
}

TEST(HttpClientSettings, DefaultsAndValidation) {
    auto s = HttpClientSettings::fromJson(nlohmann::json::object());
    EXPECT_EQ(s.maxConnections, 30u);
    EXPECT_EQ(s.maxConnectionsPerHost, 10u);
    EXPECT_EQ(s.maxAttempts, 3u);
    s = HttpClientSettings::fromJson({{"max_connections_per_host", 4}, {"ca_file", "/x"}});
    EXPECT_EQ(s.maxConnectionsPerHost, 4u);
    EXPECT_EQ(s.caFile, "/x");
    EXPECT_THROW(HttpClientSettings::fromJson({{"max_conections", 3}}), std::invalid_argument);
    EXPECT_THROW(HttpClientSettings::fromJson({{"max_attempts", 0}}), std::invalid_argument);
    EXPECT_THROW(HttpClientSettings::fromJson({{"max_attempts", "3"}}), std::invalid_argument);
    EXPECT_THROW(HttpClientSettings::fromJson({{"max_attempts", 2.5}}), std::invalid_argument);
    EXPECT_THROW(HttpClientSettings::fromJson({{"backoff_base_ms", 500}, {"backoff_cap_ms", 100}}),
                 std::invalid_argument);
    try {
        HttpClientSettings::fromJson({{"idle_timeout_ms", -1}});
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("idle_timeout_ms"), std::string::npos) << e.what();
    }
}
