// Error types of the host: configuration and plugin refusals carry a human message that names
// the file / key path or the plugin and the step.
#pragma once

#include <valory/abi.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace valory::host {

/// A problem in an admin config file or a manifest: the message names file, key path and reason.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The message a plugin wrote into a valory_error: read within its capacity (a plugin may have
/// left it without a NUL) and without a UTF-8 sequence cut at the end by truncation.
inline std::string errorMessage(const valory_error& err) {
    std::size_t n = strnlen(err.message, sizeof err.message);
    // Drop a trailing incomplete sequence: back up over continuation bytes to the lead byte.
    std::size_t lead = n;
    while (lead > 0 && (static_cast<unsigned char>(err.message[lead - 1]) & 0xC0) == 0x80 && n - lead < 3)
        --lead;
    if (lead > 0) {
        const auto c = static_cast<unsigned char>(err.message[lead - 1]);
        const std::size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (c >= 0x80 && n - (lead - 1) < want) n = lead - 1;
    }
    return std::string(err.message, n);
}

}  // namespace valory::host
