// Small string helpers shared by the whole host: the SDK's own (`view`, `str`, `iequals` from
// sdk/include/valory/cpp/strings.hpp, one definition for host and plugins), plus `toString`.
//
// `view` reads a `valory_str` as a `std::string_view`, `str` lends a `std::string_view` out as a
// `valory_str`, `toString` copies a `valory_str` into an owned `std::string`.
#pragma once

#include "valory/cpp/strings.hpp"

#include <string>

namespace valory::host {

using sdk::iequals;
using sdk::str;
using sdk::view;

/// A `valory_str` copied into an owned string.
inline std::string toString(valory_str s) {
    return std::string(view(s));
}

}  // namespace valory::host
