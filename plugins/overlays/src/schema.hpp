// The overlays plugin's schema, applied through sql/1.migrate("overlays", ...) from start().
#pragma once

#include <vector>

#include "valory/cpp/sql.hpp"

namespace valory::plugins::overlays {

/// Every migration of the plugin, in version order. Versions 1-9: accounts, sessions, overlay
/// settings; 10-19: rank data, showcase and jobs. A released migration is never edited (its
/// checksum is recorded): changes are new versions.
const std::vector<sdk::sql::Migration>& migrations();

}  // namespace valory::plugins::overlays
