// Fake Twitch (id.twitch.tv + Helix) and fake HenrikDev servers for tests and the demo profile.
//
// The HTTP layer (main.cpp, Poco Net) turns each request into an Incoming and writes back the
// Reply; everything that decides what a real upstream would answer lives in FakeUpstreams, which
// is plain C++ and thread-safe (one mutex; slow replies sleep outside it).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace valory::fakes {

using Json = nlohmann::json;

struct Incoming {
    std::string method;
    std::string target;                                        // raw, as received
    std::vector<std::string> segments;                         // decoded path segments
    std::string path;                                          // decoded path ("/a/b")
    std::vector<std::pair<std::string, std::string>> query;    // decoded, repeated keys kept
    std::vector<std::pair<std::string, std::string>> headers;  // as received
    std::string body;
    std::string listener;  // "http" or "https"

    std::optional<std::string> header(std::string_view name) const;
    std::optional<std::string> param(std::string_view name) const;  // first query value
    std::vector<std::string> params(std::string_view name) const;   // every value of a key
};

struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string contentType = "application/json; charset=utf-8";
    bool truncate = false;  // send half of the body under the full Content-Length, then close
    bool gzipAllowed = true;
    std::chrono::milliseconds delay{0};  // slept by the HTTP layer before answering (outside locks)
};

/// A failure mode applied to one route family until `remaining` requests (or 429 windows) ran out.
struct ModeSpec {
    std::string mode = "normal";     // normal | expired-401 | 429 | 5xx | slow | truncated | malformed | deny
    int remaining = -1;              // requests (429: windows) still affected; -1 = until changed
    int status = 503;                // 5xx status
    double resetAfterS = 2.0;        // 429: the window length
    std::string rlHeaders = "auto";  // 429: auto | ratelimit | x-ratelimit | retry-after | all | none
    bool falseRemaining = false;     // 429 that still says Ratelimit-Remaining > 0
    double slowS = 0.0;              // slow: seconds before answering (then a normal answer)
    int64_t windowUntilMs = 0;       // 429: current window end (ms since epoch), 0 = none
};

struct LogEntry {
    int64_t tMs;
    std::string method, path, query, family, listener;
    int status;
    bool authorization;
};

class FakeUpstreams {
  public:
    FakeUpstreams();

    /// Replaces (or with merge=true, upserts into) the seeded data. Throws std::exception on a bad seed.
    void seed(const Json& seed, bool merge = false);

    /// Handles one request. Never throws (bugs become 500 with a message).
    Reply handle(const Incoming& in);

    /// Connection counters come from the listeners; set by the HTTP layer.
    void setConnectionCounter(std::function<Json()> counter) { connectionCounter_ = std::move(counter); }

    /// The HTTP layer reports each gzip-encoded reply (counted for tests).
    void noteGzip() {
        std::lock_guard lock(mutex_);
        ++gzipResponses_;
    }

    static int64_t nowMs();

  private:
    struct TwitchUser {
        Json user;    // Helix user object
        Json stream;  // null when offline, else stream fields
    };
    struct Token {
        std::string kind;  // app | user
        std::string clientId, userId;
        int64_t expiresAtMs = 0;
        std::vector<std::string> scopes;
        bool revoked = false;
        std::string refreshToken;
    };
    struct Code {
        std::string userId, redirectUri;
        std::vector<std::string> scopes;
        bool used = false;
    };
    struct Bucket {
        int64_t windowStartMs = 0;
        int used = 0;
    };

    Reply route(const Incoming& in, const std::string& family, std::unique_lock<std::mutex>& lock);
    std::string familyOf(const Incoming& in) const;
    std::optional<Reply> applyMode(const Incoming& in, const std::string& family);
    Reply modeReply(const std::string& family, ModeSpec& spec, int64_t now);

    // control
    Reply control(const Incoming& in);
    void resetCounters();
    Json counters() const;
    void seedLocked(const Json& seed, bool merge);

    // twitch
    Reply twitchAuthorize(const Incoming& in);
    Reply twitchToken(const Incoming& in);
    Reply twitchValidate(const Incoming& in);
    Reply twitchRevoke(const Incoming& in);
    Reply helix(const Incoming& in, const std::string& family);
    Reply helixUsers(const Incoming& in, const Token& token);
    Reply helixStreams(const Incoming& in);
    Reply helixError(int status, const std::string& message) const;
    Reply idError(int status, const std::string& message) const;
    std::string newToken(int length = 30);
    const TwitchUser* userById(const std::string& id) const;
    const TwitchUser* userByLogin(const std::string& login) const;

    // henrik
    Reply henrik(const Incoming& in, const std::string& family);
    Reply henrikError(int status, int code, const std::string& message, const Json& details = nullptr) const;
    const Json* playerByName(const std::string& name, const std::string& tag) const;
    const Json* playerByPuuid(const std::string& puuid) const;
    Json accountV1(const Json& p) const;
    Json accountV2(const Json& p) const;
    Json mmrV1(const Json& p) const;
    Json mmrV2(const Json& p) const;
    Json mmrV3(const Json& p) const;
    Json matchesV4(const Json& p, const std::string& mode, size_t size) const;
    Json leaderboardV3(const std::string& affinity, size_t size, size_t page) const;
    /// /__control/match: appends a played match (newest first) and moves the player's MMR.
    Reply addMatch(const Json& body);

    mutable std::mutex mutex_;
    std::function<Json()> connectionCounter_;

    // seeded data
    std::string clientId_, clientSecret_;
    std::vector<std::string> redirectUris_;
    int64_t appTokenTtlS_ = 5011271, userTokenTtlS_ = 14124;
    int helixLimit_ = 800;
    int helixWindowS_ = 60;
    std::string authorizeLogin_;
    std::vector<TwitchUser> users_;
    std::map<std::string, size_t> userIdx_, loginIdx_;  // id / lower-case login -> index
    std::vector<std::string> henrikKeys_;
    bool henrikRequireKey_ = true;
    int henrikLimit_ = 30;
    int henrikWindowS_ = 60;
    std::string henrikResetFormat_ = "seconds";  // seconds | epoch
    std::vector<Json> players_;

    // runtime state
    std::map<std::string, Token> tokens_;
    std::map<std::string, std::string> refreshTokens_;  // refresh -> access
    std::map<std::string, Code> codes_;
    std::map<std::string, Bucket> helixBuckets_;   // per token
    std::map<std::string, Bucket> henrikBuckets_;  // per key
    std::map<std::string, ModeSpec> modes_;        // per family
    bool gzip_ = true;
    uint64_t rng_ = 0x9E3779B97F4A7C15ull;
    int64_t matchesAdded_ = 0;

    // counters
    std::map<std::string, int64_t> byPath_, byFamily_, byStatus_;
    int64_t total_ = 0, early429_ = 0, codeExchanges_ = 0, codeReuse_ = 0, gzipResponses_ = 0;
    int64_t appTokensIssued_ = 0, userTokensIssued_ = 0, refreshes_ = 0;
    std::deque<LogEntry> log_;

    friend struct FakeAccess;
};

/// Tier names of the current ("ascendant") ranking schema, 0..27.
const std::string& tierName(int tier);
/// A deterministic UUID-shaped id derived from a string.
std::string fakeUuid(const std::string& seed);
/// Epoch milliseconds as ISO-8601 UTC with milliseconds ("2026-11-25T20:00:00.000Z").
std::string isoUtcMs(int64_t epochMs);
/// Lower-cases ASCII letters (names from other scripts compare byte-wise).
std::string lowerAscii(std::string s);

}  // namespace valory::fakes
