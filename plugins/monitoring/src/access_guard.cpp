#include "access_guard.hpp"

#include <algorithm>

namespace valory::plugins::monitoring {

bool AccessGuard::constantTimeEquals(std::string_view a, std::string_view b) noexcept {
    // Walk the longer input completely; any length difference makes the result false.
    const std::size_t n = std::max(a.size(), b.size());
    volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff = static_cast<unsigned char>(diff | (x ^ y));
    }
    return diff == 0;
}

AccessGuard::Verdict AccessGuard::check(std::string_view clientAddress,
                                        std::optional<std::string_view> authorization) const {
    using P = Settings::Protect;
    if (mode_ == P::None) return Verdict::Allowed;
    const bool addressOk = std::find(addresses_.begin(), addresses_.end(), clientAddress) != addresses_.end();
    if (mode_ == P::Address) return addressOk ? Verdict::Allowed : Verdict::Forbidden;
    if (mode_ == P::TokenOrAddress && addressOk) return Verdict::Allowed;
    if (!authorization) return Verdict::NoCredentials;
    std::string_view v = *authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (v.size() < kBearer.size() || v.substr(0, kBearer.size()) != kBearer) return Verdict::NoCredentials;
    v.remove_prefix(kBearer.size());
    return constantTimeEquals(v, token_) ? Verdict::Allowed : Verdict::Forbidden;
}

}  // namespace valory::plugins::monitoring
