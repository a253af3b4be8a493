// http.client/1 against real HTTP(S) servers on loopback (port 0). Calls go through the C vtable, as
// a plugin's would. TLS uses the CA and certificates of the `certs` fixture (VALORY_CERTS_DIR).
#include <gtest/gtest.h>

#include <Poco/DeflatingStream.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/String.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "http_client/http_client_service.hpp"
#include "metrics_registry.hpp"
#include "test_server.hpp"
#include "valory/cpp/http_client.hpp"
#include "valory/http_client.h"

using namespace std::chrono_literals;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using valory::host::HttpClientService;
using valory::test::RawTcpServer;
using valory::test::SeenRequest;
using valory::test::TestHttpServer;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Call {
    valory_status status = VALORY_OK;
    int64_t detail = 0;
    std::string message;
    bool hasResponse = false;
    int http = 0;
    Headers headers;
    std::string body;
    valory_http_client_stats stats{};

    std::string header(const std::string& name) const {
        for (const auto& [k, v] : headers)
            if (Poco::icompare(k, name) == 0) return v;
        return {};
    }
};

struct CallArgs {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    uint64_t deadlineMs = 5000;
    uint32_t flags = 0;
    uint32_t maxAttempts = 0;
};

Call perform(HttpClientService& svc, const CallArgs& a) {
    const auto* vt = static_cast<const valory_http_client_api*>(svc.vtable());
    std::vector<valory_kv> kv;
    for (const auto& [k, v] : a.headers) kv.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    valory_http_client_request req{};
    req.struct_size = sizeof req;
    req.method = {a.method.data(), a.method.size()};
    req.url = {a.url.data(), a.url.size()};
    req.headers = kv.empty() ? nullptr : kv.data();
    req.header_count = kv.size();
    req.body = {a.body.data(), a.body.size()};
    req.deadline_ms = a.deadlineMs;
    req.flags = a.flags;
    req.max_attempts = a.maxAttempts;

    Call c;
    c.stats.struct_size = sizeof c.stats;
    valory_error err;
    valory_error_init(&err);
    valory_http_client_response* resp = nullptr;
    c.status = vt->perform(svc.self(), &req, &resp, &c.stats, &err);
    c.detail = err.detail;
    c.message = err.message;
    if (resp) {
        c.hasResponse = true;
        c.http = vt->response_status(svc.self(), resp);
        const valory_kv* hs = nullptr;
        std::size_t n = vt->response_headers(svc.self(), resp, &hs);
        for (std::size_t i = 0; i < n; ++i)
            c.headers.emplace_back(std::string(hs[i].key.data, hs[i].key.size),
                                   std::string(hs[i].value.data, hs[i].value.size));
        valory_str b = vt->response_body(svc.self(), resp);
        if (b.size) c.body.assign(b.data, b.size);
        vt->response_release(svc.self(), resp);
    }
    return c;
}

Call get(HttpClientService& svc, const std::string& url, uint64_t deadlineMs = 5000) {
    CallArgs a;
    a.url = url;
    a.deadlineMs = deadlineMs;
    return perform(svc, a);
}

std::string statusText(const Call& c) {
    return std::string(valory::sdk::statusName(c.status)) + " (" + c.message + ")";
}

void ok(HTTPServerResponse& resp, const std::string& body = "ok", const std::string& type = "text/plain") {
    resp.setContentType(type);
    resp.setContentLength(static_cast<std::streamsize>(body.size()));
    resp.send() << body;
}

std::string gzip(const std::string& s, Poco::DeflatingStreamBuf::StreamType type) {
    std::ostringstream out;
    {
        Poco::DeflatingOutputStream z(out, type);
        z << s;
        z.close();
    }
    return out.str();
}

std::string bigJson() {
    std::string s = "[";
    for (int i = 0; i < 2000; ++i)
        s += std::string(i ? "," : "") + "{\"id\":" + std::to_string(i) + ",\"name\":\"player\"}";
    return s + "]";
}

// --- TLS: once per test binary (Poco's SSLManager is per process) --------------------------------

std::string certsDir() {
    const char* d = std::getenv("VALORY_CERTS_DIR");
    return d ? d : "";
}

::testing::AssertionResult ensureTls() {
    static std::once_flag once;
    static std::string error;
    std::call_once(once, [] {
        std::string dir = certsDir();
        if (dir.empty() || !std::ifstream(dir + "/ca.pem").good()) {
            error = "VALORY_CERTS_DIR is not set or has no ca.pem: run through ctest (fixture `certs`)";
            return;
        }
        try {
            HttpClientService::initializeTls({{"ca_file", dir + "/ca.pem"}});
        } catch (const std::exception& e) {
            error = std::string("initializeTls failed: ") + e.what();
        }
    });
    if (!error.empty()) return ::testing::AssertionFailure() << error;
    return ::testing::AssertionSuccess();
}

Poco::Net::Context::Ptr serverContext(const std::string& name) {
    std::string dir = certsDir();
    return new Poco::Net::Context(Poco::Net::Context::SERVER_USE, dir + "/" + name + ".key",
                                  dir + "/" + name + ".pem", "", Poco::Net::Context::VERIFY_NONE);
}

nlohmann::json fastSettings() {
    return {{"backoff_base_ms", 100}, {"backoff_cap_ms", 1000}, {"connect_timeout_ms", 2000}};
}

}  // namespace

// --- keep-alive and pools ---------------------------------------------------------------------------

TEST(HttpClient, KeepAliveReusesConnections) {
    TestHttpServer server(
        [](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp, "{\"n\":1}"); });
    HttpClientService svc(nlohmann::json::object());
    uint32_t reused = 0, opened = 0;
    for (int i = 0; i < 1000; ++i) {
        Call c = get(svc, server.url("/helix/users?id=" + std::to_string(i)));
        ASSERT_EQ(c.status, VALORY_OK) << statusText(c);
        ASSERT_EQ(c.http, 200);
        reused += c.stats.connections_reused;
        opened += c.stats.connections_opened;
    }
    std::cout << "[metric] connections opened per 1000 sequential requests to one host: "
              << server.connections() << " (client view: opened " << opened << ", reused " << reused << ")\n";
    EXPECT_EQ(server.requests(), 1000);
    EXPECT_LE(server.connections(), 10);
    EXPECT_GE(reused, 990u);
    auto m = svc.metricsSnapshot();
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].upstream, "http://127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(m[0].calls, 1000u);
    EXPECT_EQ(m[0].requests, 1000u);
    EXPECT_EQ(m[0].errors, 0u);
    EXPECT_EQ(m[0].latencyCount, 1000u);
}

TEST(HttpClient, ConcurrentCallersRespectThePerHostLimit) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        std::this_thread::sleep_for(20ms);
        ok(resp);
    });
    HttpClientService svc(nlohmann::json{{"max_connections_per_host", 3}});
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 12; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i) {
                Call c = get(svc, server.url("/x"), 20000);
                if (c.status != VALORY_OK || c.http != 200) ++failures;
            }
        });
    }
    for (auto& t : threads) t.join();
    std::cout << "[metric] 12 threads x 10 requests, per-host limit 3: server connections "
              << server.connections() << ", max in flight " << server.maxInFlight() << ", pool waits "
              << svc.poolStats().waits << "\n";
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(server.requests(), 120);
    EXPECT_LE(server.maxInFlight(), 3);
    EXPECT_LE(server.connections(), 3);
    EXPECT_GT(svc.poolStats().waits, 0u);
    EXPECT_GT(svc.metricsSnapshot().at(0).poolWaits, 0u);
}

TEST(HttpClient, PoolWaitIsBoundedByTheDeadline) {
    // One connection per host: hold it with a request the server does not answer yet.
    std::atomic<bool> release{false};
    TestHttpServer gate([&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(10ms);
        ok(resp);
    });
    HttpClientService svc(nlohmann::json{{"max_connections_per_host", 1}});
    Call first;
    std::thread t([&] { first = get(svc, gate.url("/hold"), 10000); });
    for (int i = 0; i < 1000 && gate.requests() == 0; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(gate.requests(), 1);

    Call second = get(svc, gate.url("/second"), 300);
    EXPECT_EQ(second.status, VALORY_ERR_TIMEOUT) << statusText(second);
    EXPECT_NE(second.message.find("no free connection"), std::string::npos) << second.message;
    EXPECT_GE(second.stats.pool_wait_ms, 250u);
    EXPECT_EQ(gate.requests(), 1);  // never sent

    release = true;
    t.join();
    EXPECT_EQ(first.status, VALORY_OK) << statusText(first);
}

TEST(HttpClient, TotalLimitEvictsIdleConnectionsOfOtherHosts) {
    TestHttpServer a([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp, "a"); });
    TestHttpServer b([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp, "b"); });
    HttpClientService svc(nlohmann::json{{"max_connections", 1}, {"max_connections_per_host", 1}});
    Call ca = get(svc, a.url("/"), 2000);
    ASSERT_EQ(ca.status, VALORY_OK) << statusText(ca);
    Call cb = get(svc, b.url("/"), 2000);  // needs a's idle connection closed first
    ASSERT_EQ(cb.status, VALORY_OK) << statusText(cb);
    EXPECT_EQ(cb.body, "b");
    EXPECT_EQ(cb.stats.pool_wait_ms, 0u);
    auto st = svc.poolStats();
    EXPECT_EQ(st.open, 1u);
    EXPECT_GE(st.closedIdle, 1u);
}

TEST(HttpClient, IdleConnectionsExpire) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp); });
    HttpClientService svc(nlohmann::json{{"idle_timeout_ms", 100}});
    ASSERT_EQ(get(svc, server.url("/1")).status, VALORY_OK);
    Call again = get(svc, server.url("/2"));
    ASSERT_EQ(again.status, VALORY_OK);
    EXPECT_EQ(again.stats.connections_reused, 1u);
    std::this_thread::sleep_for(400ms);
    Call late = get(svc, server.url("/3"));
    ASSERT_EQ(late.status, VALORY_OK);
    EXPECT_EQ(late.stats.connections_opened, 1u);
    EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, ConnectionClosedByThePeerIsNotReused) {
    // Claims keep-alive, then closes: the pool must notice and open a new connection each time.
    RawTcpServer raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    HttpClientService svc(fastSettings());
    for (int i = 0; i < 3; ++i) {
        Call c = get(svc, raw.url("/"));
        ASSERT_EQ(c.status, VALORY_OK) << i << ": " << statusText(c);
        EXPECT_EQ(c.body, "ok");
        std::this_thread::sleep_for(50ms);  // let the close arrive
    }
    EXPECT_EQ(raw.connections(), 3);
}

// --- bodies and headers -----------------------------------------------------------------------------

TEST(HttpClient, GzipAndDeflateBodiesAreDecoded) {
    const std::string json = bigJson();
    TestHttpServer server([&](HTTPServerRequest& req, HTTPServerResponse& resp, const SeenRequest& seen) {
        std::string body = json;
        if (req.getURI() == "/gzip") {
            body = gzip(json, Poco::DeflatingStreamBuf::STREAM_GZIP);
            resp.set("Content-Encoding", "gzip");
        } else if (req.getURI() == "/deflate") {
            body = gzip(json, Poco::DeflatingStreamBuf::STREAM_ZLIB);
            resp.set("Content-Encoding", "deflate");
        } else if (req.getURI() == "/gzip-chunked") {
            body = gzip(json, Poco::DeflatingStreamBuf::STREAM_GZIP);
            resp.set("Content-Encoding", "gzip");
            resp.setContentType("application/json");
            resp.setChunkedTransferEncoding(true);
            resp.send() << body;
            return;
        } else if (req.getURI() == "/corrupt") {
            body = gzip(json, Poco::DeflatingStreamBuf::STREAM_GZIP);
            for (std::size_t i = 20; i < body.size(); i += 7) body[i] = static_cast<char>(body[i] ^ 0x5a);
            resp.set("Content-Encoding", "gzip");
        } else if (req.getURI() == "/truncated-gzip") {
            body = gzip(json, Poco::DeflatingStreamBuf::STREAM_GZIP);
            body.resize(body.size() / 2);
            resp.set("Content-Encoding", "gzip");
        }
        resp.set("X-Accept-Encoding-Seen", seen.acceptEncoding);
        ok(resp, body, "application/json");
    });
    HttpClientService svc(nlohmann::json::object());

    for (const char* path : {"/gzip", "/deflate", "/gzip-chunked"}) {
        Call c = get(svc, server.url(path));
        ASSERT_EQ(c.status, VALORY_OK) << path << ": " << statusText(c);
        EXPECT_EQ(c.body, json) << path;
        EXPECT_EQ(c.header("Content-Encoding"), "") << path;
        EXPECT_EQ(c.header("Content-Type"), "application/json");
    }
    std::cout << "[metric] gzip body: " << gzip(json, Poco::DeflatingStreamBuf::STREAM_GZIP).size()
              << " bytes on the wire, " << json.size() << " decoded\n";
    Call plain = get(svc, server.url("/plain"));
    ASSERT_EQ(plain.status, VALORY_OK);
    EXPECT_EQ(plain.header("X-Accept-Encoding-Seen"), "gzip, deflate");

    for (const char* path : {"/corrupt", "/truncated-gzip"}) {
        Call c = get(svc, server.url(path));
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM) << path << ": " << statusText(c);
        EXPECT_NE(c.message.find("gzip"), std::string::npos) << c.message;
        EXPECT_FALSE(c.hasResponse);
        std::cout << "[info] " << path << " -> " << c.message << "\n";
    }

    // A caller that asks for an encoding itself gets the bytes as sent.
    CallArgs raw;
    raw.url = server.url("/gzip");
    raw.headers = {{"Accept-Encoding", "gzip"}};
    Call r = perform(svc, raw);
    ASSERT_EQ(r.status, VALORY_OK);
    EXPECT_EQ(r.header("Content-Encoding"), "gzip");
    EXPECT_EQ(r.body, gzip(json, Poco::DeflatingStreamBuf::STREAM_GZIP));
}

TEST(HttpClient, HeadersBodiesAndMethods) {
    TestHttpServer server([](HTTPServerRequest& req, HTTPServerResponse& resp, const SeenRequest& seen) {
        std::string ids;
        for (const auto& [k, v] : req)
            if (k == "X-Id") ids += v + ";";
        resp.add("Set-Cookie", "a=1");
        resp.add("Set-Cookie", "b=2");
        resp.set("X-Ids", ids);
        resp.set("X-Method", seen.method);
        resp.set("X-UA", req.get("User-Agent", ""));
        if (seen.method == "HEAD") {
            resp.setContentLength(5);
            resp.send();
            return;
        }
        if (req.getURI() == "/none") {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
            resp.send();
            return;
        }
        if (req.getURI() == "/missing") {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            ok(resp, "{\"status\":404,\"errors\":[{\"code\":22}]}");
            return;
        }
        ok(resp, "echo:" + seen.body);
    });
    HttpClientService svc(nlohmann::json{{"user_agent", "valory-test/1"}});

    CallArgs post;
    post.method = "POST";
    post.url = server.url("/token?grant_type=client_credentials");
    post.headers = {{"X-Id", "1"}, {"X-Id", "2"}, {"Content-Type", "application/x-www-form-urlencoded"}};
    post.body = "client_id=abc&client_secret=s3cr3t";
    Call c = perform(svc, post);
    ASSERT_EQ(c.status, VALORY_OK) << statusText(c);
    EXPECT_EQ(c.body, "echo:client_id=abc&client_secret=s3cr3t");
    EXPECT_EQ(c.header("X-Ids"), "1;2;");
    EXPECT_EQ(c.header("X-Method"), "POST");
    EXPECT_EQ(c.header("X-UA"), "valory-test/1");
    int cookies = 0;
    for (const auto& [k, v] : c.headers) cookies += Poco::icompare(k, "Set-Cookie") == 0;
    EXPECT_EQ(cookies, 2);

    CallArgs head;
    head.method = "HEAD";
    head.url = server.url("/");
    Call h = perform(svc, head);
    ASSERT_EQ(h.status, VALORY_OK) << statusText(h);
    EXPECT_EQ(h.http, 200);
    EXPECT_TRUE(h.body.empty());
    Call none = get(svc, server.url("/none"));
    ASSERT_EQ(none.status, VALORY_OK) << statusText(none);
    EXPECT_EQ(none.http, 204);
    // 4xx is an answer, not an error.
    Call missing = get(svc, server.url("/missing"));
    ASSERT_EQ(missing.status, VALORY_OK) << statusText(missing);
    EXPECT_EQ(missing.http, 404);
    EXPECT_NE(missing.body.find("\"code\":22"), std::string::npos);
    // Still on one connection after POST, HEAD, 204 and 404.
    Call after = get(svc, server.url("/"));
    ASSERT_EQ(after.status, VALORY_OK);
    EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, InvalidArgumentsAreRejectedBeforeSending) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp); });
    HttpClientService svc(nlohmann::json::object());
    auto expectInvalid = [&](CallArgs a, const std::string& fragment) {
        Call c = perform(svc, a);
        EXPECT_EQ(c.status, VALORY_ERR_INVALID_ARGUMENT) << a.url << " " << statusText(c);
        EXPECT_NE(c.message.find(fragment), std::string::npos) << c.message;
        EXPECT_FALSE(c.hasResponse);
    };
    CallArgs a;
    a.url = "ftp://127.0.0.1/";
    expectInvalid(a, "scheme");
    a.url = server.url("/");
    a.method = "get";
    expectInvalid(a, "upper case");
    a.method = "GET";
    a.headers = {{"X-Evil", "a\r\nX-Injected: 1"}};
    expectInvalid(a, "CR, LF");
    a.headers = {{"Content-Length", "5"}};
    expectInvalid(a, "set by the client");
    a.headers = {{"Bad Name", "x"}};
    expectInvalid(a, "invalid header name");
    EXPECT_EQ(server.requests(), 0);
}

// --- retries, backoff, rate limits ------------------------------------------------------------------

TEST(HttpClient, ServerErrorsAreRetriedWithBackoffThenSurfaced) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        resp.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
        ok(resp, "{\"error\":\"Service Unavailable\",\"status\":503}");
    });
    HttpClientService svc(fastSettings());  // base 100 ms: waits in [50,100) then [100,200)
    Call c = get(svc, server.url("/helix/streams"));
    EXPECT_EQ(c.status, VALORY_ERR_UNAVAILABLE) << statusText(c);
    EXPECT_EQ(c.detail, 503);
    EXPECT_TRUE(c.hasResponse);
    EXPECT_EQ(c.http, 503);
    EXPECT_EQ(c.stats.attempts, 3u);
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 3u);
    auto gap1 = std::chrono::duration_cast<std::chrono::milliseconds>(seen[1].atSteady - seen[0].atSteady);
    auto gap2 = std::chrono::duration_cast<std::chrono::milliseconds>(seen[2].atSteady - seen[1].atSteady);
    std::cout << "[metric] 503 backoff gaps: " << gap1.count() << " ms, " << gap2.count() << " ms (waited "
              << c.stats.waited_ms << " ms)\n";
    EXPECT_GE(gap1, 50ms);
    EXPECT_GE(gap2, 100ms);
    EXPECT_GE(c.stats.waited_ms, 150u);

    auto m = svc.metricsSnapshot().at(0);
    EXPECT_EQ(m.calls, 1u);
    EXPECT_EQ(m.requests, 3u);
    EXPECT_EQ(m.retries, 2u);
    EXPECT_EQ(m.errors, 1u);
    EXPECT_EQ(m.errorsByStatus["unavailable"], 1u);
}

TEST(HttpClient, TransientServerErrorRecovers) {
    std::atomic<int> n{0};
    TestHttpServer server([&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        if (n++ == 0) {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_BAD_GATEWAY);
            ok(resp, "bad gateway");
            return;
        }
        ok(resp, "fine");
    });
    HttpClientService svc(fastSettings());
    Call c = get(svc, server.url("/"));
    ASSERT_EQ(c.status, VALORY_OK) << statusText(c);
    EXPECT_EQ(c.body, "fine");
    EXPECT_EQ(c.stats.attempts, 2u);
}

TEST(HttpClient, NonIdempotentRequestsAreNotRetriedUnlessMarked) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        resp.setStatus(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        ok(resp, "oops");
    });
    HttpClientService svc(fastSettings());
    CallArgs post;
    post.method = "POST";
    post.url = server.url("/oauth2/token");
    post.body = "code=single-use";
    Call c = perform(svc, post);
    EXPECT_EQ(c.status, VALORY_ERR_UNAVAILABLE) << statusText(c);
    EXPECT_EQ(c.detail, 500);
    EXPECT_EQ(c.stats.attempts, 1u);
    EXPECT_EQ(server.requests(), 1);

    post.flags = VALORY_HTTP_CLIENT_IDEMPOTENT;
    c = perform(svc, post);
    EXPECT_EQ(c.stats.attempts, 3u);
    EXPECT_EQ(server.requests(), 4);

    CallArgs g;
    g.url = server.url("/x");
    g.flags = VALORY_HTTP_CLIENT_NO_RETRY;
    c = perform(svc, g);
    EXPECT_EQ(c.stats.attempts, 1u);
    EXPECT_EQ(server.requests(), 5);

    // RAW_STATUS: retries as usual, then the 500 is delivered as an answer.
    g.flags = VALORY_HTTP_CLIENT_RAW_STATUS;
    g.maxAttempts = 2;
    c = perform(svc, g);
    EXPECT_EQ(c.status, VALORY_OK) << statusText(c);
    EXPECT_EQ(c.http, 500);
    EXPECT_EQ(c.stats.attempts, 2u);
    EXPECT_EQ(server.requests(), 7);
}

TEST(HttpClient, RateLimitResetIsHonoured) {
    // Twitch style: Ratelimit-Reset is an epoch second; nothing may arrive before it.
    std::mutex mu;
    int64_t resetEpoch = 0;
    TestHttpServer server([&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest& seen) {
        std::lock_guard lock(mu);
        auto nowMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(seen.at.time_since_epoch()).count();
        if (resetEpoch == 0) resetEpoch = nowMs / 1000 + 2;
        if (nowMs < resetEpoch * 1000) {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
            resp.set("Ratelimit-Limit", "800");
            resp.set("Ratelimit-Remaining", "0");
            resp.set("Ratelimit-Reset", std::to_string(resetEpoch));
            ok(resp, "{\"error\":\"Too Many Requests\",\"status\":429,\"message\":\"\"}");
            return;
        }
        resp.set("Ratelimit-Remaining", "799");
        ok(resp, "{\"data\":[]}");
    });
    HttpClientService svc(fastSettings());
    Call c = get(svc, server.url("/helix/users?login=a"), 10000);
    ASSERT_EQ(c.status, VALORY_OK) << statusText(c);
    auto seen = server.seen();
    ASSERT_EQ(seen.size(), 2u);
    auto secondMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(seen[1].at.time_since_epoch()).count();
    std::cout << "[metric] retry after 429 arrived " << secondMs - resetEpoch * 1000
              << " ms after the reset time\n";
    EXPECT_GE(secondMs, resetEpoch * 1000);
    EXPECT_GE(c.stats.waited_ms, 1u);
}

TEST(HttpClient, RateLimitStormSendsNothingBeforeTheReset) {
    std::mutex mu;
    int64_t resetEpoch = 0;
    std::map<std::string, bool> limited;  // client id -> has been told to wait
    int early = 0;
    int limitedAnswers = 0;
    TestHttpServer server(
        [&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest& seen) {
            std::lock_guard lock(mu);
            auto nowMs =
                std::chrono::duration_cast<std::chrono::milliseconds>(seen.at.time_since_epoch()).count();
            if (resetEpoch == 0) resetEpoch = nowMs / 1000 + 2;
            if (nowMs < resetEpoch * 1000) {
                if (limited[seen.clientId])
                    ++early;  // a retry before the reset: the thing that must not happen
                limited[seen.clientId] = true;
                ++limitedAnswers;
                resp.setStatus(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
                resp.set("x-ratelimit-limit", "30");
                resp.set("x-ratelimit-remaining", "0");
                resp.set("x-ratelimit-reset", std::to_string(resetEpoch));
                ok(resp,
                   "{\"status\":429,\"errors\":[{\"message\":\"Rate "
                   "Limited\",\"code\":0,\"global\":false}]}");
                return;
            }
            ok(resp, "{\"status\":200}");
        },
        nullptr, 48);
    HttpClientService svc(
        nlohmann::json{{"max_connections_per_host", 40}, {"max_connections", 40}, {"backoff_base_ms", 50}});
    std::atomic<int> okCount{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 30; ++t) {
        threads.emplace_back([&, t] {
            CallArgs a;
            a.url = server.url("/valorant/v3/mmr/eu/pc/name/tag");
            a.headers = {{"X-Client", "c" + std::to_string(t)}};
            a.deadlineMs = 15000;
            if (perform(svc, a).status == VALORY_OK) ++okCount;
        });
    }
    for (auto& t : threads) t.join();
    std::cout << "[metric] 429 storm (30 callers): requests before the reset time after a 429: " << early
              << "; 429 answers " << limitedAnswers << "; successes " << okCount.load() << "\n";
    EXPECT_EQ(early, 0);
    EXPECT_EQ(okCount.load(), 30);
}

TEST(HttpClient, WaitBeyondTheDeadlineFailsAtOnceAsRateLimited) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        resp.setStatus(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
        resp.set("Retry-After", "30");
        ok(resp, "slow down");
    });
    HttpClientService svc(fastSettings());
    Call c = get(svc, server.url("/riot/account"), 2000);
    EXPECT_EQ(c.status, VALORY_ERR_RATE_LIMITED) << statusText(c);
    EXPECT_EQ(c.detail, 30000);
    EXPECT_EQ(c.stats.attempts, 1u);
    EXPECT_EQ(c.stats.waited_ms, 0u);
    EXPECT_LT(c.stats.elapsed_ms, 2000u);
    EXPECT_TRUE(c.hasResponse);
    EXPECT_EQ(c.http, 429);
    EXPECT_EQ(server.requests(), 1);
    std::cout << "[metric] 429 with Retry-After 30 s and a 2 s deadline: failed after " << c.stats.elapsed_ms
              << " ms, detail " << c.detail << " ms\n";
}

TEST(HttpClient, TwitchBucketResetBeyondDeadline) {
    TestHttpServer server([](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest& seen) {
        auto now = std::chrono::duration_cast<std::chrono::seconds>(seen.at.time_since_epoch()).count();
        resp.setStatus(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
        resp.set("Ratelimit-Remaining", "0");
        resp.set("Ratelimit-Reset", std::to_string(now + 60));
        ok(resp, "{}");
    });
    HttpClientService svc(fastSettings());
    Call c = get(svc, server.url("/"), 3000);
    EXPECT_EQ(c.status, VALORY_ERR_RATE_LIMITED) << statusText(c);
    EXPECT_GE(c.detail, 58000);
    EXPECT_LE(c.detail, 61000);
    EXPECT_EQ(server.requests(), 1);
}

// --- timeouts and broken upstreams ------------------------------------------------------------------

TEST(HttpClient, TimeoutsAreBoundedByTheDeadline) {
    TestHttpServer server([&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        std::this_thread::sleep_for(10ms);
        ok(resp);
    });
    TestHttpServer* gate = nullptr;
    TestHttpServer slow([&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        gate->hold(10s);
        ok(resp);
    });
    gate = &slow;
    HttpClientService svc(fastSettings());
    Call c = get(svc, slow.url("/slow"), 400);
    EXPECT_EQ(c.status, VALORY_ERR_TIMEOUT) << statusText(c);
    std::cout << "[metric] 400 ms deadline against a 10 s server: returned after " << c.stats.elapsed_ms
              << " ms, " << c.stats.attempts << " attempt(s)\n";
    EXPECT_LT(c.stats.elapsed_ms, 3000u);  // far below the server's delay
    EXPECT_GE(c.stats.elapsed_ms, 350u);

    // With room for retries, every attempt shares the one deadline.
    Call r = get(svc, slow.url("/slow"), 1500);
    EXPECT_EQ(r.status, VALORY_ERR_TIMEOUT) << statusText(r);
    EXPECT_LT(r.stats.elapsed_ms, 5000u);
    slow.releaseAll();
    // The client still works afterwards.
    EXPECT_EQ(get(svc, server.url("/")).status, VALORY_OK);
}

TEST(HttpClient, DrippingPeerIsCutAtTheDeadline) {
    // Every recv returns within 50 ms, so per-recv timeouts never fire; only the deadline can stop it.
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 200; ++i) head += "X-Slow-" + std::to_string(i) + ": drip\r\n";
    RawTcpServer drip(head + "Content-Length: 0\r\n\r\n", 50ms);
    HttpClientService svc(fastSettings());
    Call c = get(svc, drip.url("/"), 600);
    EXPECT_EQ(c.status, VALORY_ERR_TIMEOUT) << statusText(c);
    std::cout << "[metric] 600 ms deadline against a peer dripping 1 byte / 50 ms: returned after "
              << c.stats.elapsed_ms << " ms (" << c.message << ")\n";
    EXPECT_LT(c.stats.elapsed_ms, 5000u);  // the full drip would take ~3 minutes
    EXPECT_GE(svc.deadlineShutdowns(), 1u);
}

TEST(HttpClient, MalformedAndTruncatedAnswersAreUpstreamErrors) {
    HttpClientService svc(fastSettings());
    {
        RawTcpServer raw("HTTP/1.1 abc\r\nContent-Length: 0\r\n\r\n");
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM) << statusText(c);
        EXPECT_NE(c.message.find("malformed"), std::string::npos) << c.message;
        EXPECT_EQ(raw.connections(), 1);  // not retried
    }
    {
        RawTcpServer raw("this is not http\r\n\r\n");
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM) << statusText(c);
    }
    {
        RawTcpServer raw(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            "100\r\n\r\n{\"data\":[{\"id\"");
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM) << statusText(c);
        EXPECT_NE(c.message.find("truncated"), std::string::npos) << c.message;
        EXPECT_FALSE(c.hasResponse);
    }
    {
        // Poco's own chunked reader would end silently here; ours must not.
        RawTcpServer raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n{\"data\":[");
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM)
            << "truncated chunked body: " << statusText(c) << " body " << c.body;
        EXPECT_NE(c.message.find("truncated"), std::string::npos) << c.message;
    }
    {
        RawTcpServer raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM) << "chunked body without its last chunk: " << statusText(c);
    }
    {
        RawTcpServer raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UPSTREAM) << statusText(c);
        EXPECT_NE(c.message.find("chunk size"), std::string::npos) << c.message;
    }
    {
        RawTcpServer raw(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\n"
            "X-Trailer: 1\r\n\r\n");
        Call c = get(svc, raw.url());
        ASSERT_EQ(c.status, VALORY_OK) << statusText(c);
        EXPECT_EQ(c.body, "wikipedia");
    }
    {
        RawTcpServer raw("");  // closes without answering
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_UNAVAILABLE) << statusText(c);
        EXPECT_EQ(c.stats.attempts, 3u);
        EXPECT_EQ(raw.connections(), 3);
    }
}

TEST(HttpClient, HugeChunkSizeOrContentLengthCannotWrapTheBodyLimit) {
    // A chunk size near SIZE_MAX wrapped `body + size > limit` around: the client then read
    // whatever the peer sent (hundreds of MB) and reported it as truncated instead of too large.
    auto settings = fastSettings();
    settings["max_body_bytes"] = 1 << 20;
    HttpClientService svc(settings);
    {
        RawTcpServer raw(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"
            "fffffffffffffff0\r\n" +  // 16 + (2^64 - 16) wraps to 0
            std::string(2 << 20, 'x'));
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_TOO_LARGE) << statusText(c);
        EXPECT_NE(c.message.find("exceeds max_body_bytes"), std::string::npos) << c.message;
        EXPECT_TRUE(c.body.empty());
    }
    {
        RawTcpServer raw("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n" +
                         std::string(2 << 20, 'x'));
        Call c = get(svc, raw.url());
        EXPECT_EQ(c.status, VALORY_ERR_TOO_LARGE) << statusText(c);
        EXPECT_NE(c.message.find("exceeds max_body_bytes"), std::string::npos) << c.message;
    }
}

TEST(HttpClient, RefusedConnectionIsUnavailable) {
    uint16_t port;
    {
        Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = s.address().port();
    }
    HttpClientService svc(fastSettings());
    Call c = get(svc, "http://127.0.0.1:" + std::to_string(port) + "/");
    EXPECT_EQ(c.status, VALORY_ERR_UNAVAILABLE) << statusText(c);
    EXPECT_NE(c.message.find("cannot connect"), std::string::npos) << c.message;
    EXPECT_EQ(c.stats.attempts, 3u);
    EXPECT_EQ(svc.poolStats().open, 0u);
}

TEST(HttpClient, MetricsPerUpstreamInTheHostRegistry) {
    std::atomic<int> n{0};
    TestHttpServer server([&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
        if (n++ % 2 == 0) {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_GATEWAY_TIMEOUT);
            ok(resp, "gw");
            return;
        }
        ok(resp);
    });
    valory::host::MetricsRegistry registry;
    HttpClientService svc(fastSettings());
    svc.setMetrics(registry);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(get(svc, server.url("/")).status, VALORY_OK);  // 504 then 200, three times
    CallArgs once;
    once.url = server.url("/");
    once.maxAttempts = 1;
    Call failed = perform(svc, once);  // a lone 504
    ASSERT_EQ(failed.status, VALORY_ERR_UNAVAILABLE) << statusText(failed);

    struct Seen {
        std::map<std::string, double> values;
        std::map<std::string, uint64_t> counts;
    } seen;
    registry.visit(
        [](void* user, const valory_metric_sample* s) {
            auto* out = static_cast<Seen*>(user);
            std::string key(s->family.data, s->family.size);
            for (std::size_t i = 0; i < s->label_count; ++i)
                key += "|" + std::string(s->label_values[i].data, s->label_values[i].size);
            out->values[key] = s->value;
            out->counts[key] = s->count;
        },
        &seen);
    const std::string up = "|http://127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(seen.values["valory_http_client_requests_total" + up], 7);
    EXPECT_EQ(seen.values["valory_http_client_retries_total" + up], 3);
    EXPECT_EQ(seen.values["valory_http_client_errors_total" + up + "|unavailable"], 1);
    EXPECT_EQ(seen.counts["valory_http_client_duration_seconds" + up], 4u);
    EXPECT_EQ(seen.values["valory_http_client_connections_opened_total" + up], 1);
    EXPECT_EQ(seen.values["valory_http_client_connections_open"], 1);
}

// --- the C++ facade ---------------------------------------------------------------------------------

TEST(HttpClient, CppFacade) {
    TestHttpServer server([](HTTPServerRequest& req, HTTPServerResponse& resp, const SeenRequest& seen) {
        if (req.getURI().rfind("/limited", 0) == 0) {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_TOO_MANY_REQUESTS);
            resp.set("Retry-After", "120");
            ok(resp, "{}");
            return;
        }
        if (req.getURI() == "/missing") {
            resp.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
            ok(resp, "nf");
            return;
        }
        resp.add("X-Multi", "1");
        resp.add("X-Multi", "2");
        ok(resp, seen.method + " " + seen.uri + " " + req.get("Authorization", "") + " " + seen.body);
    });
    HttpClientService svc(fastSettings());
    valory::sdk::HttpClient client(static_cast<const valory_http_client_api*>(svc.vtable()), svc.self());

    auto r =
        client.get(valory::sdk::appendQuery(server.url("/helix/users"), {{"login", "a b"}, {"login", "ü"}}),
                   {{"Authorization", "Bearer t"}}, 5s);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "GET /helix/users?login=a%20b&login=%C3%BC Bearer t ");
    EXPECT_EQ(r.headerAll("x-multi"), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(r.stats.attempts, 1u);

    auto p =
        client.post(server.url("/token"), "grant=1", {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(p.body, "POST /token  grant=1");

    EXPECT_EQ(client.get(server.url("/missing")).status, 404);

    try {
        client.get(server.url("/limited?key=secret"), {}, 2s);
        FAIL() << "expected HttpClientError";
    } catch (const valory::sdk::HttpClientError& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_RATE_LIMITED);
        EXPECT_EQ(e.detail(), 120000);
        ASSERT_TRUE(e.response());
        EXPECT_EQ(e.response()->status, 429);
        EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
    }
    try {
        client.get("gopher://x/");
        FAIL() << "expected Error";
    } catch (const valory::sdk::Error& e) {
        EXPECT_EQ(e.status(), VALORY_ERR_INVALID_ARGUMENT);
    }
}

// --- TLS (VERIFY_STRICT, RejectCertificateHandler, CA from the `certs` fixture) ----------------------

TEST(HttpClientTls, TrustedCertificatePasses) {
    ASSERT_TRUE(ensureTls());
    TestHttpServer server(
        [](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp, "secure"); },
        serverContext("server"));
    HttpClientService svc(nlohmann::json::object());
    for (const char* host : {"localhost", "127.0.0.1"}) {
        Call c = get(svc, server.url("/", host, true));
        ASSERT_EQ(c.status, VALORY_OK) << host << ": " << statusText(c);
        EXPECT_EQ(c.body, "secure");
    }
    for (int i = 0; i < 100; ++i) ASSERT_EQ(get(svc, server.url("/", "localhost", true)).status, VALORY_OK);
    std::cout << "[metric] TLS: 102 requests over " << server.connections() << " connection(s)\n";
    EXPECT_LE(server.connections(), 2);
}

TEST(HttpClientTls, SelfSignedCertificateFails) {
    ASSERT_TRUE(ensureTls());
    TestHttpServer server(
        [](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp, "mitm"); },
        serverContext("selfsigned"));
    HttpClientService svc(nlohmann::json::object());
    for (const char* host : {"localhost", "127.0.0.1"}) {
        Call c = get(svc, server.url("/", host, true));
        EXPECT_EQ(c.status, VALORY_ERR_UNAVAILABLE) << host << ": " << statusText(c);
        EXPECT_NE(c.message.find("TLS"), std::string::npos) << c.message;
        EXPECT_EQ(c.stats.attempts, 1u);  // not retried: a certificate does not get better
        std::cout << "[info] self-signed via " << host << ": " << c.message << "\n";
    }
    EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClientTls, WrongNameCertificateFails) {
    ASSERT_TRUE(ensureTls());
    TestHttpServer server(
        [](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) { ok(resp, "mitm"); },
        serverContext("wrongname"));
    HttpClientService svc(nlohmann::json::object());
    for (const char* host : {"localhost", "127.0.0.1"}) {
        Call c = get(svc, server.url("/", host, true));
        EXPECT_EQ(c.status, VALORY_ERR_UNAVAILABLE) << host << ": " << statusText(c);
        std::cout << "[info] wrong name via " << host << ": " << c.message << "\n";
    }
    EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClientTls, SlowHttpsServerTimesOut) {
    ASSERT_TRUE(ensureTls());
    TestHttpServer* self = nullptr;
    TestHttpServer server(
        [&](HTTPServerRequest&, HTTPServerResponse& resp, const SeenRequest&) {
            self->hold(10s);
            ok(resp);
        },
        serverContext("server"));
    self = &server;
    HttpClientService svc(fastSettings());
    Call c = get(svc, server.url("/", "localhost", true), 500);
    EXPECT_EQ(c.status, VALORY_ERR_TIMEOUT) << statusText(c);
    EXPECT_LT(c.stats.elapsed_ms, 3000u);
    server.releaseAll();
}

TEST(HttpClientTls, PeerThatNeverHandshakesTimesOut) {
    ASSERT_TRUE(ensureTls());
    RawTcpServer silent("");  // accepts TCP, waits for an HTTP head that TLS never sends
    HttpClientService svc(fastSettings());
    Call c = get(svc, "https://127.0.0.1:" + std::to_string(silent.port()) + "/", 500);
    EXPECT_EQ(c.status, VALORY_ERR_TIMEOUT) << statusText(c);
    EXPECT_LT(c.stats.elapsed_ms, 4000u);  // the server holds the connection for 5 s
}

TEST(HttpClientTls, InitializeTlsOnlyOnce) {
    ASSERT_TRUE(ensureTls());
    EXPECT_FALSE(HttpClientService::initializeTls({{"ca_file", certsDir() + "/other-ca.pem"}}));
}
