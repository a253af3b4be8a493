#include "alert_engine.hpp"

#include <cmath>
#include <ctime>
#include <sstream>

#include "exposition.hpp"

namespace valory::plugins::monitoring {

namespace {

std::string isoTime(std::chrono::system_clock::time_point t) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

AlertEngine::AlertEngine(std::vector<AlertRule> rules) : rules_(std::move(rules)), states_(rules_.size()) {}

std::vector<AlertTransition> AlertEngine::evaluate(Clock::time_point now,
                                                   const std::map<std::string, Reading>& readings) {
    std::vector<AlertTransition> out;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const AlertRule& rule = rules_[i];
        State& st = states_[i];
        std::optional<double> value;
        if (auto it = readings.find(rule.reading); it != readings.end()) {
            const Reading r = it->second;
            // A total that went down means its source restarted: start the window afresh.
            if (!st.history.empty() && (r.denominator < st.history.back().second.denominator ||
                                        r.numerator < st.history.back().second.numerator))
                st.history.clear();
            // Every total starts at zero when its source starts (this process, or the plugin that
            // restarted or appeared): with no history yet, zero is the baseline, so events that
            // happened before the first tick still count.
            if (st.history.empty()) st.history.emplace_back(now, Reading{});
            st.history.emplace_back(now, r);
            // Keep one reading at or before the window start, so the delta spans the whole window.
            while (st.history.size() > 1 && st.history[1].first <= now - rule.window) st.history.pop_front();
            const Reading& first = st.history.front().second;
            const double dDen = r.denominator - first.denominator;
            const double dNum = r.numerator - first.numerator;
            if (dDen >= rule.minEvents && dDen > 0) value = dNum / dDen;
        } else {
            st.history.clear();
        }
        st.value = value;
        const bool breach = value && (rule.fires == AlertRule::Fires::Above ? *value > rule.threshold
                                                                            : *value < rule.threshold);
        if (breach == st.firing) continue;
        st.firing = breach;
        st.since = breach ? std::optional(std::chrono::system_clock::now()) : std::nullopt;
        AlertTransition t;
        t.rule = rule.name;
        t.firing = breach;
        t.value = value;
        t.threshold = rule.threshold;
        std::ostringstream m;
        m << "alert " << (breach ? "FIRING" : "resolved") << ": " << rule.name << " (" << rule.summary
          << "): value ";
        if (value)
            m << prom::formatValue(*value) << (rule.unit.empty() ? "" : " " + rule.unit);
        else
            m << "n/a (not enough data)";
        m << ", threshold " << (rule.fires == AlertRule::Fires::Above ? "> " : "< ")
          << prom::formatValue(rule.threshold) << (rule.unit.empty() ? "" : " " + rule.unit) << " over "
          << rule.window.count() << " s";
        t.message = m.str();
        t.payload = {{"alert", rule.name},
                     {"state", breach ? "firing" : "resolved"},
                     {"summary", rule.summary},
                     {"value", value ? nlohmann::json(*value) : nlohmann::json(nullptr)},
                     {"threshold", rule.threshold},
                     {"window_s", rule.window.count()},
                     {"at", isoTime(std::chrono::system_clock::now())}};
        out.push_back(std::move(t));
    }
    return out;
}

nlohmann::json AlertEngine::list() const {
    nlohmann::json arr = nlohmann::json::array();
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const AlertRule& r = rules_[i];
        const State& st = states_[i];
        nlohmann::json j = {{"name", r.name},
                            {"summary", r.summary},
                            {"state", st.firing ? "firing" : "ok"},
                            {"value", st.value ? nlohmann::json(*st.value) : nlohmann::json(nullptr)},
                            {"threshold", r.threshold},
                            {"fires_when", r.fires == AlertRule::Fires::Above ? "above" : "below"},
                            {"window_s", r.window.count()},
                            {"unit", r.unit}};
        if (st.since) j["since"] = isoTime(*st.since);
        arr.push_back(std::move(j));
    }
    return arr;
}

std::vector<std::string> AlertEngine::firing() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rules_.size(); ++i)
        if (states_[i].firing) out.push_back(rules_[i].name);
    return out;
}

}  // namespace valory::plugins::monitoring
