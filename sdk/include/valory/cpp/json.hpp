// Valory SDK — C++ wrapper: parsing JSON that comes from outside (request bodies, upstream answers,
// cache values) with a nesting limit.
//
// nlohmann's parser and destructor are iterative, but copying, comparing and dump() recurse once per
// nesting level: a body of a few hundred KB nested 300,000 deep parses fine and then overflows the
// stack the first time it is copied or printed. Every JSON text a plugin did not write itself goes
// through valory::json::parse, which refuses such a text before building anything.
#ifndef VALORY_CPP_JSON_HPP
#define VALORY_CPP_JSON_HPP

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace valory::json {

/// Deeper than any document Valory exchanges (HenrikDev answers nest about 6 levels).
inline constexpr std::size_t kMaxDepth = 64;

/// True when `text` nests arrays and objects deeper than `maxDepth`. Brackets inside strings do not
/// count; with `comments`, neither do brackets inside // and /* */ comments. One pass, no allocation;
/// the text need not be valid JSON.
inline bool nestsDeeperThan(std::string_view text, std::size_t maxDepth, bool comments = false) noexcept {
    std::size_t depth = 0;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        if (c == '"') {
            for (++i; i < n && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
        } else if (comments && c == '/' && i + 1 < n && text[i + 1] == '/') {
            while (i < n && text[i] != '\n') ++i;
        } else if (comments && c == '/' && i + 1 < n && text[i + 1] == '*') {
            for (i += 2; i + 1 < n && !(text[i] == '*' && text[i + 1] == '/'); ++i) {
            }
            ++i;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

/// Parses `text` like nlohmann::json::parse(text, nullptr, false): a malformed text — or one nested
/// deeper than `maxDepth` — gives a *discarded* value (check is_discarded()), never an exception.
inline nlohmann::json parse(std::string_view text, std::size_t maxDepth = kMaxDepth, bool comments = false) {
    if (nestsDeeperThan(text, maxDepth, comments)) return nlohmann::json(nlohmann::json::value_t::discarded);
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false, comments);
}

}  // namespace valory::json

#endif  // VALORY_CPP_JSON_HPP
