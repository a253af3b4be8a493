#include "identity.hpp"

#include <Poco/Unicode.h>

#include <vector>

namespace valory::plugins::overlays {

namespace {

/// Decodes UTF-8 strictly (no overlongs, surrogates or values past U+10FFFF); false when invalid.
bool decodeUtf8(std::string_view s, std::vector<int>& out) {
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int len = 0, cp = 0;
        if (b < 0x80) {
            len = 1;
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            len = 2;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<size_t>(len) > s.size()) return false;
        for (int k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        static const int kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        out.push_back(cp);
        i += static_cast<size_t>(len);
    }
    return true;
}

bool letterOrDigit(int cp) {
    Poco::Unicode::CharacterProperties p;
    Poco::Unicode::properties(cp, p);
    return p.category == Poco::Unicode::UCP_LETTER || p.category == Poco::Unicode::UCP_NUMBER;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<RiotId> parseRiotId(std::string_view text) {
    text = trim(text);
    const auto hash = text.rfind('#');
    if (hash == std::string_view::npos) return std::nullopt;
    const std::string_view name = text.substr(0, hash), tag = text.substr(hash + 1);
    std::vector<int> n, t;
    if (!decodeUtf8(name, n) || !decodeUtf8(tag, t)) return std::nullopt;
    if (n.size() < 3 || n.size() > 16 || t.size() < 3 || t.size() > 5) return std::nullopt;
    for (size_t i = 0; i < n.size(); ++i) {
        if (n[i] == ' ') {
            if (i == 0 || i + 1 == n.size() || n[i - 1] == ' ') return std::nullopt;
        } else if (!letterOrDigit(n[i])) {
            return std::nullopt;
        }
    }
    for (int cp : t)
        if (!letterOrDigit(cp)) return std::nullopt;
    return RiotId{std::string(name), std::string(tag)};
}

bool isHdevKeyFormat(std::string_view key) noexcept {
    static const size_t kGroups[] = {8, 4, 4, 4, 12};
    if (key.substr(0, 5) != "HDEV-") return false;
    size_t pos = 5;
    for (size_t g = 0; g < 5; ++g) {
        for (size_t i = 0; i < kGroups[g]; ++i, ++pos) {
            if (pos >= key.size()) return false;
            const char c = key[pos];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
        }
        if (g < 4) {
            if (pos >= key.size() || key[pos] != '-') return false;
            ++pos;
        }
    }
    return pos == key.size();
}

std::string maskKey(std::string_view key) {
    if (key.size() < 9) return "HDEV-…";
    return "HDEV-…" + std::string(key.substr(key.size() - 4));
}

}  // namespace valory::plugins::overlays
