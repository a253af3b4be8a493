// Unit tests of the monitoring core: histogram maths, request series, exposition (checked by the
// strict parser), alert windows, readiness, access guard, access log, beacons, settings.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "access_guard.hpp"
#include "access_log.hpp"
#include "alert_engine.hpp"
#include "exposition.hpp"
#include "latency_histogram.hpp"
#include "monitor.hpp"
#include "prom_parser.hpp"
#include "request_metrics.hpp"
#include "settings.hpp"
#include "valory/cpp/strings.hpp"

using namespace valory::plugins::monitoring;
using valory::sdk::str;
namespace tp = valory::testing::prom;

namespace {

valory_request_finished_event requestEvent(const char* method, const char* route, int status,
                                           std::uint64_t us) {
    valory_request_finished_event ev{};
    ev.struct_size = sizeof ev;
    ev.method = valory_str_from(method);
    ev.route = valory_str_from(route);
    ev.status = status;
    ev.duration_us = us;
    ev.client_address = valory_str_from("10.0.0.7");
    ev.plugin_id = valory_str_from("fx");
    ev.request_id = valory_str_from("rid-1");
    return ev;
}

/// `payload` must outlive the event (string literals do).
valory_custom_event customEvent(const char* name, const char* payload) {
    valory_custom_event ev{};
    ev.struct_size = sizeof ev;
    ev.publisher = valory_str_from("overlays");
    ev.name = valory_str_from(name);
    ev.payload_json = valory_str_from(payload);
    return ev;
}

struct Logged {
    std::vector<std::pair<valory_log_level, std::string>> lines;
    Monitor::Log fn() {
        return [this](valory_log_level l, const std::string& m) { lines.emplace_back(l, m); };
    }
    int count(const std::string& needle) const {
        int n = 0;
        for (const auto& [l, m] : lines)
            if (m.find(needle) != std::string::npos) ++n;
        return n;
    }
};

}  // namespace

TEST(LatencyHistogram, BucketsAreLessOrEqualAndCumulative) {
    LatencyHistogram h({10, 100, 1000});
    for (std::uint64_t v : {1u, 10u, 11u, 100u, 500u, 1000u, 1001u, 99999u}) h.observe(v);
    const auto s = h.snapshot();
    ASSERT_EQ(s.cumulative.size(), 4u);
    EXPECT_EQ(s.cumulative[0], 2u);  // 1, 10
    EXPECT_EQ(s.cumulative[1], 4u);  // + 11, 100
    EXPECT_EQ(s.cumulative[2], 6u);  // + 500, 1000
    EXPECT_EQ(s.cumulative[3], 8u);  // + 1001, 99999 (+Inf)
    EXPECT_EQ(s.count, 8u);
    EXPECT_EQ(s.sumUs, 1u + 10 + 11 + 100 + 500 + 1000 + 1001 + 99999);
    EXPECT_EQ(s.maxUs, 99999u);
    EXPECT_DOUBLE_EQ(s.meanUs(), static_cast<double>(s.sumUs) / 8.0);
}

TEST(LatencyHistogram, QuantilesInterpolateInsideTheBucket) {
    LatencyHistogram h({100, 200, 400});
    // 10 observations in (0,100], 10 in (100,200], 0 in (200,400].
    for (int i = 0; i < 10; ++i) h.observe(50);
    for (int i = 0; i < 10; ++i) h.observe(150);
    const auto s = h.snapshot();
    EXPECT_DOUBLE_EQ(s.quantileUs(0.5), 100.0);   // rank 10 = end of the first bucket
    EXPECT_DOUBLE_EQ(s.quantileUs(0.25), 50.0);   // rank 5, halfway through (0,100]
    EXPECT_DOUBLE_EQ(s.quantileUs(0.75), 150.0);  // rank 15, halfway through (100,200]
    EXPECT_DOUBLE_EQ(s.quantileUs(1.0), 150.0);   // capped by the largest observation
    EXPECT_DOUBLE_EQ(s.quantileUs(0.0), 0.0);
}

TEST(LatencyHistogram, InfBucketYieldsTheMaximumAndEmptyIsZero) {
    LatencyHistogram h({100});
    EXPECT_DOUBLE_EQ(h.snapshot().quantileUs(0.99), 0.0);
    h.observe(10);
    h.observe(5000);
    h.observe(7000);
    EXPECT_DOUBLE_EQ(h.snapshot().quantileUs(0.99), 7000.0);
}

TEST(LatencyHistogram, RefusesBadBounds) {
    EXPECT_THROW(LatencyHistogram({}), std::invalid_argument);
    EXPECT_THROW(LatencyHistogram({0, 10}), std::invalid_argument);
    EXPECT_THROW(LatencyHistogram({10, 10}), std::invalid_argument);
    EXPECT_THROW(LatencyHistogram({20, 10}), std::invalid_argument);
}

TEST(RequestMetrics, SeriesPerMethodRouteAndStatusClass) {
    RequestMetrics m({1000, 10000});
    m.record("GET", "/a/{id}", 200, 500);
    m.record("GET", "/a/{id}", 204, 5000);
    m.record("GET", "/a/{id}", 503, 20000);
    m.record("BREW", "/a/{id}", 418, 1);
    m.record("POST", "/a/{id}", 200, 1);
    const auto s = m.snapshot();
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].method, "GET");
    EXPECT_EQ(s[0].statusClass, "2xx");
    EXPECT_EQ(s[0].latency.count, 2u);
    EXPECT_EQ(s[0].latency.maxUs, 5000u);
    EXPECT_EQ(s[1].statusClass, "5xx");
    EXPECT_EQ(s[2].method, "OTHER");  // unknown methods do not create label values
    EXPECT_EQ(m.requests(), 5u);
    EXPECT_EQ(m.errors(), 1u);
    EXPECT_EQ(RequestMetrics::statusClass(99), "other");
    EXPECT_EQ(RequestMetrics::statusClass(599), "5xx");
}

TEST(RequestMetrics, SeriesLimitDropsAndCounts) {
    RequestMetrics m({1000}, 2);
    m.record("GET", "/1", 200, 1);
    m.record("GET", "/2", 200, 1);
    m.record("GET", "/3", 200, 1);
    EXPECT_EQ(m.snapshot().size(), 2u);
    EXPECT_EQ(m.overflow(), 1u);
}

TEST(Exposition, EscapesAndFormats) {
    EXPECT_EQ(prom::escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(prom::escapeHelp("x\\y\nz\""), "x\\\\y\\nz\"");
    EXPECT_EQ(prom::formatValue(1.5), "1.5");
    EXPECT_EQ(prom::formatValue(42), "42");
    EXPECT_EQ(prom::formatValue(INFINITY), "+Inf");
    EXPECT_EQ(prom::formatValue(-INFINITY), "-Inf");
    EXPECT_EQ(prom::formatValue(NAN), "NaN");
    EXPECT_TRUE(prom::validMetricName("valory_x:y_total"));
    EXPECT_FALSE(prom::validMetricName("9x"));
    EXPECT_FALSE(prom::validLabelName("__name"));
    EXPECT_FALSE(prom::validLabelName("a:b"));
}

TEST(Exposition, TheWholePageParsesStrictly) {
    Logged log;
    Settings s = Settings::fromJson(nlohmann::json::object());
    Monitor m(s, log.fn());
    auto e1 = requestEvent("GET", "/api/overlay/{id}", 200, 1234);
    auto e2 = requestEvent("GET", "/weird \"route\"\\\n", 500, 20);
    m.onRequest(e1);
    m.onRequest(e2);
    auto beacon = customEvent("overlays.frontend_load",
                              R"({"overlay_id":"o1","first_render_ms":1200,"poll_failures":2})");
    m.onCustom(beacon);

    VisitedFamilies visited;
    std::vector<valory_str> names = {valory_str_from("pool")}, values = {valory_str_from("primary")};
    double bounds[] = {0.1, 1};
    std::uint64_t counts[] = {1, 2, 3};
    valory_metric_sample hs{};
    hs.struct_size = sizeof hs;
    hs.family = valory_str_from("valory_sql_query_duration_seconds");
    hs.help = valory_str_from("SQL time");
    hs.kind = VALORY_METRIC_HISTOGRAM;
    hs.label_names = names.data();
    hs.label_values = values.data();
    hs.label_count = 1;
    hs.value = 2.5;
    hs.count = 3;
    hs.buckets = bounds;
    hs.bucket_counts = counts;
    hs.bucket_count = 2;
    hs.owner = valory_str_from("persistence");
    collectSample(visited, hs);
    valory_metric_sample dup = hs;  // a plugin family named like ours is left out
    dup.family = valory_str_from("valory_http_requests_total");
    dup.kind = VALORY_METRIC_COUNTER;
    collectSample(visited, dup);

    const std::string page = m.exposition(visited, {{"version", "1.2.3"}, {"instance", "abc"}});
    const auto parsed = tp::parse(page);
    EXPECT_TRUE(parsed.problems.empty()) << ::testing::PrintToString(parsed.problems) << "\n" << page;
    EXPECT_EQ(
        parsed.value("valory_http_requests_total", {{"route", "/api/overlay/{id}"}, {"status_class", "2xx"}}),
        1);
    EXPECT_EQ(parsed.value("valory_http_requests_total", {{"route", "/weird \"route\"\\\n"}}), 1);
    EXPECT_EQ(parsed.value("valory_http_request_duration_seconds_bucket",
                           {{"route", "/api/overlay/{id}"}, {"le", "0.0025"}}),
              1);
    EXPECT_EQ(parsed.value("valory_http_request_duration_seconds_bucket",
                           {{"route", "/api/overlay/{id}"}, {"le", "0.001"}}),
              0);
    EXPECT_DOUBLE_EQ(
        parsed.value("valory_http_request_duration_max_seconds", {{"route", "/api/overlay/{id}"}}), 0.001234);
    EXPECT_EQ(parsed.value("valory_http_request_errors_total", {{"route", "/weird \"route\"\\\n"}}), 1);
    EXPECT_EQ(parsed.value("valory_frontend_load_seconds_count"), 1);
    EXPECT_DOUBLE_EQ(parsed.value("valory_frontend_load_seconds_sum"), 1.2);
    EXPECT_EQ(parsed.value("valory_frontend_poll_failures_total"), 2);
    EXPECT_EQ(parsed.value("valory_sql_query_duration_seconds_count", {{"pool", "primary"}}), 3);
    EXPECT_EQ(parsed.value("valory_build_info", {{"version", "1.2.3"}}), 1);
    const auto* own = parsed.family("valory_http_requests_total");
    ASSERT_NE(own, nullptr);
    EXPECT_EQ(own->samples.size(), 2u) << "the visited family of the same name must not be merged in";
}

TEST(StrictParser, CatchesBrokenPages) {
    EXPECT_FALSE(tp::parse("x 1\n").problems.empty()) << "sample without TYPE/HELP";
    EXPECT_FALSE(tp::parse("# HELP a h\n# TYPE a counter\na{l=\"\\q\"} 1\n").problems.empty());
    EXPECT_FALSE(tp::parse("# HELP a h\n# TYPE a counter\na 1\na 2\n").problems.empty());
    EXPECT_FALSE(tp::parse("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                           "h_sum 1\nh_count 1\n")
                     .problems.empty());
    EXPECT_TRUE(tp::parse("# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                          "h_sum 1\nh_count 2\n")
                    .problems.empty());
}

TEST(Monitor, SlowRequestsWarnWithTheirContext) {
    Logged log;
    Settings s = Settings::fromJson({{"slow_request_ms", 100}});
    Monitor m(s, log.fn());
    auto fast = requestEvent("GET", "/fast", 200, 99000);
    auto slow = requestEvent("POST", "/slow/{id}", 201, 150000);
    m.onRequest(fast);
    m.onRequest(slow);
    ASSERT_EQ(log.lines.size(), 1u);
    EXPECT_EQ(log.lines[0].first, VALORY_LOG_WARNING);
    const std::string& line = log.lines[0].second;
    for (const char* part : {"POST", "/slow/{id}", "201", "150 ms", "10.0.0.7", "rid-1"})
        EXPECT_NE(line.find(part), std::string::npos) << part << " missing in: " << line;
    EXPECT_EQ(m.slowRequests(), 1u);
}

TEST(Monitor, BeaconsAreValidated) {
    Logged log;
    Monitor m(Settings::fromJson(nlohmann::json::object()), log.fn());
    for (const char* bad :
         {"not json", "[]", R"({"first_render_ms":"fast"})", R"({"first_render_ms":-1})",
          R"({"first_render_ms":10,"poll_failures":-2})", R"({"first_render_ms":10,"overlay_id":5})"}) {
        auto ev = customEvent("overlays.frontend_load", bad);
        m.onCustom(ev);
    }
    auto other = customEvent("overlays.user_linked", R"({"first_render_ms":10})");
    m.onCustom(other);
    EXPECT_EQ(m.frontend().count, 0u);
    auto good = customEvent("overlays.frontend_load",
                            R"({"overlay_id":"x","first_render_ms":3500,"poll_failures":0})");
    m.onCustom(good);
    EXPECT_EQ(m.frontend().count, 1u);
    EXPECT_EQ(m.frontend().sumUs, 3500000u);
    const auto page = tp::parse(m.exposition({}, {}));
    EXPECT_EQ(page.value("valory_frontend_beacons_rejected_total"), 6);
}

TEST(AlertEngine, FiresAndResolvesOnceOverTheWindow) {
    AlertRule rule{"ApiErrorRateHigh",
                   "http_errors",
                   "errors",
                   AlertRule::Fires::Above,
                   0.05,
                   std::chrono::seconds(10),
                   20,
                   "ratio"};
    AlertEngine e({rule});
    const auto t0 = AlertEngine::Clock::time_point{} + std::chrono::hours(1);
    auto at = [&](int s) { return t0 + std::chrono::seconds(s); };
    EXPECT_TRUE(e.evaluate(at(0), {{"http_errors", {0, 0}}}).empty());
    EXPECT_TRUE(e.evaluate(at(1), {{"http_errors", {5, 10}}}).empty()) << "10 requests: below min_events";
    auto fired = e.evaluate(at(2), {{"http_errors", {10, 40}}});
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_TRUE(fired[0].firing);
    EXPECT_DOUBLE_EQ(*fired[0].value, 0.25);
    EXPECT_NE(fired[0].message.find("FIRING"), std::string::npos);
    for (int s = 3; s < 12; ++s)
        EXPECT_TRUE(e.evaluate(at(s), {{"http_errors", {10, 40.0 + s}}}).empty()) << s;
    EXPECT_EQ(e.firing(), std::vector<std::string>{"ApiErrorRateHigh"});
    // Traffic goes on without errors: once the burst leaves the window, the rate falls below 5 %.
    std::vector<AlertTransition> resolved;
    for (int s = 12; s < 30 && resolved.empty(); ++s)
        resolved = e.evaluate(at(s), {{"http_errors", {10, 40.0 + 100 * s}}});
    ASSERT_EQ(resolved.size(), 1u);
    EXPECT_FALSE(resolved[0].firing);
    EXPECT_TRUE(e.firing().empty());
    EXPECT_EQ(e.list()[0]["state"], "ok");
}

TEST(AlertEngine, EventsBeforeTheFirstTickCount) {
    // Regression: the first reading used to become the window's baseline, so a burst that happened
    // before the first evaluation never fired.
    AlertRule rule{"ApiErrorRateHigh",
                   "http_errors",
                   "errors",
                   AlertRule::Fires::Above,
                   0.05,
                   std::chrono::seconds(10),
                   20,
                   "ratio"};
    AlertEngine e({rule});
    const auto t0 = AlertEngine::Clock::time_point{} + std::chrono::hours(1);
    auto fired = e.evaluate(t0, {{"http_errors", {30, 30}}});
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_TRUE(fired[0].firing);
}

TEST(AlertEngine, BelowRulesAndMissingDataAndResets) {
    AlertRule rule{"CacheHitRateLow",       "cache_hits", "hits", AlertRule::Fires::Below, 0.6,
                   std::chrono::seconds(5), 10,           "ratio"};
    AlertEngine e({rule});
    const auto t0 = AlertEngine::Clock::time_point{} + std::chrono::hours(1);
    EXPECT_TRUE(e.evaluate(t0, {}).empty());
    EXPECT_TRUE(e.evaluate(t0 + std::chrono::seconds(1), {{"cache_hits", {0, 0}}}).empty());
    auto f = e.evaluate(t0 + std::chrono::seconds(2), {{"cache_hits", {5, 50}}});
    ASSERT_EQ(f.size(), 1u);
    EXPECT_TRUE(f[0].firing);
    // The source restarted (totals went down): the window starts afresh, not enough data: resolved.
    auto r = e.evaluate(t0 + std::chrono::seconds(3), {{"cache_hits", {1, 2}}});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].firing);
    EXPECT_NE(r[0].message.find("not enough data"), std::string::npos);
}

TEST(Monitor, AlertTransitionsAreLoggedOnceEach) {
    Logged log;
    Monitor m(Settings::fromJson({{"alert_window_s", 2}, {"alert_min_requests", 5}}), log.fn());
    const auto t0 = AlertEngine::Clock::now();
    m.evaluate(t0, {});
    for (int i = 0; i < 10; ++i) {
        auto ev = requestEvent("GET", "/x", 500, 10);
        m.onRequest(ev);
    }
    for (int i = 1; i <= 5; ++i) m.evaluate(t0 + std::chrono::milliseconds(200 * i), {});
    EXPECT_EQ(log.count("alert FIRING: ApiErrorRateHigh"), 1);
    for (int i = 6; i <= 30; ++i) m.evaluate(t0 + std::chrono::milliseconds(200 * i), {});
    EXPECT_EQ(log.count("alert resolved: ApiErrorRateHigh"), 1);
    EXPECT_EQ(log.count("alert FIRING"), 1);
}

TEST(Monitor, CacheAndSqlReadingsComeFromVisitedFamilies) {
    Logged log;
    Monitor m(Settings::fromJson(nlohmann::json::object()), log.fn());
    VisitedFamilies v;
    auto counter = [&](const char* l1, const char* l2, double value) {
        valory_str names[] = {valory_str_from("level"), valory_str_from("result")};
        valory_str values[] = {valory_str_from(l1), valory_str_from(l2)};
        valory_metric_sample s{};
        s.struct_size = sizeof s;
        s.family = valory_str_from("valory_cache_requests_total");
        s.kind = VALORY_METRIC_COUNTER;
        s.label_names = names;
        s.label_values = values;
        s.label_count = 2;
        s.value = value;
        collectSample(v, s);
    };
    counter("l1", "hit", 30);
    counter("l1", "miss", 70);
    counter("l2", "hit", 10);
    counter("l2", "miss", 60);
    const auto r = m.readings(v);
    ASSERT_TRUE(r.count("cache_hits"));
    EXPECT_DOUBLE_EQ(r.at("cache_hits").numerator, 40);
    EXPECT_DOUBLE_EQ(r.at("cache_hits").denominator, 100);
    EXPECT_FALSE(r.count("sql_seconds")) << "no SQL family: no data";

    double bounds[] = {0.1, 1};
    std::uint64_t counts[] = {1, 3, 4};
    valory_str names[] = {valory_str_from("outcome")};
    for (const char* outcome : {"ok", "error"}) {
        valory_str values[] = {valory_str_from(outcome)};
        valory_metric_sample h{};
        h.struct_size = sizeof h;
        h.family = valory_str_from("valory_sql_query_duration_seconds");
        h.kind = VALORY_METRIC_HISTOGRAM;
        h.label_names = names;
        h.label_values = values;
        h.label_count = 1;
        h.value = 2.0;  // sum of seconds
        h.count = 4;
        h.buckets = bounds;
        h.bucket_counts = counts;
        h.bucket_count = 2;
        collectSample(v, h);
    }
    const auto r2 = m.readings(v);
    ASSERT_TRUE(r2.count("sql_seconds"));
    EXPECT_DOUBLE_EQ(r2.at("sql_seconds").numerator, 4.0);
    EXPECT_DOUBLE_EQ(r2.at("sql_seconds").denominator, 8.0);
    // Mean 0.5 s is not above the 500 ms default; one slow second more is.
    AlertEngine e(Settings::fromJson(nlohmann::json::object()).rules);
    const auto t0 = AlertEngine::Clock::time_point{} + std::chrono::hours(1);
    const std::map<std::string, Reading> sql = {{"sql_seconds", r2.at("sql_seconds")}};
    EXPECT_TRUE(e.evaluate(t0, sql).empty());
    auto slow = sql;
    slow["sql_seconds"] = {4.0 + 10.0, 8.0 + 2.0};
    auto fired = e.evaluate(t0 + std::chrono::seconds(1), slow);
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0].rule, "DatabaseSlow");
}

TEST(Monitor, ReadinessFromTheHealthReport) {
    auto report = nlohmann::json::parse(R"([
        {"id":"persistence","state":"started","optional":false,"health":"ok","detail":{"database":"up"}},
        {"id":"cache","state":"started","optional":false,"health":"ok"},
        {"id":"twitch","state":"refused","optional":true,"health":"none","reason":"skipped"},
        {"id":"monitoring","state":"started","optional":false,"health":"none"}])");
    auto [code, body] = Monitor::readiness(report);
    EXPECT_EQ(code, 200);
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["plugins"][2]["verdict"], "absent");
    report[1]["health"] = "degraded";
    std::tie(code, body) = Monitor::readiness(report);
    EXPECT_EQ(code, 503);
    EXPECT_EQ(body["status"], "degraded");
    report[0]["health"] = "failed";
    std::tie(code, body) = Monitor::readiness(report);
    EXPECT_EQ(body["status"], "failed");
    EXPECT_EQ(Monitor::readiness(nullptr).first, 503);
}

TEST(AccessGuard, AddressTokenAndConstantTimeCompare) {
    EXPECT_TRUE(AccessGuard::constantTimeEquals("secret", "secret"));
    EXPECT_FALSE(AccessGuard::constantTimeEquals("secret", "secreT"));
    EXPECT_FALSE(AccessGuard::constantTimeEquals("secret", "secret1"));
    EXPECT_FALSE(AccessGuard::constantTimeEquals("", "x"));
    using V = AccessGuard::Verdict;
    AccessGuard byAddress(Settings::fromJson({{"protect", "address"}}));
    EXPECT_EQ(byAddress.check("127.0.0.1", std::nullopt), V::Allowed);
    EXPECT_EQ(byAddress.check("10.1.1.1", std::nullopt), V::Forbidden);
    AccessGuard byToken(Settings::fromJson({{"protect", "token"}, {"admin_token", "s3cr3t"}}));
    EXPECT_EQ(byToken.check("127.0.0.1", std::nullopt), V::NoCredentials);
    EXPECT_EQ(byToken.check("127.0.0.1", std::string_view("Bearer nope")), V::Forbidden);
    EXPECT_EQ(byToken.check("10.1.1.1", std::string_view("Bearer s3cr3t")), V::Allowed);
    EXPECT_EQ(byToken.check("10.1.1.1", std::string_view("Basic s3cr3t")), V::NoCredentials);
    AccessGuard either(Settings::fromJson(
        {{"protect", "token_or_address"}, {"admin_token", "t"}, {"allowed_addresses", {"10.9.9.9"}}}));
    EXPECT_EQ(either.check("10.9.9.9", std::nullopt), V::Allowed);
    EXPECT_EQ(either.check("127.0.0.1", std::nullopt), V::NoCredentials);
    EXPECT_EQ(AccessGuard(Settings::fromJson({{"protect", "none"}})).check("1.2.3.4", std::nullopt),
              V::Allowed);
}

TEST(Settings, RefusesBadValuesWithTheKey) {
    auto msg = [](const nlohmann::json& j) {
        try {
            Settings::fromJson(j);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(msg({{"protect", "token"}}).find("admin_token"), std::string::npos);
    EXPECT_NE(msg({{"protect", "maybe"}}).find("protect"), std::string::npos);
    EXPECT_NE(msg({{"buckets_us", {10, 5}}}).find("buckets_us"), std::string::npos);
    EXPECT_NE(msg({{"webhook_url", "ftp://x"}}).find("webhook_url"), std::string::npos);
    EXPECT_NE(msg({{"api_error_rate_max", 2}}).find("api_error_rate_max"), std::string::npos);
    const Settings d = Settings::fromJson(nlohmann::json::object());
    EXPECT_EQ(d.slowRequestUs, 1000000u);
    ASSERT_EQ(d.rules.size(), 4u);
    EXPECT_DOUBLE_EQ(d.rules[0].threshold, 0.05);
    EXPECT_DOUBLE_EQ(d.rules[1].threshold, 0.6);
    EXPECT_DOUBLE_EQ(d.rules[2].threshold, 0.5);
    EXPECT_DOUBLE_EQ(d.rules[3].threshold, 3.0);
}

TEST(AccessLog, LinesCarryTemplatesAndNoSecrets) {
    auto ev = requestEvent("GET", "/api/overlay/{id}", 200, 321);
    const std::string line = AccessLog::line(ev, 1700000000123LL);
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["ts"], "2023-11-14T22:13:20.123Z");
    EXPECT_EQ(j["route"], "/api/overlay/{id}");
    EXPECT_EQ(j["duration_us"], 321);
    EXPECT_EQ(j["request_id"], "rid-1");
    EXPECT_FALSE(j.contains("path"));
    EXPECT_FALSE(j.contains("query"));
    EXPECT_FALSE(j.contains("headers"));
    std::string badUtf8 = "id\xff";
    ev.request_id = str(badUtf8);
    EXPECT_NO_THROW(nlohmann::json::parse(AccessLog::line(ev, 0)));
}
