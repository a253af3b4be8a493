#include "http/router.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

using valory::host::PathTemplate;
using valory::host::Router;

namespace {

valory_status echoRoute(void* user, const valory_request* req, valory_response* resp, valory_error*) {
    resp->status = 200;
    resp->body = std::string(static_cast<const char*>(user)) + "|" + req->route;
    for (const auto& [k, v] : req->params) resp->body += "|" + k + "=" + v;
    return VALORY_OK;
}

valory_status failingRoute(void*, const valory_request*, valory_response*, valory_error* err) {
    return valory_fail(err, VALORY_ERR_INTERNAL, "boom");
}

valory_status throwingRoute(void*, const valory_request*, valory_response*, valory_error*) {
    throw std::runtime_error("thrown");
}

struct Call {
    Poco::Net::NameValueCollection headers;
    valory_request req;
    valory_response resp;
    Router::Outcome outcome;
};

std::unique_ptr<Call> call(const Router& router, const std::string& method, const std::string& target,
                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto c = std::make_unique<Call>();
    for (const auto& [k, v] : headers) c->headers.add(k, v);
    c->req.method = method;
    c->req.target = target;
    auto q = target.find('?');
    c->req.rawPath = target.substr(0, q);
    if (q != std::string::npos) c->req.rawQuery = target.substr(q + 1);
    c->req.headerSource = &c->headers;
    router.handle(c->req, c->resp, c->outcome);
    return c;
}

const char kA[] = "A";
const char kB[] = "B";

std::unique_ptr<Router> makeRouterPtr() {
    auto p = std::make_unique<Router>();
    Router& r = *p;
    std::string msg;
    EXPECT_EQ(r.addRoute("p", "GET", "/api/overlay/{id}", echoRoute, const_cast<char*>(kA), nullptr, msg),
              VALORY_OK);
    EXPECT_EQ(r.addRoute("p", "GET", "/api/overlay/latest", echoRoute, const_cast<char*>(kB), nullptr, msg),
              VALORY_OK);
    EXPECT_EQ(r.addRoute("p", "PUT", "/api/overlay/{id}", echoRoute, const_cast<char*>(kA), nullptr, msg),
              VALORY_OK);
    EXPECT_EQ(r.addRoute("p", "GET", "/api/streamers/", echoRoute, const_cast<char*>(kA), nullptr, msg),
              VALORY_OK);
    EXPECT_EQ(r.addRoute("p", "GET", "/files/{rest*}", echoRoute, const_cast<char*>(kA), nullptr, msg),
              VALORY_OK);
    EXPECT_EQ(r.addRoute("p", "GET", "/fail", failingRoute, nullptr, nullptr, msg), VALORY_OK);
    EXPECT_EQ(r.addRoute("p", "GET", "/throw", throwingRoute, nullptr, nullptr, msg), VALORY_OK);
    return p;
}

}  // namespace

TEST(PathTemplate, ParsesAndRejects) {
    PathTemplate t;
    std::string msg;
    EXPECT_TRUE(PathTemplate::parse("/", t, msg));
    EXPECT_TRUE(PathTemplate::parse("/a/{b}/c/{rest*}", t, msg));
    EXPECT_TRUE(t.hasRest());
    EXPECT_FALSE(PathTemplate::parse("a/b", t, msg));
    EXPECT_FALSE(PathTemplate::parse("/a//b", t, msg));
    EXPECT_FALSE(PathTemplate::parse("/a/{rest*}/b", t, msg));
    EXPECT_FALSE(PathTemplate::parse("/a/{x}/{x}", t, msg));
    EXPECT_FALSE(PathTemplate::parse("/a/x{y}", t, msg));
    EXPECT_FALSE(PathTemplate::parse("/a/{}", t, msg));
}

TEST(Router, ParamsAndSpecificity) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    auto c = call(r, "GET", "/api/overlay/42");
    EXPECT_EQ(c->resp.status, 200);
    EXPECT_EQ(c->resp.body, "A|/api/overlay/{id}|id=42");
    EXPECT_EQ(c->outcome.owner, "p");
    c = call(r, "GET", "/api/overlay/latest");
    EXPECT_EQ(c->resp.body, "B|/api/overlay/latest");
    c = call(r, "GET", "/api/overlay/a%20b?x=1");
    EXPECT_EQ(c->resp.body, "A|/api/overlay/{id}|id=a b");
    c = call(r, "GET", "/files/css/site.css");
    EXPECT_EQ(c->resp.body, "A|/files/{rest*}|rest=css/site.css");
}

TEST(Router, NotFoundIsJson) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    auto c = call(r, "GET", "/nope");
    EXPECT_EQ(c->resp.status, 404);
    EXPECT_EQ(c->resp.body, R"({"error":"not_found","message":"no route for GET /nope"})");
    EXPECT_EQ(*c->resp.findHeader("Content-Type"), "application/json");
    EXPECT_EQ(c->outcome.route, "<unmatched>");
    ASSERT_NE(c->resp.findHeader("X-Process-Time"), nullptr);
}

TEST(Router, MethodNotAllowedListsAllow) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    auto c = call(r, "DELETE", "/api/overlay/42");
    EXPECT_EQ(c->resp.status, 405);
    EXPECT_EQ(*c->resp.findHeader("Allow"), "GET, HEAD, OPTIONS, PUT");
    EXPECT_EQ(nlohmann::json::parse(c->resp.body)["error"], "method_not_allowed");
}

TEST(Router, TrailingSlashRedirects) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    auto c = call(r, "GET", "/api/streamers?page=2");
    EXPECT_EQ(c->resp.status, 307);
    EXPECT_EQ(*c->resp.findHeader("Location"), "/api/streamers/?page=2");
    c = call(r, "GET", "/api/overlay/42/");
    EXPECT_EQ(c->resp.status, 307);
    EXPECT_EQ(*c->resp.findHeader("Location"), "/api/overlay/42");
    c = call(r, "GET", "/api/streamers/");
    EXPECT_EQ(c->resp.status, 200);
}

TEST(Router, HeadGoesThroughGet) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    auto c = call(r, "HEAD", "/api/overlay/7");
    EXPECT_EQ(c->resp.status, 200);
    EXPECT_TRUE(c->resp.headOnly);
    EXPECT_EQ(c->req.method, "HEAD");
    EXPECT_EQ(c->resp.body, "A|/api/overlay/{id}|id=7");  // the server sends only its length
}

TEST(Router, HandlerErrorsBecomeJson500) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    auto c = call(r, "GET", "/fail");
    EXPECT_EQ(c->resp.status, 500);
    EXPECT_EQ(c->resp.body, R"({"error":"internal","message":"boom"})");
    c = call(r, "GET", "/throw");
    EXPECT_EQ(c->resp.status, 500);
    EXPECT_EQ(c->resp.body, R"({"error":"internal","message":"handler threw: thrown"})");
}

TEST(Router, ConflictsAndBadTemplates) {
    auto rp = makeRouterPtr();
    Router& r = *rp;
    std::string msg;
    EXPECT_EQ(r.addRoute("q", "GET", "/fail", echoRoute, nullptr, nullptr, msg), VALORY_ERR_CONFLICT);
    EXPECT_EQ(msg, "route GET /fail is already registered by 'p'");
    EXPECT_EQ(r.addRoute("q", "GET", "nope", echoRoute, nullptr, nullptr, msg), VALORY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(r.addRoute("q", "get", "/x", echoRoute, nullptr, nullptr, msg), VALORY_ERR_INVALID_ARGUMENT);
}

TEST(Router, CorsAndPreflight) {
    valory::host::CorsSettings cors;
    cors.origins = {"https://app.example"};
    cors.credentials = true;
    Router r(cors);
    std::string msg;
    ASSERT_EQ(r.addRoute("p", "POST", "/api/x", echoRoute, const_cast<char*>(kA), nullptr, msg), VALORY_OK);
    auto c = call(r, "OPTIONS", "/api/x",
                  {{"Origin", "https://app.example"},
                   {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "content-type"}});
    EXPECT_EQ(c->resp.status, 204);
    EXPECT_EQ(*c->resp.findHeader("Access-Control-Allow-Origin"), "https://app.example");
    EXPECT_EQ(*c->resp.findHeader("Access-Control-Allow-Credentials"), "true");
    EXPECT_EQ(*c->resp.findHeader("Access-Control-Allow-Methods"), "OPTIONS, POST");
    EXPECT_EQ(*c->resp.findHeader("Access-Control-Allow-Headers"), "content-type");
    EXPECT_EQ(*c->resp.findHeader("Vary"), "Origin");
    // A plugin's own OPTIONS route still does not see preflights.
    ASSERT_EQ(r.addRoute("p", "OPTIONS", "/api/x", failingRoute, nullptr, nullptr, msg), VALORY_OK);
    c = call(r, "OPTIONS", "/api/x",
             {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(c->resp.status, 204);
    c = call(r, "OPTIONS", "/api/x");  // not a preflight: the plugin's handler
    EXPECT_EQ(c->resp.status, 500);
    c = call(r, "POST", "/api/x", {{"Origin", "https://evil.example"}});
    EXPECT_EQ(c->resp.status, 200);
    EXPECT_EQ(c->resp.findHeader("Access-Control-Allow-Origin"), nullptr);
    EXPECT_EQ(*c->resp.findHeader("Vary"), "Origin");
    c = call(r, "OPTIONS", "/api/x",
             {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(c->resp.status, 403);
}

TEST(Router, RemoveRouteWaitsForInFlightHandler) {
    Router r;
    std::string msg;
    static std::atomic<int> phase{0};
    auto slow = [](void*, const valory_request*, valory_response* resp, valory_error*) -> valory_status {
        phase = 1;
        while (phase.load() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        resp->status = 200;
        return VALORY_OK;
    };
    valory_route* route = nullptr;
    ASSERT_EQ(r.addRoute("p", "GET", "/slow", slow, nullptr, &route, msg), VALORY_OK);
    std::thread client([&] { call(r, "GET", "/slow"); });
    while (phase.load() != 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::atomic<bool> removed{false};
    std::thread remover([&] {
        std::string m;
        r.removeRoute("p", route, m);
        removed = true;
    });
    // While the handler runs, removal must not complete; then release the handler.
    for (int i = 0; i < 50; ++i) {
        EXPECT_FALSE(removed.load());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    phase = 2;
    remover.join();
    client.join();
    EXPECT_TRUE(removed.load());
    EXPECT_EQ(call(r, "GET", "/slow")->resp.status, 404);
}

TEST(Router, StaticMountServesWithEtagAnd304AndNoDotDot) {
    auto dir = std::filesystem::temp_directory_path() / ("valory-static-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "css");
    std::ofstream(dir / "css" / "app.css") << "body{}";
    std::ofstream(dir / "css" / "app.css.gz") << "gzipped";
    Router r;
    std::string msg;
    ASSERT_EQ(r.addStaticMount("p", "/static", dir.string(), VALORY_STATIC_FINGERPRINTED, msg), VALORY_OK);
    auto c = call(r, "GET", "/static/css/app.css");
    EXPECT_EQ(c->resp.status, 200);
    EXPECT_EQ(c->resp.filePath, (dir / "css" / "app.css").string());
    EXPECT_EQ(c->resp.fileContentType, "text/css; charset=utf-8");
    EXPECT_EQ(*c->resp.findHeader("Cache-Control"), "public, max-age=31536000, immutable");
    const std::string etag = *c->resp.findHeader("ETag");
    c = call(r, "GET", "/static/css/app.css", {{"If-None-Match", etag}});
    EXPECT_EQ(c->resp.status, 304);
    c = call(r, "GET", "/static/css/app.css", {{"Accept-Encoding", "gzip, br"}});
    EXPECT_EQ(c->resp.filePath, (dir / "css" / "app.css.gz").string());
    EXPECT_EQ(*c->resp.findHeader("Content-Encoding"), "gzip");
    c = call(r, "GET", "/static/../etc/passwd");
    EXPECT_EQ(c->resp.status, 404);
    c = call(r, "GET", "/static/css/%2e%2e/%2e%2e/x");
    EXPECT_EQ(c->resp.status, 404);
    c = call(r, "POST", "/static/css/app.css");
    EXPECT_EQ(c->resp.status, 405);
    std::filesystem::remove_all(dir);
}
