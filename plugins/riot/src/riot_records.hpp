// Normalisation of HenrikDev answers into the records of valory/riot.h. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace valory::plugins::riot {

/// Tier names of the current ("ascendant") table: 0 Unrated, 3..26 Iron 1..Immortal 3, 27 Radiant.
std::string tierName(int tier);
/// {"small", "large"} icon URLs of a tier (media.valorant-api.com, current tier set).
nlohmann::json tierImages(int tier);

/// Account record from an account v2 (card = id string) or v1 (card = object) `data`.
nlohmann::json accountRecord(const nlohmann::json& data);
/// Rank record from an MMR v3 `data`. Throws sdk::Error(UPSTREAM) when `current` is missing.
nlohmann::json rankRecord(const nlohmann::json& data, const std::string& region, int64_t nowMs);
/// Rank record for a player HenrikDev has no MMR for (its 404 code 25): status "no_data".
nlohmann::json noDataRankRecord(const std::string& puuid, const std::string& name, const std::string& tag,
                                const std::string& region, int64_t nowMs);
/// Matches record from a matches v4 `data` array, seen from `puuid`.
nlohmann::json matchesRecord(const nlohmann::json& data, const std::string& puuid, const std::string& region,
                             int64_t nowMs);

}  // namespace valory::plugins::riot
