// Valory SDK C++ wrapper: request and response facades over the C HTTP surface.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "valory/cpp/error.hpp"
#include "valory/cpp/json.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/http.h"

namespace valory::sdk {

/// Read-only view of a request; every string_view is valid until the handler returns.
class Request {
  public:
    Request(const valory_http_api* http, const valory_request* req) noexcept : http_(http), req_(req) {}

    std::string_view method() const noexcept { return view(http_->request_method(req_)); }
    std::string_view target() const noexcept { return view(http_->request_target(req_)); }
    std::string_view path() const noexcept { return view(http_->request_path(req_)); }
    std::string_view route() const noexcept { return view(http_->request_route(req_)); }
    std::string_view body() const noexcept { return view(http_->body(req_)); }
    std::string_view peerAddress() const noexcept { return view(http_->peer_address(req_)); }
    std::string_view clientAddress() const noexcept { return view(http_->client_address(req_)); }
    std::string_view scheme() const noexcept { return view(http_->scheme(req_)); }
    std::string_view host() const noexcept { return view(http_->host(req_)); }
    std::string_view requestId() const noexcept { return view(http_->request_id(req_)); }

    std::optional<std::string_view> param(const char* name) const noexcept {
        int32_t found = 0;
        auto v = http_->path_param(req_, name, &found);
        return found ? std::optional(view(v)) : std::nullopt;
    }
    std::optional<std::string_view> header(const char* name) const noexcept {
        int32_t found = 0;
        auto v = http_->header(req_, name, &found);
        return found ? std::optional(view(v)) : std::nullopt;
    }
    /// First value of a query parameter.
    std::optional<std::string_view> query(std::string_view name) const noexcept {
        const valory_kv* kv = nullptr;
        size_t n = http_->query_params(req_, &kv);
        for (size_t i = 0; i < n; ++i)
            if (view(kv[i].key) == name) return view(kv[i].value);
        return std::nullopt;
    }
    /// Every value of a repeated query parameter, in order.
    std::vector<std::string_view> queryAll(std::string_view name) const {
        const valory_kv* kv = nullptr;
        size_t n = http_->query_params(req_, &kv);
        std::vector<std::string_view> out;
        for (size_t i = 0; i < n; ++i)
            if (view(kv[i].key) == name) out.push_back(view(kv[i].value));
        return out;
    }
    std::optional<std::string_view> cookie(std::string_view name) const noexcept {
        const valory_kv* kv = nullptr;
        size_t n = http_->cookies(req_, &kv);
        for (size_t i = 0; i < n; ++i)
            if (view(kv[i].key) == name) return view(kv[i].value);
        return std::nullopt;
    }
    /// The body parsed as JSON; malformed JSON, or JSON nested deeper than json::kMaxDepth, is a
    /// 400 {"error":"invalid_json"}.
    nlohmann::json json() const {
        auto parsed = valory::json::parse(body());
        if (parsed.is_discarded())
            throw HttpError(400, "invalid_json",
                            "request body is not valid JSON (or nests deeper than " +
                                std::to_string(valory::json::kMaxDepth) + " levels)");
        return parsed;
    }

    const valory_request* raw() const noexcept { return req_; }

  private:
    const valory_http_api* http_;
    const valory_request* req_;
};

/// Response builder. The body is buffered by the wrapper and handed to the host once the handler
/// returns, so a handler that throws half-way still gets a clean JSON error.
class Response {
  public:
    Response(const valory_http_api* http, valory_response* resp) noexcept : http_(http), resp_(resp) {}

    Response& status(int code) noexcept {
        http_->set_status(resp_, code);
        return *this;
    }
    Response& header(std::string_view name, std::string_view value) noexcept {
        http_->set_header(resp_, str(name), str(value));
        return *this;
    }
    Response& addHeader(std::string_view name, std::string_view value) noexcept {
        http_->add_header(resp_, str(name), str(value));
        return *this;
    }
    Response& body(std::string_view data) {
        body_.assign(data);
        return *this;
    }
    Response& append(std::string_view data) {
        body_.append(data);
        return *this;
    }
    Response& json(const nlohmann::json& value, int code = 200) {
        status(code);
        header("Content-Type", "application/json");
        body_ = value.dump();
        return *this;
    }
    /// {"error": code, "message": message[, "fields": fields]}
    Response& error(int httpStatus, std::string_view code, std::string_view message,
                    const nlohmann::json& fields = nullptr) {
        nlohmann::json j{{"error", code}, {"message", message}};
        if (!fields.is_null() && !fields.empty()) j["fields"] = fields;
        return json(j, httpStatus);
    }
    /// Sends a file; throws Error(not_found) when it cannot be opened.
    void file(const std::string& path, const char* contentType = nullptr) {
        valory_error err = makeError();
        check(http_->send_file(resp_, path.c_str(), contentType, &err), err, "send file");
        fileSent_ = true;
    }

    /// Hands the buffered body to the host (called by the wrapper after the handler).
    void flush() noexcept {
        if (!fileSent_ && !body_.empty()) http_->append_body(resp_, str(body_));
        body_.clear();
    }
    valory_response* raw() const noexcept { return resp_; }

  private:
    const valory_http_api* http_;
    valory_response* resp_;
    std::string body_;
    bool fileSent_ = false;
};

namespace detail {
/// Runs a C++ route handler behind the C boundary: HttpError → its JSON error; any other
/// exception → a status the host turns into a JSON 500.
inline valory_status runHandler(const valory_http_api* http, const valory_request* req, valory_response* resp,
                                valory_error* err,
                                const std::function<void(const Request&, Response&)>& handler) noexcept {
    Request rq(http, req);
    Response rs(http, resp);
    auto st = guarded(err, [&]() -> valory_status {
        try {
            handler(rq, rs);
        } catch (const HttpError& e) {
            rs.error(e.httpStatus(), e.code(), e.what(), e.fields());
        }
        rs.flush();
        return VALORY_OK;
    });
    return st;
}
}  // namespace detail

}  // namespace valory::sdk
