#include "config/config.hpp"
#include "config/jsonc.hpp"
#include "config/schema_validator.hpp"
#include "errors.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>

using valory::host::Config;
using valory::host::ConfigError;

namespace {

std::string errorOf(const std::string& text) {
    try {
        Config::parse(text, "test.jsonc", "/base");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Config, ParsesCommentsAndDefaults) {
    auto c = Config::parse(R"({
      // a comment
      "server": {"port": 9090, /* inline */ "threads": 4, "cors": {"origins": ["https://a.example"]}},
      "plugin_path": ["plugins", "/abs/plugins"],
      "plugins": {"hello": {"optional": true, "settings": {"greeting": "hi"}}}
    })",
                           "test.jsonc", "/base");
    EXPECT_EQ(c.server.port, 9090);
    EXPECT_EQ(c.server.threads, 4u);
    EXPECT_EQ(c.server.maxQueued, 64u);
    ASSERT_EQ(c.pluginPath.size(), 2u);
    EXPECT_EQ(c.pluginPath[0], "/base/plugins");
    EXPECT_EQ(c.pluginPath[1], "/abs/plugins");
    ASSERT_NE(c.plugin("hello"), nullptr);
    EXPECT_TRUE(c.plugin("hello")->enabled);
    EXPECT_TRUE(c.plugin("hello")->optional);
    EXPECT_EQ(c.plugin("hello")->settings["greeting"], "hi");
    EXPECT_EQ(c.server.cors.origins.size(), 1u);
}

TEST(Config, DuplicateKeyNamesFileAndPath) {
    EXPECT_EQ(errorOf(R"({"server": {"port": 1, "port": 2}})"), "test.jsonc: server.port: duplicate key");
    EXPECT_EQ(errorOf(R"({"plugins": {"a": {}, "b": {"settings": {"x": [1, {"y": 1, "y": 2}]}}}})"),
              "test.jsonc: plugins.b.settings.x[1].y: duplicate key");
}

TEST(Config, DeeplyNestedFileIsRefusedWithAClearMessage) {
    const std::string deep = R"({"plugins": {"a": {"settings": {"x": )" + std::string(100000, '[') +
                             std::string(100000, ']') + "}}}}";
    EXPECT_EQ(errorOf(deep), "test.jsonc: nests arrays/objects deeper than 64 levels");
    // Brackets in strings and comments do not count.
    EXPECT_EQ(errorOf("// " + std::string(100, '[') + "\n{\"server\": {\"port\": \"" + std::string(100, '{') +
                      "\"}}"),
              "test.jsonc: server.port: expected an integer, got string");
}

TEST(Config, WrongTypeNamesPath) {
    EXPECT_EQ(errorOf(R"({"server": {"port": "80"}})"),
              "test.jsonc: server.port: expected an integer, got string");
    EXPECT_EQ(errorOf(R"({"server": {"cors": {"credentials": 1}}})"),
              "test.jsonc: server.cors.credentials: expected a boolean, got integer");
    EXPECT_EQ(errorOf(R"({"plugins": {"x": {"enabled": "yes"}}})"),
              "test.jsonc: plugins.x.enabled: expected a boolean, got string");
}

TEST(Config, OutOfRangeAndFractions) {
    EXPECT_EQ(errorOf(R"({"server": {"port": 70000}})"),
              "test.jsonc: server.port: out of range: 70000 (allowed 0..65535)");
    EXPECT_EQ(errorOf(R"({"server": {"port": -1}})"),
              "test.jsonc: server.port: out of range: -1 (allowed 0..65535)");
    EXPECT_EQ(errorOf(R"({"server": {"port": 8080.5}})"),
              "test.jsonc: server.port: expected an integer, got number 8080.5");
    EXPECT_EQ(errorOf(R"({"server": {"threads": 0}})"),
              "test.jsonc: server.threads: out of range: 0 (allowed 1..4096)");
}

TEST(Config, UnknownKeysAreErrors) {
    auto e = errorOf(R"({"server": {"prot": 80}})");
    EXPECT_EQ(e.rfind("test.jsonc: server.prot: unknown key (known: host, port", 0), 0u) << e;
    EXPECT_EQ(errorOf(R"({"plugins": {"x": {"enable": true}}})"),
              "test.jsonc: plugins.x.enable: unknown key (known: enabled, optional, settings)");
}

TEST(Config, SyntaxErrorNamesFile) {
    auto e = errorOf("{\"server\": {\"port\": 80,}}");
    EXPECT_EQ(e.rfind("test.jsonc: syntax error: parse error at line 1", 0), 0u) << e;
}

TEST(Config, CorsWildcardWithCredentialsRefused) {
    EXPECT_EQ(errorOf(R"({"server": {"cors": {"origins": ["*"], "credentials": true}}})"),
              "test.jsonc: server.cors.origins[0]: \"*\" cannot be combined with credentials: true");
}

TEST(Config, BadPluginIdAndLevel) {
    EXPECT_EQ(
        errorOf(R"({"plugins": {"Bad Id": {}}})").rfind("test.jsonc: plugins.Bad Id: invalid plugin id", 0),
        0u);
    EXPECT_EQ(
        errorOf(R"({"logging": {"level": "loud"}})").rfind("test.jsonc: logging.level: unknown level", 0),
        0u);
}

TEST(Config, ShippedDefaultConfigParses) {
    // The commented default config must stay valid.
    auto c = Config::load(VALORY_SOURCE_DIR "/config/valory.jsonc");
    EXPECT_EQ(c.server.port, 8080);
    EXPECT_NE(c.plugin("hello"), nullptr);
}

namespace {

// The demo profile's upstream URLs come from VALORY_FAKE_UPSTREAMS_URL (scripts/run.sh exports it)
// through the host's {"env": NAME, "suffix": ...}, validated against the plugins' own schemas.
nlohmann::json manifestSchema(const std::string& plugin) {
    std::ifstream in(std::string(VALORY_SOURCE_DIR) + "/plugins/" + plugin + "/plugin.json");
    return nlohmann::json::parse(in).at("config_schema");
}

}  // namespace

TEST(Config, DemoProfileTakesUpstreamUrlsFromTheEnvironment) {
    auto c = Config::load(VALORY_SOURCE_DIR "/config/demo.jsonc");
    auto env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "VALORY_FAKE_UPSTREAMS_URL") return std::string("http://127.0.0.1:4242");
        return std::nullopt;
    };
    valory::host::SchemaValidator validator(c.baseDir, env);
    auto twitch =
        validator.validate(manifestSchema("twitch"), c.plugin("twitch")->settings, "plugins.twitch.settings");
    ASSERT_TRUE(twitch.ok()) << twitch.errors.front();
    EXPECT_EQ(twitch.value["id_base_url"], "http://127.0.0.1:4242/oauth2");
    EXPECT_EQ(twitch.value["helix_base_url"], "http://127.0.0.1:4242/helix");
    auto riot =
        validator.validate(manifestSchema("riot"), c.plugin("riot")->settings, "plugins.riot.settings");
    ASSERT_TRUE(riot.ok()) << riot.errors.front();
    EXPECT_EQ(riot.value["base_url"], "http://127.0.0.1:4242/valorant");

    valory::host::SchemaValidator unset(c.baseDir, [](const std::string&) { return std::nullopt; });
    auto r = unset.validate(manifestSchema("riot"), c.plugin("riot")->settings, "plugins.riot.settings");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0],
              "plugins.riot.settings.base_url: environment variable VALORY_FAKE_UPSTREAMS_URL is not set");
}
