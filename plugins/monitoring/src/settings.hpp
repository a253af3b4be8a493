// The monitoring plugin's settings (validated by the host against plugin.json; the cross-field
// rules the schema subset cannot express are checked here).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alert_engine.hpp"

namespace valory::plugins::monitoring {

struct Settings {
    enum class Protect { None, Address, Token, TokenOrAddress };

    std::uint64_t slowRequestUs = 1000000;
    std::vector<std::uint64_t> bucketsUs;  // empty: LatencyHistogram::defaultBoundsUs()
    std::string accessLog;                 // "" off, "stdout", or a file path (relative: data dir)
    Protect protect = Protect::Address;
    std::string adminToken;
    std::vector<std::string> allowedAddresses{"127.0.0.1", "::1"};
    std::chrono::milliseconds evaluateInterval{1000};
    std::string webhookUrl;
    std::chrono::milliseconds webhookTimeout{5000};
    std::vector<AlertRule> rules;

    /// Throws std::invalid_argument naming the key.
    static Settings fromJson(const nlohmann::json& s);
};

}  // namespace valory::plugins::monitoring
