// The one line a chat bot (Nightbot, StreamElements, Fossabot `urlfetch`) posts for `!rank`:
// a template filled from an overlays/1 Stats document. Plain C++, unit tested without a host.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace valory::plugins::chat {

struct ChatTemplates {
    // Placeholders: {login} {riot_id} {tier} {rr} {elo} {last_change} {peak} {peak_rr}
    // {leaderboard} {level} {wins} {losses} {draws} {winrate} {last_five}
    std::string ranked = "{tier} · {rr} RR · today {wins}W {losses}L";
    std::string unranked = "{riot_id} is unranked · today {wins}W {losses}L";
    std::string unlinked = "{login} has not linked a Riot ID on Valory yet.";
    std::string unknown = "{login} has no Valory overlay.";
    std::string unavailable = "Rank data for {login} is not available right now.";
    size_t maxLength = 400;  // Nightbot posts at most 400 characters

    /// From the plugin's settings (keys: ranked, unranked, unlinked, unknown, unavailable, max_length).
    static ChatTemplates fromSettings(const nlohmann::json& settings);
};

/// Whether `login` can be a Twitch login (1-25 of [A-Za-z0-9_]).
bool validLogin(const std::string& login);

/// The line for a Stats document (see valory/overlays.h).
std::string chatLine(const ChatTemplates& t, const std::string& login, const nlohmann::json& stats);
/// The line for a login without an overlay (or one that cannot be a login).
std::string unknownLine(const ChatTemplates& t, const std::string& login);
/// The line when the overlays service failed.
std::string unavailableLine(const ChatTemplates& t, const std::string& login);

/// Fills {name} placeholders from `values`; unknown placeholders stay as written. The result has
/// no control characters (one line) and at most maxLength bytes, cut at a UTF-8 boundary.
std::string render(const std::string& tmpl, const nlohmann::json& values, size_t maxLength);

}  // namespace valory::plugins::chat
