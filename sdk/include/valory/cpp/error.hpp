// Valory SDK C++ wrapper: exceptions and the boundary guard.
//
// Inside a plugin, exceptions are fine; they stop at the boundary. Every thunk the wrapper hands to
// the host runs its body through guarded(), which maps exceptions to a valory_status + message.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "valory/abi.h"

namespace valory::sdk {

/// An error with an ABI status; what() is the message that crosses the boundary.
class Error : public std::runtime_error {
  public:
    Error(valory_status status, const std::string& message, int64_t detail = 0)
        : std::runtime_error(message), status_(status), detail_(detail) {}
    valory_status status() const noexcept { return status_; }
    int64_t detail() const noexcept { return detail_; }

  private:
    valory_status status_;
    int64_t detail_;
};

/// Thrown by a route handler to answer with a JSON error:
/// {"error": code, "message": message[, "fields": fields]}.
class HttpError : public Error {
  public:
    HttpError(int httpStatus, std::string code, const std::string& message, nlohmann::json fields = {})
        : Error(httpStatus >= 500 ? VALORY_ERR_INTERNAL : VALORY_ERR_INVALID_ARGUMENT, message),
          httpStatus_(httpStatus),
          code_(std::move(code)),
          fields_(std::move(fields)) {}
    int httpStatus() const noexcept { return httpStatus_; }
    const std::string& code() const noexcept { return code_; }
    const nlohmann::json& fields() const noexcept { return fields_; }

  private:
    int httpStatus_;
    std::string code_;
    nlohmann::json fields_;
};

/// Returns a status name for messages ("not_found", "unavailable", ...).
inline const char* statusName(valory_status s) noexcept {
    switch (s) {
        case VALORY_OK:
            return "ok";
        case VALORY_ERR_INVALID_ARGUMENT:
            return "invalid_argument";
        case VALORY_ERR_NOT_FOUND:
            return "not_found";
        case VALORY_ERR_UNAVAILABLE:
            return "unavailable";
        case VALORY_ERR_VERSION:
            return "version";
        case VALORY_ERR_TIMEOUT:
            return "timeout";
        case VALORY_ERR_INTERNAL:
            return "internal";
        case VALORY_ERR_UNDECLARED:
            return "undeclared";
        case VALORY_ERR_CONFLICT:
            return "conflict";
        case VALORY_ERR_NEEDS_RESTART:
            return "needs_restart";
        case VALORY_ERR_PENDING:
            return "pending";
        case VALORY_ERR_RATE_LIMITED:
            return "rate_limited";
        case VALORY_ERR_UNKNOWN_OUTCOME:
            return "unknown_outcome";
        case VALORY_ERR_RETRYABLE:
            return "retryable";
        case VALORY_ERR_TOO_LARGE:
            return "too_large";
        case VALORY_ERR_UNSUPPORTED:
            return "unsupported";
        case VALORY_ERR_STATE:
            return "state";
        case VALORY_ERR_UPSTREAM:
            return "upstream";
        case VALORY_ERR_UNAUTHORIZED:
            return "unauthorized";
        default:
            return "unknown";
    }
}

/// A fresh valory_error for a call into the host or a service.
inline valory_error makeError() noexcept {
    valory_error e;
    valory_error_init(&e);
    return e;
}

/// Throws Error when `status` is not VALORY_OK, with the callee's message.
inline void check(valory_status status, const valory_error& err, const char* what = nullptr) {
    if (status == VALORY_OK) return;
    std::string msg = what ? std::string(what) + ": " : std::string();
    msg += err.message[0] ? err.message : statusName(status);
    throw Error(status, msg, err.detail);
}

/// Runs f and converts any exception into status + message. Never throws.
/// f returns void (success = VALORY_OK) or a valory_status.
template <class F>
valory_status guarded(valory_error* err, F&& f) noexcept {
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
            f();
            return VALORY_OK;
        } else {
            return static_cast<valory_status>(f());
        }
    } catch (const Error& e) {
        valory_fail(err, e.status(), e.what());
        if (err) err->detail = e.detail();
        return e.status();
    } catch (const std::exception& e) {
        return valory_fail(err, VALORY_ERR_INTERNAL, e.what());
    } catch (...) {
        return valory_fail(err, VALORY_ERR_INTERNAL, "unknown exception (not derived from std::exception)");
    }
}

}  // namespace valory::sdk
