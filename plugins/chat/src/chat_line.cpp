// Chat lines from templates (see chat_line.hpp).
#include "chat_line.hpp"

namespace valory::plugins::chat {

using nlohmann::json;

namespace {

std::string text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "-";
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    return v.dump();
}

std::string signedText(const json& v) {
    if (!v.is_number_integer()) return "-";
    const auto n = v.get<int64_t>();
    return (n > 0 ? "+" : "") + std::to_string(n);
}

json valuesOf(const std::string& login, const json& s) {
    const json& session = s.contains("session") && s["session"].is_object() ? s["session"] : json::object();
    std::string lastFive;
    if (s.contains("last_five") && s["last_five"].is_array())
        for (const auto& r : s["last_five"]) {
            const std::string x = r.is_string() ? r.get<std::string>() : "";
            lastFive += x == "win" ? "W" : x == "loss" ? "L" : x == "draw" ? "D" : "-";
        }
    const json& peak = s.contains("peak") && s["peak"].is_object() ? s["peak"] : json::object();
    return json{
        {"login", login},
        {"riot_id", s.value("riot_id", json(login))},
        {"tier",
         s.contains("tier") && s["tier"].is_object() ? s["tier"].value("name", "Unranked") : "Unranked"},
        {"rr", s.value("rr", json(0))},
        {"elo", s.value("elo", json(nullptr))},
        {"last_change", signedText(s.value("last_change", json(nullptr)))},
        {"peak", peak.contains("tier") && peak["tier"].is_object() ? peak["tier"].value("name", "-") : "-"},
        {"peak_rr", peak.value("rr", json(nullptr))},
        {"leaderboard", s.value("leaderboard_place", json(nullptr))},
        {"level", s.value("level", json(0))},
        {"wins", session.value("wins", 0)},
        {"losses", session.value("losses", 0)},
        {"draws", session.value("draws", 0)},
        {"winrate", s.value("season_winrate", 0)},
        {"last_five", lastFive.empty() ? "-" : lastFive}};
}

}  // namespace

ChatTemplates ChatTemplates::fromSettings(const json& s) {
    ChatTemplates t;
    if (!s.is_object()) return t;
    t.ranked = s.value("ranked", t.ranked);
    t.unranked = s.value("unranked", t.unranked);
    t.unlinked = s.value("unlinked", t.unlinked);
    t.unknown = s.value("unknown", t.unknown);
    t.unavailable = s.value("unavailable", t.unavailable);
    if (s.contains("max_length") && s["max_length"].is_number_unsigned())
        t.maxLength = s["max_length"].get<size_t>();
    return t;
}

bool validLogin(const std::string& login) {
    if (login.empty() || login.size() > 25) return false;
    for (char c : login)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

std::string render(const std::string& tmpl, const json& values, size_t maxLength) {
    std::string out;
    for (size_t i = 0; i < tmpl.size();) {
        if (tmpl[i] == '{') {
            const size_t end = tmpl.find('}', i);
            if (end != std::string::npos) {
                const std::string key = tmpl.substr(i + 1, end - i - 1);
                if (values.contains(key)) {
                    out += text(values[key]);
                    i = end + 1;
                    continue;
                }
            }
        }
        out += tmpl[i++];
    }
    std::string clean;  // one line: control characters become spaces
    for (unsigned char c : out) clean += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
    if (clean.size() > maxLength) {
        size_t cutAt = maxLength;
        while (cutAt > 0 && (static_cast<unsigned char>(clean[cutAt]) & 0xC0) == 0x80) --cutAt;
        clean.resize(cutAt);
    }
    return clean;
}

std::string chatLine(const ChatTemplates& t, const std::string& login, const json& stats) {
    const std::string status = stats.value("status", "unavailable");
    const json values = valuesOf(login, stats);
    if (status == "unlinked" || status == "not_found") return render(t.unlinked, values, t.maxLength);
    if (status == "unavailable") return render(t.unavailable, values, t.maxLength);
    const bool ranked = status == "ok" && stats.value("rank_status", "") == "ranked";
    return render(ranked ? t.ranked : t.unranked, values, t.maxLength);
}

std::string unknownLine(const ChatTemplates& t, const std::string& login) {
    return render(t.unknown, json{{"login", validLogin(login) ? login : std::string("This user")}},
                  t.maxLength);
}

std::string unavailableLine(const ChatTemplates& t, const std::string& login) {
    return render(t.unavailable, json{{"login", login}}, t.maxLength);
}

}  // namespace valory::plugins::chat
