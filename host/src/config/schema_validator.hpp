// Validates plugin settings against the manifest's config_schema (a small JSON-Schema subset:
// type, properties, required, enum, default, minimum, maximum, additionalProperties=false, items,
// description, secret). Fills defaults, resolves secret references ({"env": NAME} or
// {"file": PATH}; inline secret values are errors) and environment references of plain scalar
// settings ({"env": NAME} with optional "default" and, for strings, "suffix").
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace valory::host {

class SchemaValidator {
  public:
    struct Result {
        nlohmann::json value;              ///< validated settings with defaults and resolved secrets
        std::vector<std::string> errors;   ///< "<path>: <reason>", one per problem
        std::vector<std::string> secrets;  ///< resolved secret values (to be masked)
        bool ok() const { return errors.empty(); }
    };

    /// Looks up an environment variable (replaceable in tests).
    using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

    explicit SchemaValidator(std::filesystem::path baseDir = {}, EnvLookup env = {});

    /// Checks that `schema` only uses the supported subset; returns problems as "<path>: <reason>".
    static std::vector<std::string> checkSchema(const nlohmann::json& schema,
                                                const std::string& path = "config_schema");

    /// Validates `value` against `schema`; `path` prefixes every error (e.g. "plugins.cache.settings").
    Result validate(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path) const;

  private:
    void validateNode(const nlohmann::json& schema, const nlohmann::json& value, const std::string& path,
                      nlohmann::json& out, Result& result) const;
    static bool isEnvReference(const nlohmann::json& schema, const nlohmann::json& value);
    void resolveEnvReference(const nlohmann::json& schema, const nlohmann::json& value,
                             const std::string& path, nlohmann::json& out, Result& result) const;
    void resolveSecret(const nlohmann::json& value, const std::string& path, nlohmann::json& out,
                       Result& result) const;

    std::filesystem::path baseDir_;
    EnvLookup env_;
};

}  // namespace valory::host
