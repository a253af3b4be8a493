// Console logging for the whole process: one line per message, "<time> <level> [<source>] <text>",
// source = plugin id or "host", known secrets masked.
#pragma once

#include <string>

namespace valory::host {

class SecretMasker;

class HostLog {
  public:
    /// Installs the masking console channel on every logger and sets the level
    /// ("trace".."critical", "none").
    static void setup(const std::string& level, SecretMasker& masker);
    static void setLevel(const std::string& level);
};

}  // namespace valory::host
