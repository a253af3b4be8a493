// Riot IDs and HenrikDev keys as streamers type them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace valory::plugins::overlays {

struct RiotId {
    std::string name;  ///< game name: 3-16 letters/digits of any script, single inner spaces
    std::string tag;   ///< tag line: 3-5 letters/digits
};

/// "Name#Tag" (surrounding spaces trimmed; the last '#' separates); nullopt when it is not a Riot
/// ID (also for invalid UTF-8).
std::optional<RiotId> parseRiotId(std::string_view text);

/// HDEV-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx with ASCII letters/digits in each group (HenrikDev
/// issues hex UUIDs; the test fakes use letters too). The upstream probe decides the rest.
bool isHdevKeyFormat(std::string_view key) noexcept;

/// The key as it may be shown: "HDEV-…" plus its last 4 characters.
std::string maskKey(std::string_view key);

}  // namespace valory::plugins::overlays
