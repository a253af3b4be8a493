// Valory SDK C++ wrapper: facade over the host service `http.client/1` (valory/http_client.h).
//
//   auto client = host.acquire<valory::sdk::HttpClient>();
//   auto r = client.get("https://api.example/x?id=1", {{"Authorization", "Bearer t"}},
//                       std::chrono::seconds(10));
//   if (r.status == 200) use(r.body);
//
// Any complete HTTP answer other than 429/5xx is returned (check `status`; 404 is not an exception).
// Everything else throws HttpClientError (a valory::sdk::Error): status() says what happened
// (VALORY_ERR_RATE_LIMITED with detail() = wait in ms, VALORY_ERR_UNAVAILABLE, VALORY_ERR_TIMEOUT,
// VALORY_ERR_UPSTREAM, ...), and response() holds the last answer when one arrived.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "valory/cpp/error.hpp"
#include "valory/cpp/service_facade.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/http_client.h"

namespace valory::sdk {

/// Header list in order; repeated names are separate entries.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// Per-call counters reported by the host.
struct HttpCallStats {
    uint32_t attempts = 0;
    uint32_t connectionsReused = 0;
    uint32_t connectionsOpened = 0;
    std::chrono::milliseconds elapsed{0};
    std::chrono::milliseconds waited{0};
    std::chrono::milliseconds poolWait{0};
};

struct HttpResponse {
    int status = 0;
    HttpHeaders headers;
    std::string body;  // decoded when it was gzip/deflate encoded
    HttpCallStats stats;

    /// First value of a header (case-insensitive name), or nullopt.
    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [k, v] : headers)
            if (iequals(k, name)) return v;
        return std::nullopt;
    }
    /// Every value of a header, in order.
    std::vector<std::string> headerAll(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : headers)
            if (iequals(k, name)) out.push_back(v);
        return out;
    }
    bool ok() const noexcept { return status >= 200 && status < 300; }
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;  // absolute http(s) URL, query encoded (see urlEncode / appendQuery)
    HttpHeaders headers;
    std::string body;
    std::chrono::milliseconds deadline{0};  // 0 = host default; covers all attempts and waits
    uint32_t flags = 0;                     // VALORY_HTTP_CLIENT_IDEMPOTENT / _NO_RETRY / _RAW_STATUS
    uint32_t maxAttempts = 0;               // 0 = host default
};

/// A failed call: status() / detail() as documented in http_client.h, plus the last answer if any.
class HttpClientError : public Error {
  public:
    HttpClientError(valory_status status, const std::string& message, int64_t detail,
                    std::optional<HttpResponse> response, HttpCallStats stats)
        : Error(status, message, detail), response_(std::move(response)), stats_(stats) {}
    const std::optional<HttpResponse>& response() const noexcept { return response_; }
    const HttpCallStats& stats() const noexcept { return stats_; }

  private:
    std::optional<HttpResponse> response_;
    HttpCallStats stats_;
};

/// Percent-encodes everything except RFC 3986 unreserved characters (for query values and path segments).
inline std::string urlEncode(std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

/// Appends `k=v` pairs (encoded, repeated keys kept) to a URL with or without a query.
inline std::string appendQuery(std::string url,
                               const std::vector<std::pair<std::string, std::string>>& params) {
    bool hasQuery = url.find('?') != std::string::npos;
    for (const auto& [k, v] : params) {
        url.push_back(hasQuery ? '&' : '?');
        hasQuery = true;
        url += urlEncode(k);
        url.push_back('=');
        url += urlEncode(v);
    }
    return url;
}

template <>
struct ServiceTraits<valory_http_client_api> {
    static constexpr std::string_view kName = VALORY_HTTP_CLIENT_SERVICE;
    static constexpr uint32_t kMajor = VALORY_HTTP_CLIENT_MAJOR;
    static bool complete(const valory_http_client_api* v) noexcept {
        return VALORY_HAS_FIELD(v, valory_http_client_api, response_release) && v->perform &&
               v->response_status && v->response_headers && v->response_header && v->response_body &&
               v->response_release;
    }
};

class HttpClient : public ServiceFacade<valory_http_client_api> {
  public:
    using ServiceFacade::ServiceFacade;

    /// Performs a request; see the file comment for what throws.
    HttpResponse request(const HttpRequest& r) const {
        std::vector<valory_kv> kv;
        kv.reserve(r.headers.size());
        for (const auto& [k, v] : r.headers) kv.push_back(valory_kv{str(k), str(v)});
        valory_http_client_request req{};
        req.struct_size = sizeof(req);
        req.method = str(r.method);
        req.url = str(r.url);
        req.headers = kv.empty() ? nullptr : kv.data();
        req.header_count = kv.size();
        req.body = str(r.body);
        req.deadline_ms = millis(r.deadline);
        req.flags = r.flags;
        req.max_attempts = r.maxAttempts;

        valory_http_client_stats st{};
        st.struct_size = sizeof(st);
        valory_error err = makeError();
        valory_http_client_response* raw = nullptr;
        valory_status s = api_->perform(self_, &req, &raw, &st, &err);
        std::unique_ptr<valory_http_client_response, Releaser> owned(raw, Releaser{api_, self_});

        HttpCallStats stats;
        stats.attempts = st.attempts;
        stats.connectionsReused = st.connections_reused;
        stats.connectionsOpened = st.connections_opened;
        stats.elapsed = std::chrono::milliseconds(st.elapsed_ms);
        stats.waited = std::chrono::milliseconds(st.waited_ms);
        stats.poolWait = std::chrono::milliseconds(st.pool_wait_ms);

        std::optional<HttpResponse> resp;
        if (owned) resp = convert(owned.get(), stats);
        if (s != VALORY_OK) {
            std::string msg = err.message[0] ? err.message : statusName(s);
            throw HttpClientError(s, r.method + " " + stripQuery(r.url) + ": " + msg, err.detail,
                                  std::move(resp), stats);
        }
        if (!resp)
            throw HttpClientError(VALORY_ERR_INTERNAL, "http.client returned no response", 0, std::nullopt,
                                  stats);
        return std::move(*resp);
    }

    HttpResponse get(std::string url, HttpHeaders headers = {}, std::chrono::milliseconds deadline = {},
                     uint32_t flags = 0) const {
        HttpRequest r;
        r.url = std::move(url);
        r.headers = std::move(headers);
        r.deadline = deadline;
        r.flags = flags;
        return request(r);
    }

    /// POST is retried only with flags containing VALORY_HTTP_CLIENT_IDEMPOTENT.
    HttpResponse post(std::string url, std::string body, HttpHeaders headers = {},
                      std::chrono::milliseconds deadline = {}, uint32_t flags = 0) const {
        HttpRequest r;
        r.method = "POST";
        r.url = std::move(url);
        r.body = std::move(body);
        r.headers = std::move(headers);
        r.deadline = deadline;
        r.flags = flags;
        return request(r);
    }

  private:
    struct Releaser {
        const valory_http_client_api* vt;
        void* self;
        void operator()(valory_http_client_response* r) const noexcept { vt->response_release(self, r); }
    };

    HttpResponse convert(const valory_http_client_response* r, const HttpCallStats& stats) const {
        HttpResponse out;
        out.status = api_->response_status(self_, r);
        const valory_kv* kv = nullptr;
        std::size_t n = api_->response_headers(self_, r, &kv);
        out.headers.reserve(n);
        for (std::size_t i = 0; i < n; ++i) out.headers.emplace_back(view(kv[i].key), view(kv[i].value));
        out.body = view(api_->response_body(self_, r));
        out.stats = stats;
        return out;
    }

    // Query strings may carry keys or tokens: keep them out of exception messages.
    static std::string stripQuery(const std::string& url) { return url.substr(0, url.find('?')); }
};

}  // namespace valory::sdk
