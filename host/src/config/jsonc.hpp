// JSON with comments, strict: duplicate keys rejected, errors name the source and key path.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace valory::host {

/// Parses `text` (JSON, `//` and `/* */` comments allowed) and rejects duplicate keys.
/// Throws ConfigError "<source>: <path>: <reason>" on any problem.
nlohmann::json parseJsonc(std::string_view text, const std::string& source);

/// Reads and parses a file; ConfigError names the file when it cannot be read.
nlohmann::json parseJsoncFile(const std::string& path);

/// Joins a key path: joinPath("plugins", "cache") == "plugins.cache"; joinPath("a", 2) == "a[2]".
std::string joinPath(const std::string& base, const std::string& key);
std::string joinPath(const std::string& base, std::size_t index);

/// A JSON type name for messages ("string", "integer", "number", "object", ...).
std::string jsonTypeName(const nlohmann::json& value);

/// Typed, range-checked reads for config-like objects; every failure throws ConfigError
/// "<source>: <path>: <reason>".
class JsonReader {
  public:
    JsonReader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const std::string& path, const std::string& reason) const;
    const std::string& source() const { return source_; }

    void requireObject(const nlohmann::json& value, const std::string& path) const;
    /// Rejects keys not in `known` (a comma separated list for the message).
    void rejectUnknownKeys(const nlohmann::json& object, const std::string& path,
                           std::initializer_list<std::string_view> known) const;

    std::string getString(const nlohmann::json& object, const std::string& path, const char* key,
                          const std::string& fallback, bool required = false) const;
    bool getBool(const nlohmann::json& object, const std::string& path, const char* key, bool fallback) const;
    std::uint64_t getUInt(const nlohmann::json& object, const std::string& path, const char* key,
                          std::uint64_t fallback, std::uint64_t min, std::uint64_t max,
                          bool required = false) const;
    std::vector<std::string> getStringArray(const nlohmann::json& object, const std::string& path,
                                            const char* key, std::vector<std::string> fallback) const;

  private:
    std::string source_;
};

}  // namespace valory::host
