// The overlays plugin through the real valory-host: real PostgreSQL (a fresh database of the
// `postgres` fixture per test), optionally Redis (`redis` fixture) behind cache/1, and the fake
// Twitch/HenrikDev (valory-fake-upstreams). A Browser keeps cookies like a browser would and walks
// the Twitch login through the fake's /oauth2/authorize (which logs in `authorize_login`).
#pragma once

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "host_process.hpp"
#include "pg_test_support.hpp"
#include "redis_test_server.hpp"
#include "valory_fakes/fake_process.hpp"

namespace valory::it::overlays {

using nlohmann::json;

inline const std::string kSessionSecret = "overlays-integration-test-secret-0123456789abcdef";
inline const std::string kTwitchSecret = "valorydemosecret0000000000000";
inline const std::string kOperatorKey = "HDEV-00000000-0000-4000-8000-00000000demo";
inline const std::string kStreamerKey = "HDEV-00000000-0000-4000-8000-0000streamer";
inline const std::string kFrontend = "http://frontend.test";

struct Reply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< first value, lower-case names
    std::vector<std::string> setCookies;
    nlohmann::json json() const { return nlohmann::json::parse(body); }
    std::string header(const std::string& lowerName) const {
        auto it = headers.find(lowerName);
        return it == headers.end() ? std::string() : it->second;
    }
    /// The Set-Cookie line for `name` (empty when absent).
    std::string setCookie(const std::string& name) const {
        for (const auto& c : setCookies)
            if (c.rfind(name + "=", 0) == 0) return c;
        return {};
    }
};

inline std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// One HTTP exchange (new connection); no redirects followed.
inline Reply call(int port, const std::string& method, const std::string& target,
                  const std::string& body = {},
                  const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    s.setTimeout(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequest rq(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) rq.add(k, v);
    if (!body.empty() || method == "POST") rq.setContentLength(static_cast<std::streamsize>(body.size()));
    s.sendRequest(rq) << body;
    Poco::Net::HTTPResponse rs;
    std::istream& in = s.receiveResponse(rs);
    Reply r;
    r.status = static_cast<int>(rs.getStatus());
    Poco::StreamCopier::copyToString(in, r.body);
    for (const auto& [k, v] : rs) {
        const std::string name = lower(k);
        if (name == "set-cookie") r.setCookies.push_back(v);
        r.headers.emplace(name, v);
    }
    return r;
}

/// A cookie jar in front of one host.
class Browser {
  public:
    explicit Browser(int port) : port_(port) {}

    Reply get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
        return send("GET", target, {}, std::move(headers));
    }
    /// POST with Content-Type: application/json (unless headers give another).
    Reply post(const std::string& target, const std::string& body,
               std::vector<std::pair<std::string, std::string>> headers = {}) {
        bool typed = false;
        for (const auto& h : headers) typed = typed || lower(h.first) == "content-type";
        if (!typed) headers.emplace_back("Content-Type", "application/json");
        return send("POST", target, body, std::move(headers));
    }
    Reply send(const std::string& method, const std::string& target, const std::string& body,
               std::vector<std::pair<std::string, std::string>> headers) {
        if (!cookies_.empty()) headers.emplace_back("Cookie", cookieHeader());
        Reply r = call(port_, method, target, body, headers);
        for (const auto& line : r.setCookies) store(line);
        return r;
    }

    std::string cookie(const std::string& name) const {
        auto it = cookies_.find(name);
        return it == cookies_.end() ? std::string() : it->second;
    }
    void setCookie(const std::string& name, const std::string& value) { cookies_[name] = value; }
    void dropCookie(const std::string& name) { cookies_.erase(name); }
    int port() const { return port_; }

  private:
    void store(const std::string& line) {
        const auto eq = line.find('=');
        const auto semi = line.find(';');
        const std::string name = line.substr(0, eq), value = line.substr(eq + 1, semi - eq - 1);
        if (value.empty() || line.find("Max-Age=0") != std::string::npos)
            cookies_.erase(name);
        else
            cookies_[name] = value;
    }
    std::string cookieHeader() const {
        std::string h;
        for (const auto& [k, v] : cookies_) h += (h.empty() ? "" : "; ") + k + "=" + v;
        return h;
    }

    int port_;
    std::map<std::string, std::string> cookies_;
};

/// Options of one stack.
struct StackOptions {
    bool cache = false;                      ///< run cache/1 on the shared Redis fixture
    json overlaysSettings = json::object();  ///< merged over the defaults below
    std::string dsn;                         ///< empty = a fresh database of the shared fixture
};

/// Fake upstreams + PostgreSQL database + one or more valory-host processes sharing them.
class Stack {
  public:
    explicit Stack(const std::string& name, StackOptions options = {})
        : name_(name), options_(std::move(options)) {
        ::setenv("VALORY_TEST_SESSION_SECRET", kSessionSecret.c_str(), 1);
        ::setenv("VALORY_TEST_TWITCH_SECRET", kTwitchSecret.c_str(), 1);
        ::setenv("VALORY_TEST_HENRIK_KEY", kOperatorKey.c_str(), 1);
        fake_ = std::make_unique<fakes::testing::ServerProcess>(
            VALORY_FAKE_BIN, std::vector<std::string>{"--seed", VALORY_FAKE_SEED});
        dsn_ = options_.dsn.empty() ? plugins::persistence::test::testDatabase("ovl_" + name) : options_.dsn;
        if (options_.cache) {
            ::setenv("VALORY_REDIS_ENV_FILE", VALORY_REDIS_ENV_FILE_DEFAULT, 0);  // ctest's value wins
            redisUrl_ = testsupport::sharedRedisUrl();
        }
    }

    /// Starts host number `i` (0, 1, ...) with the stack's config; fails the test if it does not come up.
    Host& startHost(const std::string& tag = "") {
        auto h = std::make_unique<Host>("ovl-" + name_ + tag + std::to_string(hosts_.size()));
        writeConfig(*h);
        h->start();
        if (!h->waitReady(60s)) {
            ADD_FAILURE() << "host did not start:\n" << h->log();
            throw std::runtime_error("host did not start");
        }
        hosts_.push_back(std::move(h));
        return *hosts_.back();
    }
    Host& host(size_t i = 0) { return *hosts_.at(i); }
    int port(size_t i = 0) { return host(i).port(); }
    fakes::testing::FakeControl fake() const { return fakes::testing::FakeControl(fake_->port()); }
    int fakePort() const { return fake_->port(); }
    const std::string& dsn() const { return dsn_; }

    /// Runs SQL against the test database directly (seeding, expiring rows, EXPLAIN).
    pqxx::result sql(const std::string& query) {
        pqxx::connection c(dsn_);
        pqxx::work w(c);
        auto r = w.exec(query);
        w.commit();
        return r;
    }

    /// Logs `login` in through the full flow (host -> fake authorize -> callback); returns the
    /// callback reply. The browser then holds the session cookie.
    Reply login(Browser& b, const std::string& login) {
        fake().post("authorize", {{"login", login}});
        Reply start = b.get("/api/auth/login/twitch");
        EXPECT_EQ(start.status, 302) << start.body;
        Reply consent = followToFake(start.header("location"));
        EXPECT_EQ(consent.status, 302) << consent.body;
        return b.get(pathOf(consent.header("location")));
    }

    /// GET of a Location on the fake (its /oauth2/authorize), no cookies.
    Reply followToFake(const std::string& location) {
        Poco::URI uri(location);
        return call(fake_->port(), "GET", uri.getPathAndQuery());
    }
    static std::string pathOf(const std::string& location) { return Poco::URI(location).getPathAndQuery(); }

  private:
    void writeConfig(Host& h) {
        const std::string fake = fake_->baseUrl();
        json overlays = {{"session_secret", {{"env", "VALORY_TEST_SESSION_SECRET"}}},
                         {"cookie_secure", false},
                         {"allowed_origins", {kFrontend}},
                         {"cache_namespace", "ovlt" + std::to_string(::getpid())}};
        for (auto& [k, v] : options_.overlaysSettings.items()) overlays[k] = v;
        json plugins = {
            {"persistence",
             {{"settings",
               {{"dsn", dsn_}, {"pool_size", 4}, {"pool_overflow", 4}, {"acquire_timeout_ms", 3000}}}}},
            {"twitch",
             {{"settings",
               {{"client_id", "valorydemoclientid00000000000"},
                {"client_secret", {{"env", "VALORY_TEST_TWITCH_SECRET"}}},
                {"id_base_url", fake + "/oauth2"},
                {"helix_base_url", fake + "/helix"},
                {"deadline_ms", 5000}}}}},
            {"riot",
             {{"settings",
               {{"base_url", fake + "/valorant"},
                {"api_key", {{"env", "VALORY_TEST_HENRIK_KEY"}}},
                {"use_cache_service", false},
                {"deadline_ms", 5000}}}}},
            {"overlays", {{"settings", overlays}}}};
        if (options_.cache) plugins["cache"] = {{"settings", {{"url", redisUrl_}}}};
        json cfg = {{"server",
                     {{"host", "127.0.0.1"},
                      {"port", 0},
                      {"threads", 16},
                      {"cors", {{"origins", {kFrontend}}, {"credentials", true}}}}},
                    {"plugin_path", {VALORY_PLUGINS_DIR}},
                    {"data_dir", (h.dir() / "data").string()},
                    {"logging", {{"level", "debug"}}},
                    {"http_client", {{"max_attempts", 2}, {"backoff_base_ms", 20}, {"backoff_cap_ms", 100}}},
                    {"plugins", plugins}};
        std::ofstream(h.config()) << "// overlays integration test\n" << cfg.dump(2);
    }

    std::string name_;
    StackOptions options_;
    std::unique_ptr<fakes::testing::ServerProcess> fake_;
    std::string dsn_, redisUrl_;
    std::vector<std::unique_ptr<Host>> hosts_;
};

}  // namespace valory::it::overlays
