// Small string helpers shared by the whole host (one definition each).
//
// `view` and `str` have the SDK's meanings (sdk/include/valory/cpp/host.hpp): `view` reads a
// `valory_str` as a `std::string_view`, `str` lends a `std::string_view` out as a `valory_str`.
// `toString` copies a `valory_str` into an owned `std::string`.
#pragma once

#include "valory/abi.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace valory::host {

/// A `valory_str` as a view (no copy); a NULL `data` reads as empty whatever `size` says.
inline std::string_view view(valory_str s) noexcept {
    return s.data ? std::string_view(s.data, s.size) : std::string_view();
}

/// A view lent out as a `valory_str`; it points into `s`, which must outlive it.
inline valory_str str(std::string_view s) noexcept {
    return valory_str{s.data(), s.size()};
}

/// A `valory_str` copied into an owned string.
inline std::string toString(valory_str s) {
    return std::string(view(s));
}

/// ASCII case-insensitive equality (HTTP header names, tokens); no locale involved.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace valory::host
