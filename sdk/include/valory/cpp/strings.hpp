// Valory SDK C++ wrapper: the string helpers every part of the SDK shares, one of each.
//
//   std::string_view v = view(s);      // valory_str -> std::string_view (NULL data: empty)
//   valory_str s = str(v);             // std::string_view -> valory_str (borrows v's bytes)
//   valory_writer w = stringWriter(&out);   // a writer that appends to a std::string
//   writeTo(w, text);                  // hands text to a caller's writer
//   iequals("Content-Type", "content-type") == true   // ASCII case-insensitive
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "valory/abi.h"

namespace valory::sdk {

/// The bytes of an ABI string as a view (empty when data is NULL).
inline std::string_view view(valory_str s) noexcept {
    return s.data ? std::string_view(s.data, s.size) : std::string_view();
}
/// A view as an ABI string; it borrows `s`, which must outlive the call it is passed to.
inline valory_str str(std::string_view s) noexcept {
    return valory_str{s.data(), s.size()};
}

/// ASCII case-insensitive equality (header and cookie names).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// A writer whose output is appended to `*out` (which must outlive the writer's use).
inline valory_writer stringWriter(std::string* out) noexcept {
    valory_writer w{};
    w.struct_size = sizeof(w);
    w.ctx = out;
    w.write = [](void* ctx, const char* data, std::size_t size) {
        static_cast<std::string*>(ctx)->append(data, size);
    };
    return w;
}

/// Writes `s` to a caller-provided writer; a NULL writer or an empty `s` writes nothing.
inline void writeTo(valory_writer* w, std::string_view s) noexcept {
    if (w && w->write && !s.empty()) w->write(w->ctx, s.data(), s.size());
}

}  // namespace valory::sdk
