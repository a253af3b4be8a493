// The OpenAPI 3 document of every route of the plugin (GET /api/openapi.json). Written by hand,
// next to the routes; openapi_test fails when a registered route is missing here (or the other
// way round).
#pragma once

#include <nlohmann/json.hpp>

namespace valory::plugins::overlays {

const nlohmann::json& openapiDocument();

}  // namespace valory::plugins::overlays
