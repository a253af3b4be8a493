#include "http_client_service.hpp"

#include <Poco/Exception.h>
#include <Poco/InflatingStream.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Timespan.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <istream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "metrics_registry.hpp"
#include "strings.hpp"
#include "url.hpp"
#include "valory/cpp/error.hpp"

// The opaque response handle of the C header.
struct valory_http_client_response {
    int32_t status = 0;
    valory::host::HeaderList headers;
    std::vector<valory_kv> kv;  // views into `headers`, built once they are final
    std::string body;
};

namespace valory::host {

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Settings

int64_t intSetting(const nlohmann::json& j, const char* key, int64_t def, int64_t min, int64_t max) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_number_integer() && !it->is_number_unsigned())
        throw std::invalid_argument(std::string("http_client.") + key + ": expected an integer");
    int64_t v = it->is_number_unsigned()
                    ? static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), INT64_MAX))
                    : it->get<int64_t>();
    if (v < min || v > max)
        throw std::invalid_argument(std::string("http_client.") + key + ": must be between " +
                                    std::to_string(min) + " and " + std::to_string(max));
    return v;
}

std::string stringSetting(const nlohmann::json& j, const char* key, std::string def) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_string())
        throw std::invalid_argument(std::string("http_client.") + key + ": expected a string");
    return it->get<std::string>();
}

// ---------------------------------------------------------------------------------------------
// TLS: one context for the process, set by initializeTls().

std::mutex gTlsMutex;
Poco::Net::Context::Ptr gTlsContext;

Poco::Net::Context::Ptr tlsContext() {
    std::lock_guard lock(gTlsMutex);
    return gTlsContext;
}

// ---------------------------------------------------------------------------------------------
// Request validation

bool isTokenChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isToken(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), isTokenChar);
}

// Framing headers belong to the client; a caller's value would desynchronise the connection.
bool reservedHeader(std::string_view name) {
    return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
           iequals(name, "Connection") || iequals(name, "Host") || iequals(name, "Keep-Alive") ||
           iequals(name, "Upgrade") || iequals(name, "TE");
}

std::string pathOnly(const std::string& target) {
    return target.substr(0, target.find('?'));
}

// ---------------------------------------------------------------------------------------------
// Body decoding

enum class DecodeResult { Ok, Corrupt, TooLarge };

DecodeResult inflateBody(Poco::InflatingInputStream& in, std::size_t limit, std::string& out,
                         std::string& why) {
    in.exceptions(std::ios::badbit);
    out.clear();
    char buf[8192];
    try {
        while (in) {
            in.read(buf, sizeof buf);
            std::streamsize n = in.gcount();
            if (n <= 0) break;
            if (out.size() + static_cast<std::size_t>(n) > limit) return DecodeResult::TooLarge;
            out.append(buf, static_cast<std::size_t>(n));
        }
    } catch (const Poco::Exception& e) {
        why = e.displayText();
        return DecodeResult::Corrupt;
    } catch (const std::exception& e) {
        why = e.what();
        return DecodeResult::Corrupt;
    }
    return DecodeResult::Ok;
}

DecodeResult decodeBody(const std::string& encoding, std::string& body, std::size_t limit, std::string& why) {
    std::string decoded;
    if (iequals(encoding, "gzip") || iequals(encoding, "x-gzip")) {
        std::istringstream raw(body);
        Poco::InflatingInputStream in(raw, Poco::InflatingStreamBuf::STREAM_GZIP);
        DecodeResult r = inflateBody(in, limit, decoded, why);
        if (r != DecodeResult::Ok) return r;
    } else {  // deflate: RFC 9110 says zlib-wrapped; some servers send raw deflate, try that second
        std::istringstream raw(body);
        Poco::InflatingInputStream in(raw, Poco::InflatingStreamBuf::STREAM_ZLIB);
        DecodeResult r = inflateBody(in, limit, decoded, why);
        if (r == DecodeResult::Corrupt) {
            std::istringstream raw2(body);
            Poco::InflatingInputStream in2(raw2, -15);
            std::string why2;
            r = inflateBody(in2, limit, decoded, why2);
        }
        if (r != DecodeResult::Ok) return r;
    }
    if (decoded.empty() && !body.empty()) {
        why = "compressed body decodes to nothing (truncated or corrupt)";
        return DecodeResult::Corrupt;
    }
    body.swap(decoded);
    return DecodeResult::Ok;
}

// Poco 1.11's chunked reader ends silently when the peer closes in the middle of a chunked body,
// so chunked bodies are decoded here, from the session's own buffered reads.
class RawBodyAccess {
  public:
    virtual ~RawBodyAccess() = default;
    virtual int rawGet() = 0;                                  // next byte or EOF (-1)
    virtual int rawRead(char* buffer, std::streamsize n) = 0;  // 0 at EOF
    virtual void connectNow() = 0;                             // connect (and TLS handshake) before sending
};

template <class Base>
class RawAccessSession : public Base, public RawBodyAccess {
  public:
    using Base::Base;
    int rawGet() override { return this->get(); }
    int rawRead(char* buffer, std::streamsize n) override { return this->read(buffer, n); }
    void connectNow() override { this->reconnect(); }
};

void fillKv(valory_http_client_response& r) {
    r.kv.clear();
    r.kv.reserve(r.headers.size());
    for (const auto& [k, v] : r.headers)
        r.kv.push_back(valory_kv{{k.data(), k.size()}, {v.data(), v.size()}});
}

// ---------------------------------------------------------------------------------------------
// vtable thunks

HttpClientService* service(void* self) {
    return static_cast<HttpClientService*>(self);
}

valory_status thunkPerform(void* self, const valory_http_client_request* req,
                           valory_http_client_response** out, valory_http_client_stats* stats,
                           valory_error* err) {
    if (out) *out = nullptr;
    return valory::sdk::guarded(err, [&]() -> valory_status {
        if (!self || !req || !out)
            return valory_fail(err, VALORY_ERR_INVALID_ARGUMENT, "http.client: null argument");
        valory_http_client_request copy{};
        std::memcpy(&copy, req, std::min<std::size_t>(req->struct_size, sizeof copy));
        copy.struct_size = sizeof copy;
        return service(self)->perform(copy, out, stats, err);
    });
}

int32_t thunkStatus(void*, const valory_http_client_response* r) {
    return r ? r->status : 0;
}

size_t thunkHeaders(void*, const valory_http_client_response* r, const valory_kv** out) {
    if (!r) {
        if (out) *out = nullptr;
        return 0;
    }
    if (out) *out = r->kv.empty() ? nullptr : r->kv.data();
    return r->kv.size();
}

valory_str thunkHeader(void*, const valory_http_client_response* r, const char* name, int32_t* found) {
    if (found) *found = 0;
    if (!r || !name) return valory_str{nullptr, 0};
    for (const auto& [k, v] : r->headers) {
        if (iequals(k, name)) {
            if (found) *found = 1;
            return str(v);
        }
    }
    return valory_str{nullptr, 0};
}

valory_str thunkBody(void*, const valory_http_client_response* r) {
    if (!r || r->body.empty()) return valory_str{nullptr, 0};
    return str(r->body);
}

void thunkRelease(void*, valory_http_client_response* r) {
    delete r;
}

const valory_http_client_api kVtable = {
    sizeof(valory_http_client_api),
    thunkPerform,
    thunkStatus,
    thunkHeaders,
    thunkHeader,
    thunkBody,
    thunkRelease,
};

}  // namespace

// ---------------------------------------------------------------------------------------------

HttpClientSettings HttpClientSettings::fromJson(const nlohmann::json& j) {
    HttpClientSettings s;
    if (j.is_null()) return s;
    if (!j.is_object()) throw std::invalid_argument("http_client: settings must be an object");
    static const char* kKnown[] = {"max_connections",
                                   "max_connections_per_host",
                                   "idle_timeout_ms",
                                   "connect_timeout_ms",
                                   "default_deadline_ms",
                                   "max_attempts",
                                   "backoff_base_ms",
                                   "backoff_cap_ms",
                                   "max_body_bytes",
                                   "user_agent",
                                   "ca_file"};
    for (const auto& [k, v] : j.items()) {
        if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* n) { return k == n; }))
            throw std::invalid_argument("http_client." + k + ": unknown setting");
    }
    s.maxConnections = static_cast<std::size_t>(intSetting(j, "max_connections", 30, 1, 10000));
    s.maxConnectionsPerHost =
        static_cast<std::size_t>(intSetting(j, "max_connections_per_host", 10, 1, 10000));
    s.idleTimeout = Ms(intSetting(j, "idle_timeout_ms", 5000, 1, 3600000));
    s.connectTimeout = Ms(intSetting(j, "connect_timeout_ms", 5000, 1, 600000));
    s.defaultDeadline = Ms(intSetting(j, "default_deadline_ms", 10000, 1, 3600000));
    s.maxAttempts = static_cast<uint32_t>(intSetting(j, "max_attempts", 3, 1, 10));
    s.backoffBase = Ms(intSetting(j, "backoff_base_ms", 500, 1, 600000));
    s.backoffCap = Ms(intSetting(j, "backoff_cap_ms", 30000, 1, 3600000));
    s.maxBodyBytes = static_cast<std::size_t>(intSetting(j, "max_body_bytes", 16 << 20, 1, int64_t(1) << 34));
    s.userAgent = stringSetting(j, "user_agent", "valory-host");
    s.caFile = stringSetting(j, "ca_file", "");
    if (s.backoffCap < s.backoffBase)
        throw std::invalid_argument("http_client.backoff_cap_ms: smaller than backoff_base_ms");
    return s;
}

bool HttpClientService::initializeTls(const nlohmann::json& settings) {
    HttpClientSettings s = HttpClientSettings::fromJson(settings);
    std::lock_guard lock(gTlsMutex);
    if (gTlsContext) return false;
    if (!s.caFile.empty() && !std::ifstream(s.caFile).good())
        throw std::invalid_argument("http_client.ca_file: cannot read '" + s.caFile + "'");
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
        Poco::Net::Context::CLIENT_USE, s.caFile, Poco::Net::Context::VERIFY_STRICT, 9, s.caFile.empty());
    ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                          Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    Poco::Net::SSLManager::InvalidCertificateHandlerPtr reject =
        new Poco::Net::RejectCertificateHandler(false);
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, ctx);
    gTlsContext = ctx;
    return true;
}

HttpClientService::HttpClientService(const nlohmann::json& settings)
    : settings_(HttpClientSettings::fromJson(settings)),
      retry_(RetryConfig{settings_.maxAttempts, settings_.backoffBase, settings_.backoffCap}),
      pool_(ConnectionPool::Limits{settings_.maxConnections, settings_.maxConnectionsPerHost,
                                   settings_.idleTimeout},
            [](const Endpoint& ep) -> std::unique_ptr<ConnectionPool::Session> {
                std::unique_ptr<ConnectionPool::Session> s;
                if (ep.secure()) {
                    Poco::Net::Context::Ptr ctx = tlsContext();
                    if (!ctx)
                        throw Poco::Net::SSLContextException(
                            "TLS is not initialised (HttpClientService::initializeTls was not called)");
                    s = std::make_unique<RawAccessSession<Poco::Net::HTTPSClientSession>>(ep.host, ep.port,
                                                                                          ctx);
                    // Handshake on first send, after the deadline watchdog watches the socket: a peer
                    // that accepts TCP but never speaks TLS must not hold the caller past its deadline.
                    Poco::Net::SecureStreamSocket(s->socket()).setLazyHandshake(true);
                } else {
                    s = std::make_unique<RawAccessSession<Poco::Net::HTTPClientSession>>(ep.host, ep.port);
                }
                s->setKeepAlive(true);
                // The pool decides when an idle connection is too old; Poco must not reconnect silently.
                s->setKeepAliveTimeout(Poco::Timespan(24 * 3600, 0));
                return s;
            }) {}

HttpClientService::~HttpClientService() {
    {
        std::lock_guard lock(waitMutex_);
        stopping_ = true;
    }
    waitCv_.notify_all();
    pool_.shutdown();
}

const void* HttpClientService::vtable() const {
    return &kVtable;
}
void* HttpClientService::self() {
    return this;
}
uint32_t HttpClientService::minor() const {
    return VALORY_HTTP_CLIENT_MINOR;
}

ConnectionPool::Stats HttpClientService::poolStats() const {
    return pool_.stats();
}

std::vector<UpstreamMetrics> HttpClientService::metricsSnapshot() const {
    std::lock_guard lock(metricsMutex_);
    std::vector<UpstreamMetrics> out;
    out.reserve(metrics_.size());
    for (const auto& [k, m] : metrics_) out.push_back(m);
    return out;
}

void HttpClientService::setMetrics(MetricsRegistry& registry) {
    using Def = MetricsRegistry::FamilyDef;
    const std::vector<std::string> up{"upstream"};
    std::string message;
    auto define = [&](Def def, uint32_t& id) {
        if (registry.define("host", def, id, message) != VALORY_OK)
            throw std::runtime_error("http.client metrics: " + message);
    };
    RegistryIds ids;
    define(Def{VALORY_METRIC_COUNTER,
               "valory_http_client_requests_total",
               "Outbound HTTP requests sent (attempts)",
               up,
               {}},
           ids.requests);
    define(Def{VALORY_METRIC_COUNTER, "valory_http_client_retries_total", "Outbound HTTP retries", up, {}},
           ids.retries);
    define(Def{VALORY_METRIC_COUNTER,
               "valory_http_client_errors_total",
               "Outbound HTTP calls that failed, by status",
               {"upstream", "status"},
               {}},
           ids.errors);
    define(Def{VALORY_METRIC_HISTOGRAM,
               "valory_http_client_duration_seconds",
               "Outbound HTTP call time (all attempts and waits)",
               up,
               {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}},
           ids.duration);
    define(Def{VALORY_METRIC_COUNTER,
               "valory_http_client_pool_waits_total",
               "Attempts that waited for a free connection",
               up,
               {}},
           ids.poolWaits);
    define(Def{VALORY_METRIC_COUNTER,
               "valory_http_client_pool_wait_seconds_total",
               "Time spent waiting for a free connection",
               up,
               {}},
           ids.poolWaitSeconds);
    define(Def{VALORY_METRIC_COUNTER,
               "valory_http_client_connections_opened_total",
               "Outbound connections opened",
               up,
               {}},
           ids.opened);
    define(Def{VALORY_METRIC_GAUGE,
               "valory_http_client_connections_open",
               "Outbound connections open (in use + idle)",
               {},
               {}},
           ids.open);
    std::lock_guard lock(metricsMutex_);
    ids_ = ids;
    registry_ = &registry;
}

UpstreamMetrics& HttpClientService::metricsFor(const std::string& upstream) {
    auto [it, inserted] = metrics_.try_emplace(upstream);
    if (inserted) it->second.upstream = upstream;
    return it->second;
}

bool HttpClientService::sleepUntil(Clock::time_point until) {
    std::unique_lock lock(waitMutex_);
    waitCv_.wait_until(lock, until, [&] { return stopping_; });
    return !stopping_;
}

// ---------------------------------------------------------------------------------------------
// One attempt: lease a connection, send, read the complete answer, give the connection back.

struct HttpClientService::Attempt {
    enum class Kind {
        Response,
        PoolTimeout,
        Timeout,
        ConnectFailed,
        ConnectionLost,
        Tls,
        Malformed,
        TooLarge
    };

    // in
    const ParsedUrl* url = nullptr;
    std::string method;
    const valory_http_client_request* req = nullptr;
    Clock::time_point deadline;
    bool decode = true;  // we sent Accept-Encoding ourselves
    // out
    Kind kind = Kind::Response;
    std::string message;
    bool reused = false;
    bool opened = false;
    bool poolWaited = false;
    Ms poolWait{0};
    int status = 0;
    HeaderList headers;
    std::string body;
};

void HttpClientService::runAttempt(Attempt& a) {
    const Endpoint& ep = a.url->endpoint;
    const std::string where = ep.key() + pathOnly(a.url->target);

    std::optional<ConnectionPool::Lease> lease;
    const auto acquireStart = Clock::now();
    try {
        lease = pool_.acquire(ep, a.deadline);
    } catch (const Poco::Net::SSLException& e) {
        a.kind = Attempt::Kind::Tls;
        a.message = "TLS setup failed for " + ep.key() + ": " + e.displayText();
        return;
    } catch (const Poco::Exception& e) {
        a.kind = Attempt::Kind::ConnectFailed;
        a.message = "cannot create a connection to " + ep.key() + ": " + e.displayText();
        return;
    }
    if (!lease) {
        a.kind = Attempt::Kind::PoolTimeout;
        a.poolWaited = true;
        a.poolWait = std::chrono::duration_cast<Ms>(Clock::now() - acquireStart);
        auto st = pool_.stats();
        a.message = "no free connection to " + ep.key() + " before the deadline (pool limits " +
                    std::to_string(pool_.limits().total) + " total / " +
                    std::to_string(pool_.limits().perHost) + " per host, " + std::to_string(st.open) +
                    " open)";
        return;
    }
    a.reused = lease->reused;
    a.opened = !lease->reused;
    a.poolWait = lease->waited;
    a.poolWaited = lease->waited.count() > 0;
    std::unique_ptr<ConnectionPool::Session> session = std::move(lease->session);
    bool reusable = false;
    bool connectedBefore = a.reused;
    DeadlineWatchdog::Guard guard;
    // Every way back to the pool stops the watchdog first: a shut-down socket is never reused.
    auto giveBack = [&](bool keep) {
        bool fired = guard.release();
        pool_.release(ep, std::move(session), keep && !fired);
    };

    auto remaining = [&]() -> Poco::Timespan {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(a.deadline - Clock::now()).count();
        if (left < 1000) throw Poco::TimeoutException("deadline reached");
        return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(left));
    };

    try {
        Poco::Timespan left = remaining();
        Poco::Timespan connectTimeout = std::min(
            left,
            Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(settings_.connectTimeout.count()) * 1000));
        session->setTimeout(connectTimeout, left, left);
        if (session->connected()) {
            session->socket().setSendTimeout(left);
            session->socket().setReceiveTimeout(left);
        } else {
            auto* access = dynamic_cast<RawBodyAccess*>(session.get());
            if (!access) throw Poco::IllegalStateException("session without raw access");
            access->connectNow();
        }
        connectedBefore = true;
        guard = watchdog_.watch(static_cast<int>(session->socket().impl()->sockfd()), a.deadline);

        Poco::Net::HTTPRequest preq(a.method, a.url->target, Poco::Net::HTTPMessage::HTTP_1_1);
        bool hasAcceptEncoding = false;
        bool hasUserAgent = false;
        for (std::size_t i = 0; i < a.req->header_count; ++i) {
            std::string name(view(a.req->headers[i].key));
            if (iequals(name, "Accept-Encoding")) hasAcceptEncoding = true;
            if (iequals(name, "User-Agent")) hasUserAgent = true;
            preq.add(name, std::string(view(a.req->headers[i].value)));
        }
        a.decode = !hasAcceptEncoding;
        if (!hasAcceptEncoding) preq.set("Accept-Encoding", "gzip, deflate");
        if (!hasUserAgent) preq.set("User-Agent", settings_.userAgent);
        std::string_view body = view(a.req->body);
        if (!body.empty() || a.method == "POST" || a.method == "PUT" || a.method == "PATCH")
            preq.setContentLength64(static_cast<Poco::Int64>(body.size()));
        preq.setKeepAlive(true);

        std::ostream& os = session->sendRequest(preq);
        session->socket().setSendTimeout(remaining());
        session->socket().setReceiveTimeout(remaining());
        os.exceptions(std::ios::badbit);
        if (!body.empty()) os.write(body.data(), static_cast<std::streamsize>(body.size()));

        Poco::Net::HTTPResponse presp;
        std::istream& rs = session->receiveResponse(presp);
        rs.exceptions(std::ios::badbit);
        a.status = static_cast<int>(presp.getStatus());
        for (const auto& [k, v] : presp) a.headers.emplace_back(k, v);

        // Read the raw body in slices, re-arming the receive timeout to what is left of the deadline.
        const bool bodyless = a.method == "HEAD" || a.status == 204 || a.status == 304 || a.status < 200;
        // Written so that a huge `more` (a chunk size near SIZE_MAX) cannot wrap the sum around.
        auto tooLarge = [&](std::size_t more) {
            return more > settings_.maxBodyBytes || a.body.size() > settings_.maxBodyBytes - more;
        };
        auto failTooLarge = [&] {
            a.kind = Attempt::Kind::TooLarge;
            a.message = "response body of " + where + " exceeds max_body_bytes (" +
                        std::to_string(settings_.maxBodyBytes) + ")";
            giveBack(false);
        };
        auto failTruncated = [&](const std::string& what) {
            a.kind = Attempt::Kind::Malformed;
            a.message = "truncated response from " + where + ": " + what;
            giveBack(false);
        };
        char buf[4096];
        if (!bodyless && presp.hasContentLength() && presp.getContentLength64() >= 0 &&
            tooLarge(static_cast<std::size_t>(presp.getContentLength64())))
            return failTooLarge();
        if (!bodyless && presp.getChunkedTransferEncoding()) {
            auto* raw = dynamic_cast<RawBodyAccess*>(session.get());
            if (!raw) throw Poco::IllegalStateException("session without raw access");
            auto readLine = [&](std::string& line) -> bool {
                line.clear();
                session->socket().setReceiveTimeout(remaining());
                for (;;) {
                    int ch = raw->rawGet();
                    if (ch < 0) return false;
                    if (ch == '\n') break;
                    if (line.size() > 4096) throw Poco::Net::MessageException("chunk header line too long");
                    line.push_back(static_cast<char>(ch));
                }
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return true;
            };
            std::string line;
            for (;;) {
                if (!readLine(line))
                    return failTruncated("connection closed inside a chunked body after " +
                                         std::to_string(a.body.size()) + " bytes");
                std::string hex = line.substr(0, line.find(';'));
                while (!hex.empty() && (hex.back() == ' ' || hex.back() == '\t')) hex.pop_back();
                std::size_t size = 0;
                auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
                if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size())
                    throw Poco::Net::MessageException("invalid chunk size '" + hex.substr(0, 16) + "'");
                if (size == 0) {
                    // Trailer section up to the empty line; the peer closing right after "0" is tolerated.
                    while (readLine(line) && !line.empty()) {
                    }
                    break;
                }
                if (tooLarge(size)) return failTooLarge();
                while (size > 0) {
                    session->socket().setReceiveTimeout(remaining());
                    int n = raw->rawRead(buf, static_cast<std::streamsize>(std::min(size, sizeof buf)));
                    if (n <= 0)
                        return failTruncated("connection closed inside a chunk after " +
                                             std::to_string(a.body.size()) + " bytes");
                    a.body.append(buf, static_cast<std::size_t>(n));
                    size -= static_cast<std::size_t>(n);
                }
                if (!readLine(line)) return failTruncated("connection closed after a chunk");
                if (!line.empty()) throw Poco::Net::MessageException("missing CRLF after a chunk");
            }
        } else {
            while (!bodyless) {
                session->socket().setReceiveTimeout(remaining());
                rs.read(buf, sizeof buf);
                std::streamsize n = rs.gcount();
                if (n > 0) {
                    if (tooLarge(static_cast<std::size_t>(n))) return failTooLarge();
                    a.body.append(buf, static_cast<std::size_t>(n));
                }
                if (!rs) break;
            }
            if (!bodyless && presp.hasContentLength() &&
                static_cast<Poco::Int64>(a.body.size()) < presp.getContentLength64())
                return failTruncated("got " + std::to_string(a.body.size()) + " of " +
                                     std::to_string(presp.getContentLength64()) +
                                     " body bytes before the connection closed");
        }
        reusable = presp.getKeepAlive() &&
                   (bodyless || presp.hasContentLength() || presp.getChunkedTransferEncoding());
        giveBack(reusable);
        session.reset();

        // Transparent decompression (only when we asked for it).
        const std::string* enc = findHeader(a.headers, "Content-Encoding");
        if (a.decode && enc && !a.body.empty() &&
            (iequals(*enc, "gzip") || iequals(*enc, "x-gzip") || iequals(*enc, "deflate"))) {
            std::string why;
            switch (decodeBody(*enc, a.body, settings_.maxBodyBytes, why)) {
                case DecodeResult::Ok:
                    a.headers.erase(std::remove_if(a.headers.begin(), a.headers.end(),
                                                   [](const auto& h) {
                                                       return iequals(h.first, "Content-Encoding") ||
                                                              iequals(h.first, "Content-Length");
                                                   }),
                                    a.headers.end());
                    break;
                case DecodeResult::TooLarge:
                    a.kind = Attempt::Kind::TooLarge;
                    a.message = "decoded response body of " + where + " exceeds max_body_bytes (" +
                                std::to_string(settings_.maxBodyBytes) + ")";
                    return;
                case DecodeResult::Corrupt:
                    a.kind = Attempt::Kind::Malformed;
                    a.message = "corrupt " + *enc + " body from " + where + ": " + why;
                    return;
            }
        }
        a.kind = Attempt::Kind::Response;
        return;
    } catch (const Poco::TimeoutException&) {
        a.kind = Attempt::Kind::Timeout;
        a.message =
            std::string(connectedBefore ? "timed out waiting for " : "timed out connecting to ") + where;
    } catch (const Poco::Net::SSLException& e) {
        a.kind = Attempt::Kind::Tls;
        a.message = "TLS failure with " + ep.key() + ": " + e.displayText();
    } catch (const Poco::Net::NoMessageException&) {
        a.kind = Attempt::Kind::ConnectionLost;
        a.message = ep.key() + " closed the connection without answering";
    } catch (const Poco::Net::MessageException& e) {
        a.kind = Attempt::Kind::Malformed;
        a.message = "malformed HTTP response from " + where + ": " + e.displayText();
    } catch (const Poco::DataException& e) {  // e.g. a non-numeric status code
        a.kind = Attempt::Kind::Malformed;
        a.message = "malformed HTTP response from " + where + ": " + e.displayText();
    } catch (const Poco::Exception& e) {
        if (!connectedBefore) {
            a.kind = Attempt::Kind::ConnectFailed;
            a.message = "cannot connect to " + ep.key() + ": " + e.displayText();
        } else {
            a.kind = Attempt::Kind::ConnectionLost;
            a.message = "connection to " + ep.key() + " failed: " + e.displayText();
        }
    } catch (const std::exception& e) {
        a.kind = Attempt::Kind::ConnectionLost;
        a.message = "request to " + where + " failed: " + e.what();
    }
    if (guard.release()) {  // the watchdog cut the connection at the deadline
        a.kind = Attempt::Kind::Timeout;
        a.message = "deadline reached while waiting for " + where;
    }
    if (session) pool_.release(ep, std::move(session), false);
}

// ---------------------------------------------------------------------------------------------

valory_status HttpClientService::perform(const valory_http_client_request& req,
                                         valory_http_client_response** out, valory_http_client_stats* stats,
                                         valory_error* err) {
    const auto start = Clock::now();
    *out = nullptr;
    valory_http_client_stats st{};
    st.struct_size = sizeof st;

    // --- validation
    std::string method = req.method.size ? std::string(view(req.method)) : std::string("GET");
    std::string why;
    auto url = parseUrl(view(req.url), why);
    auto finishStats = [&] {
        st.elapsed_ms = static_cast<uint64_t>(std::chrono::duration_cast<Ms>(Clock::now() - start).count());
        if (stats && stats->struct_size >= sizeof(uint32_t)) {
            uint32_t size = stats->struct_size;
            std::memcpy(stats, &st, std::min<std::size_t>(size, sizeof st));
            stats->struct_size = size;
        }
    };
    auto invalid = [&](const std::string& msg) {
        finishStats();
        return valory_fail(err, VALORY_ERR_INVALID_ARGUMENT, ("http.client: " + msg).c_str());
    };
    if (!isToken(method)) return invalid("invalid method");
    for (char c : method)
        if (c >= 'a' && c <= 'z') return invalid("method must be upper case");
    if (!url) return invalid(why);
    if (req.header_count && !req.headers) return invalid("headers is NULL but header_count > 0");
    for (std::size_t i = 0; i < req.header_count; ++i) {
        std::string_view k = view(req.headers[i].key);
        std::string_view v = view(req.headers[i].value);
        if (!isToken(k)) return invalid("invalid header name '" + std::string(k) + "'");
        if (v.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
            return invalid("header '" + std::string(k) + "' contains CR, LF or NUL");
        if (reservedHeader(k)) return invalid("header '" + std::string(k) + "' is set by the client itself");
    }

    const Ms budget = req.deadline_ms
                          ? Ms(static_cast<int64_t>(std::min<uint64_t>(req.deadline_ms, 24ull * 3600 * 1000)))
                          : settings_.defaultDeadline;
    const Clock::time_point deadline = start + budget;
    const uint32_t maxAttempts =
        req.max_attempts ? std::min<uint32_t>(req.max_attempts, 10) : settings_.maxAttempts;
    const bool retryAllowed = RetryPolicy::mayRetry(method, req.flags);
    const std::string upstream = url->endpoint.key();
    const std::string where = method + " " + upstream + pathOnly(url->target);

    valory_status result = VALORY_OK;
    std::string message;
    int64_t detail = 0;
    std::unique_ptr<valory_http_client_response> response;
    uint32_t attempts = 0;
    uint32_t staleRetries = 0;

    auto leftMs = [&] { return std::chrono::duration_cast<Ms>(deadline - Clock::now()); };

    for (;;) {
        Attempt a;
        a.url = &*url;
        a.method = method;
        a.req = &req;
        a.deadline = deadline;
        runAttempt(a);
        ++attempts;
        st.attempts = attempts;
        if (a.reused) ++st.connections_reused;
        if (a.opened) ++st.connections_opened;
        st.pool_wait_ms += static_cast<uint64_t>(a.poolWait.count());
        {
            std::lock_guard lock(metricsMutex_);
            UpstreamMetrics& m = metricsFor(upstream);
            if (a.kind != Attempt::Kind::PoolTimeout) ++m.requests;
            if (a.poolWaited) {
                ++m.poolWaits;
                m.poolWaitMs += static_cast<uint64_t>(a.poolWait.count());
            }
            if (a.reused) ++m.connectionsReused;
            if (a.opened) ++m.connectionsOpened;
            if (registry_) {
                if (a.kind != Attempt::Kind::PoolTimeout) registry_->counterAdd(ids_.requests, {upstream});
                if (a.poolWaited) {
                    registry_->counterAdd(ids_.poolWaits, {upstream});
                    registry_->counterAdd(ids_.poolWaitSeconds, {upstream},
                                          static_cast<double>(a.poolWait.count()) / 1000.0);
                }
                if (a.opened) registry_->counterAdd(ids_.opened, {upstream});
            }
        }

        if (a.kind == Attempt::Kind::Response) {
            auto resp = std::make_unique<valory_http_client_response>();
            resp->status = a.status;
            resp->headers = std::move(a.headers);
            resp->body = std::move(a.body);
            fillKv(*resp);
            response = std::move(resp);
            if (!RetryPolicy::isRetryableStatus(a.status)) {
                result = VALORY_OK;
                break;
            }
            auto serverWait = RetryPolicy::serverWait(response->headers, std::chrono::system_clock::now());
            auto d = retry_.decide(retryAllowed, attempts, maxAttempts, serverWait, leftMs());
            if (!d.retry) {
                if (req.flags & VALORY_HTTP_CLIENT_RAW_STATUS) {
                    result = VALORY_OK;
                } else if (a.status == 429) {
                    result = VALORY_ERR_RATE_LIMITED;
                    detail = d.wait.count();
                    message = where + " is rate limited (429); retry in " + std::to_string(d.wait.count()) +
                              " ms" + (d.beyondDeadline ? " (beyond the deadline)" : "");
                } else {
                    result = VALORY_ERR_UNAVAILABLE;
                    detail = a.status;
                    message = where + " answered " + std::to_string(a.status) + " after " +
                              std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
                }
                break;
            }
            response.reset();  // a newer answer replaces it
            st.waited_ms += static_cast<uint64_t>(d.wait.count());
            if (!sleepUntil(Clock::now() + d.wait)) {
                result = VALORY_ERR_UNAVAILABLE;
                message = "http.client is shutting down";
                break;
            }
            continue;
        }

        // No usable answer.
        switch (a.kind) {
            case Attempt::Kind::PoolTimeout:
                result = VALORY_ERR_TIMEOUT;
                message = where + ": " + a.message;
                break;
            case Attempt::Kind::Tls:
                result = VALORY_ERR_UNAVAILABLE;
                message = a.message;
                break;
            case Attempt::Kind::Malformed:
                result = VALORY_ERR_UPSTREAM;
                message = a.message;
                break;
            case Attempt::Kind::TooLarge:
                result = VALORY_ERR_TOO_LARGE;
                message = a.message;
                break;
            case Attempt::Kind::Timeout:
            case Attempt::Kind::ConnectFailed:
            case Attempt::Kind::ConnectionLost: {
                // A kept-alive connection the peer had just closed: one free immediate retry.
                if (a.kind == Attempt::Kind::ConnectionLost && a.reused && retryAllowed &&
                    staleRetries == 0 && leftMs().count() > 0) {
                    ++staleRetries;
                    --attempts;
                    continue;
                }
                result = a.kind == Attempt::Kind::Timeout ? VALORY_ERR_TIMEOUT : VALORY_ERR_UNAVAILABLE;
                message = where + ": " + a.message;
                if (leftMs().count() <= 0) {
                    result = VALORY_ERR_TIMEOUT;
                    break;
                }
                auto d = retry_.decide(retryAllowed, attempts, maxAttempts, std::nullopt, leftMs());
                if (!d.retry) break;
                st.waited_ms += static_cast<uint64_t>(d.wait.count());
                if (!sleepUntil(Clock::now() + d.wait)) {
                    result = VALORY_ERR_UNAVAILABLE;
                    message = "http.client is shutting down";
                    break;
                }
                continue;
            }
            case Attempt::Kind::Response:
                break;
        }
        break;
    }

    st.attempts = attempts;
    finishStats();
    {
        std::lock_guard lock(metricsMutex_);
        UpstreamMetrics& m = metricsFor(upstream);
        ++m.calls;
        if (attempts > 1) m.retries += attempts - 1;
        if (result != VALORY_OK) {
            ++m.errors;
            ++m.errorsByStatus[valory::sdk::statusName(result)];
        }
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        ++m.latencyCount;
        m.latencySumMs += ms;
        std::size_t b = 0;
        while (b < UpstreamMetrics::kLatencyBucketsMs.size() && ms > UpstreamMetrics::kLatencyBucketsMs[b])
            ++b;
        ++m.latencyBuckets[b];
        if (registry_) {
            if (attempts > 1) registry_->counterAdd(ids_.retries, {upstream}, attempts - 1);
            if (result != VALORY_OK)
                registry_->counterAdd(ids_.errors, {upstream, valory::sdk::statusName(result)});
            registry_->histogramObserve(ids_.duration, {upstream}, ms / 1000.0);
            registry_->gaugeSet(ids_.open, {}, static_cast<double>(pool_.stats().open));
        }
    }
    if (response) *out = response.release();
    if (result != VALORY_OK) {
        valory_fail(err, result, message.c_str());
        if (err) err->detail = detail;
    }
    return result;
}

}  // namespace valory::host
