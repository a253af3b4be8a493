// Who may read /metrics, /alerts and readiness details: a client address on the allow-list, the
// admin token (Authorization: Bearer …, compared in constant time), either, or anyone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "settings.hpp"

namespace valory::plugins::monitoring {

class AccessGuard {
  public:
    explicit AccessGuard(const Settings& s)
        : mode_(s.protect), token_(s.adminToken), addresses_(s.allowedAddresses) {}

    enum class Verdict { Allowed, NoCredentials, Forbidden };
    /// `authorization` is the Authorization header if present.
    Verdict check(std::string_view clientAddress, std::optional<std::string_view> authorization) const;

    /// Equality that takes the same time wherever the first difference is (length included).
    static bool constantTimeEquals(std::string_view a, std::string_view b) noexcept;

  private:
    Settings::Protect mode_;
    std::string token_;
    std::vector<std::string> addresses_;
};

}  // namespace valory::plugins::monitoring
