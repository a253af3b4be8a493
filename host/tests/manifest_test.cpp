#include "plugins/manifest.hpp"
#include "errors.hpp"

#include <gtest/gtest.h>

using valory::host::ConfigError;
using valory::host::Manifest;

namespace {

std::string errorOf(const std::string& text) {
    try {
        Manifest::parse(text, "/p/x/plugin.json");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Manifest, ParsesFullManifest) {
    auto m = Manifest::parse(R"({"id": "cache", "version": "1.2.3", "abi": "1.0", "library": "libcache.so",
      "description": "d",
      "requires": [{"service": "http.client", "major": 1, "min_minor": 2}],
      "optional": [{"service": "sql", "major": 1}],
      "provides": [{"service": "cache", "major": 1, "minor": 3}],
      "config_schema": {"type": "object", "additionalProperties": false,
        "properties": {"url": {"type": "string", "default": "redis://x"}}}})",
                             "/p/cache/plugin.json");
    EXPECT_EQ(m.id, "cache");
    EXPECT_EQ(m.abiMajor, 1u);
    EXPECT_EQ(m.abiMinor, 0u);
    EXPECT_EQ(m.libraryPath(), "/p/cache/libcache.so");
    ASSERT_EQ(m.requires_.size(), 1u);
    EXPECT_EQ(m.requires_[0].minMinor, 2u);
    EXPECT_TRUE(m.declaresDependency("sql", 1));
    EXPECT_FALSE(m.declaresDependency("sql", 2));
    EXPECT_TRUE(m.declaresProvision("cache", 1));
    EXPECT_EQ(m.provides[0].minor, 3u);
}

TEST(Manifest, ErrorsNameFileAndPath) {
    EXPECT_EQ(errorOf(R"({"version": "1.0.0", "abi": "1.0", "library": "a.so"})"),
              "/p/x/plugin.json: id: required key is missing");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0", "abi": "1.0", "library": "a.so"})"),
              "/p/x/plugin.json: version: expected semver MAJOR.MINOR.PATCH, got \"1.0\"");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0.0", "abi": "one", "library": "a.so"})"),
              "/p/x/plugin.json: abi: expected \"MAJOR.MINOR\", got \"one\"");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "../a.so"})"),
              "/p/x/plugin.json: library: expected a file name beside plugin.json, got \"../a.so\"");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so",
                          "requires": [{"service": "s", "major": "1"}]})"),
              "/p/x/plugin.json: requires[0].major: expected an integer, got string");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so", "id": "y"})"),
              "/p/x/plugin.json: id: duplicate key");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so",
                          "config_schema": {"type": "object", "properties": {"a": {"type": "strnig"}}}})"),
              "/p/x/plugin.json: config_schema.properties.a.type: unsupported type \"strnig\"");
    EXPECT_EQ(errorOf(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so", "provides": [
                          {"service": "s", "major": 1}, {"service": "s", "major": 1}]})"),
              "/p/x/plugin.json: provides[1]: service s/1 listed twice");
}

TEST(Manifest, CommandsAreOptionalAndChecked) {
    auto m = Manifest::parse(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so",
      "commands": [{"name": "migrate", "summary": "apply pending migrations"}, {"name": "vacuum"}]})",
                             "/p/x/plugin.json");
    ASSERT_EQ(m.commands.size(), 2u);
    EXPECT_EQ(m.commands[0].name, "migrate");
    EXPECT_EQ(m.commands[0].summary, "apply pending migrations");
    EXPECT_EQ(m.commands[1].summary, "");
    EXPECT_TRUE(Manifest::parse(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so"})",
                                "/p/x/plugin.json")
                    .commands.empty());
    const std::string head =
        R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so", "commands": )";
    EXPECT_EQ(errorOf(head + R"({}})"), "/p/x/plugin.json: commands: expected an array, got object");
    EXPECT_EQ(errorOf(head + R"([{"name": "m", "help": "h"}]})")
                  .rfind("/p/x/plugin.json: commands[0].help: unknown key", 0),
              0u);
    EXPECT_EQ(errorOf(head + R"([{"summary": "s"}]})").rfind("/p/x/plugin.json: commands[0]", 0), 0u);
    EXPECT_EQ(errorOf(head + R"([{"name": "Bad Name"}]})")
                  .rfind("/p/x/plugin.json: commands[0].name: invalid command name", 0),
              0u);
    EXPECT_EQ(errorOf(head + R"([{"name": "m"}, {"name": "m"}]})"),
              "/p/x/plugin.json: commands[1]: command m listed twice");
}

TEST(Manifest, UnknownTopLevelKeyRefused) {
    auto e = errorOf(R"({"id": "x", "version": "1.0.0", "abi": "1.0", "library": "a.so", "requries": []})");
    EXPECT_EQ(e.rfind("/p/x/plugin.json: requries: unknown key (known: id, version", 0), 0u) << e;
}
