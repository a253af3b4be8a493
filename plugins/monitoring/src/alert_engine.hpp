// Threshold alerts over sliding windows of cumulative readings.
//
// Each rule watches one reading: a pair of monotonically growing totals (numerator, denominator),
// e.g. (5xx answers, requests), (cache hits, cache lookups), (sum of SQL seconds, SQL queries). At
// every evaluation the engine keeps the reading with its time and computes, over the last `window`,
// value = Δnumerator / Δdenominator (a ratio or a mean). Fewer than `minEvents` in the window means
// "not enough data", which never fires and resolves a firing alert. Totals are taken to start at
// zero (a rule's first reading, or the first after its source restarted, counts from zero). A rule changes state only when
// the comparison changes, so firing and resolving are reported once each, never per tick.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace valory::plugins::monitoring {

struct AlertRule {
    enum class Fires { Above, Below };
    std::string name;     ///< e.g. "ApiErrorRateHigh"
    std::string reading;  ///< reading key the rule watches, e.g. "http_errors"
    std::string summary;  ///< human sentence, e.g. "API error rate above 5 %"
    Fires fires = Fires::Above;
    double threshold = 0;
    std::chrono::seconds window{300};
    double minEvents = 1;  ///< smallest Δdenominator in the window that counts as data
    std::string unit;      ///< for messages: "ratio", "s", "ms"
};

struct Reading {
    double numerator = 0;
    double denominator = 0;
};

struct AlertTransition {
    std::string rule;
    bool firing = false;  ///< true: started firing; false: resolved
    std::optional<double> value;
    double threshold = 0;
    std::string message;  ///< one log line
    nlohmann::json payload;
};

class AlertEngine {
  public:
    using Clock = std::chrono::steady_clock;

    explicit AlertEngine(std::vector<AlertRule> rules);

    /// Takes this tick's cumulative readings (missing keys: no data for their rules) and returns
    /// the rules whose state changed.
    std::vector<AlertTransition> evaluate(Clock::time_point now,
                                          const std::map<std::string, Reading>& readings);

    /// Every rule with its state, current value, threshold and since when it fires.
    nlohmann::json list() const;
    /// Names of the firing rules.
    std::vector<std::string> firing() const;
    const std::vector<AlertRule>& rules() const noexcept { return rules_; }

  private:
    struct State {
        std::deque<std::pair<Clock::time_point, Reading>> history;
        bool firing = false;
        std::optional<double> value;
        std::optional<std::chrono::system_clock::time_point> since;
    };
    std::vector<AlertRule> rules_;
    std::vector<State> states_;
};

}  // namespace valory::plugins::monitoring
