// The L2 (Redis) value format, versioned so that a future layout is recognised rather than misread.
//
//   byte 0      'V'   magic
//   byte 1      1     format version
//   bytes 2..9  written_at  (unix ms, big-endian int64)
//   bytes 10..17 fresh_until (unix ms, big-endian int64)
//   bytes 18..25 stale_until (unix ms, big-endian int64; == fresh_until without a stale window)
//   bytes 26..  the caller's value, unchanged (binary-safe)
//
// A reader that meets another magic or version treats the key as a miss (and counts a format
// error); it never guesses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace valory::plugins::cache {

struct StoredValue {
    int64_t writtenAtMs = 0;
    int64_t freshUntilMs = 0;
    int64_t staleUntilMs = 0;
    std::string_view payload;  // points into the decoded buffer
};

inline constexpr char kValueMagic = 'V';
inline constexpr unsigned char kValueFormatVersion = 1;
inline constexpr std::size_t kValueHeaderSize = 26;

inline void putInt64(std::string& out, int64_t v) {
    auto u = static_cast<uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xffu));
}

inline int64_t getInt64(std::string_view in, std::size_t at) {
    uint64_t u = 0;
    for (std::size_t i = 0; i < 8; ++i) u = (u << 8) | static_cast<unsigned char>(in[at + i]);
    return static_cast<int64_t>(u);
}

inline std::string encodeValue(int64_t writtenAtMs, int64_t freshUntilMs, int64_t staleUntilMs,
                               std::string_view payload) {
    std::string out;
    out.reserve(kValueHeaderSize + payload.size());
    out.push_back(kValueMagic);
    out.push_back(static_cast<char>(kValueFormatVersion));
    putInt64(out, writtenAtMs);
    putInt64(out, freshUntilMs);
    putInt64(out, staleUntilMs);
    out.append(payload);
    return out;
}

inline std::optional<StoredValue> decodeValue(std::string_view raw) {
    if (raw.size() < kValueHeaderSize || raw[0] != kValueMagic ||
        static_cast<unsigned char>(raw[1]) != kValueFormatVersion)
        return std::nullopt;
    StoredValue v;
    v.writtenAtMs = getInt64(raw, 2);
    v.freshUntilMs = getInt64(raw, 10);
    v.staleUntilMs = getInt64(raw, 18);
    if (v.staleUntilMs < v.freshUntilMs) return std::nullopt;
    v.payload = raw.substr(kValueHeaderSize);
    return v;
}

}  // namespace valory::plugins::cache
