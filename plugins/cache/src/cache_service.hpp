// The cache/1 vtable over a TwoLevelCache (self = TwoLevelCache*). Every thunk runs through
// valory::sdk::guarded(), so no exception crosses the boundary.
#pragma once

#include "valory/cache.h"

namespace valory::plugins::cache {

const valory_cache_api* cacheServiceVtable() noexcept;

}  // namespace valory::plugins::cache
