// Error types of the host: configuration and plugin refusals carry a human message that names
// the file / key path or the plugin and the step.
#pragma once

#include <stdexcept>
#include <string>

namespace valory::host {

/// A problem in an admin config file or a manifest: the message names file, key path and reason.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace valory::host
