#include "config/schema_validator.hpp"
#include "config/secret_masker.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using nlohmann::json;
using valory::host::SchemaValidator;
using valory::host::SecretMasker;

namespace {

const json kSchema = json::parse(R"({
  "type": "object", "additionalProperties": false, "required": ["url"],
  "properties": {
    "url": {"type": "string"},
    "pool_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20},
    "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"},
    "ratio": {"type": "number", "minimum": 0, "maximum": 1},
    "tags": {"type": "array", "items": {"type": "string"}},
    "password": {"type": "string", "secret": true}
  }})");

SchemaValidator validator() {
    return SchemaValidator("/cfg", [](const std::string& name) -> std::optional<std::string> {
        if (name == "VALORY_TEST_PW") return std::string("s3cr3t-pw");
        if (name == "VALORY_TEST_URL") return std::string("redis://127.0.0.1:7000");
        if (name == "VALORY_TEST_POOL") return std::string("7");
        if (name == "VALORY_TEST_BIG") return std::string("7000");
        return std::nullopt;
    });
}

}  // namespace

TEST(SchemaValidator, FillsDefaults) {
    auto r = validator().validate(kSchema, json{{"url", "redis://x"}}, "plugins.cache.settings");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.value["pool_size"], 20);
    EXPECT_EQ(r.value["mode"], "safe");
    EXPECT_FALSE(r.value.contains("password"));
}

TEST(SchemaValidator, ReportsEveryProblemWithPath) {
    auto r = validator().validate(kSchema,
                                  json{{"pool_size", 5000},
                                       {"mode", "slow"},
                                       {"ratio", "x"},
                                       {"tags", json::array({"a", 1})},
                                       {"extra", 1}},
                                  "plugins.cache.settings");
    std::vector<std::string> expected = {
        "plugins.cache.settings.extra: unknown setting (known: mode, password, pool_size, ratio, tags, url)",
        "plugins.cache.settings.mode: \"slow\" is not one of \"fast\", \"safe\"",
        "plugins.cache.settings.pool_size: must be at most 1000, got 5000",
        "plugins.cache.settings.ratio: expected number, got string \"x\"",
        "plugins.cache.settings.tags[1]: expected string, got integer 1",
        "plugins.cache.settings.url: required setting is missing",
    };
    EXPECT_EQ(r.errors, expected);
}

TEST(SchemaValidator, SecretInlineValueIsAnError) {
    auto r =
        validator().validate(kSchema, json{{"url", "u"}, {"password", "hunter2"}}, "plugins.cache.settings");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].rfind("plugins.cache.settings.password: inline value not allowed for a secret", 0),
              0u);
    // The inline value is not echoed back in the message.
    EXPECT_EQ(r.errors[0].find("hunter2"), std::string::npos);
}

TEST(SchemaValidator, SecretFromEnvResolvedAndMasked) {
    auto r =
        validator().validate(kSchema, json{{"url", "u"}, {"password", {{"env", "VALORY_TEST_PW"}}}}, "p");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value["password"], "s3cr3t-pw");
    ASSERT_EQ(r.secrets.size(), 1u);
    SecretMasker masker;
    for (const auto& s : r.secrets) masker.add(s);
    EXPECT_EQ(masker.mask("connecting with s3cr3t-pw to s3cr3t-pw"), "connecting with *** to ***");
}

TEST(SchemaValidator, SecretFromMissingEnvOrFile) {
    auto r = validator().validate(kSchema, json{{"url", "u"}, {"password", {{"env", "NOPE"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "p.password: environment variable NOPE is not set");
    r = validator().validate(kSchema, json{{"url", "u"}, {"password", {{"file", "missing.txt"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "p.password: secret file /cfg/missing.txt cannot be read");
    r = validator().validate(kSchema, json{{"url", "u"}, {"password", {{"value", "x"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
}

TEST(SchemaValidator, SecretFromFileTrimsNewline) {
    auto dir = std::filesystem::temp_directory_path() / ("valory-schema-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "pw.txt") << "file-secret\n";
    SchemaValidator v(dir);
    auto r = v.validate(kSchema, json{{"url", "u"}, {"password", {{"file", "pw.txt"}}}}, "p");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value["password"], "file-secret");
    std::filesystem::remove_all(dir);
}

TEST(SchemaValidator, CheckSchemaRejectsUnsupportedKeywords) {
    auto problems =
        SchemaValidator::checkSchema(json::parse(R"({"type": "object", "patternProperties": {}})"));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0], "config_schema.patternProperties: unsupported schema keyword");
}

TEST(SchemaValidator, ScalarSettingsFromEnvironment) {
    auto r = validator().validate(
        kSchema, json{{"url", {{"env", "VALORY_TEST_URL"}}}, {"pool_size", {{"env", "VALORY_TEST_POOL"}}}},
        "p");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.value["url"], "redis://127.0.0.1:7000");
    EXPECT_EQ(r.value["pool_size"], 7);
    EXPECT_TRUE(r.secrets.empty());  // not secret: not masked
    r = validator().validate(kSchema, json{{"url", "u"}, {"pool_size", {{"env", "VALORY_TEST_BIG"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "p.pool_size: must be at most 1000, got 7000");
    r = validator().validate(kSchema, json{{"url", "u"}, {"pool_size", {{"env", "VALORY_TEST_URL"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "p.pool_size: environment variable VALORY_TEST_URL is not a valid integer: "
              "\"redis://127.0.0.1:7000\"");
}

// {"env": NAME} for plain settings replaces the `${NAME}` expansion twitch and riot used to do
// themselves: a base URL from the environment plus a path below it, resolved by the host.
TEST(SchemaValidator, EnvironmentReferenceWithSuffix) {
    auto r =
        validator().validate(kSchema, json{{"url", {{"env", "VALORY_TEST_URL"}, {"suffix", "/valorant"}}}},
                             "plugins.riot.settings");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.value["url"], "redis://127.0.0.1:7000/valorant");
    EXPECT_TRUE(r.secrets.empty());
}

TEST(SchemaValidator, EnvironmentReferenceUnsetIsAnErrorNamingTheSetting) {
    auto r =
        validator().validate(kSchema, json{{"url", {{"env", "VALORY_UNSET_VAR_X"}, {"suffix", "/oauth2"}}}},
                             "plugins.twitch.settings");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "plugins.twitch.settings.url: environment variable VALORY_UNSET_VAR_X is not set");
}

TEST(SchemaValidator, EnvironmentReferenceDefault) {
    // Unset: the default is used as if written inline (then suffixed and validated).
    auto r = validator().validate(
        kSchema,
        json{{"url",
              {{"env", "VALORY_UNSET_VAR_X"}, {"default", "http://127.0.0.1:18480"}, {"suffix", "/helix"}}},
             {"pool_size", {{"env", "VALORY_UNSET_VAR_Y"}, {"default", 5}}}},
        "p");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.value["url"], "http://127.0.0.1:18480/helix");
    EXPECT_EQ(r.value["pool_size"], 5);
    // Set: the variable wins over the default.
    r = validator().validate(
        kSchema, json{{"url", "u"}, {"pool_size", {{"env", "VALORY_TEST_POOL"}, {"default", 5}}}}, "p");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.value["pool_size"], 7);
    // A default is validated like an inline value.
    r = validator().validate(
        kSchema, json{{"url", "u"}, {"pool_size", {{"env", "VALORY_UNSET_VAR_Y"}, {"default", 5000}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "p.pool_size: must be at most 1000, got 5000");
}

TEST(SchemaValidator, EnvironmentReferenceRejectsWhatItWouldIgnore) {
    auto r = validator().validate(kSchema, json{{"url", {{"env", "VALORY_TEST_URL"}, {"sufix", "/x"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "p.url.sufix: unknown key in an environment reference (known: env, default, suffix)");
    r = validator().validate(
        kSchema, json{{"url", "u"}, {"pool_size", {{"env", "VALORY_TEST_POOL"}, {"suffix", "0"}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "p.pool_size.suffix: only string settings take a suffix");
    r = validator().validate(kSchema, json{{"url", {{"env", "VALORY_TEST_URL"}, {"suffix", 1}}}}, "p");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "p.url.suffix: expected a string");
    // Secrets keep their strict one-key reference: no default (it would be an inline secret).
    r = validator().validate(kSchema, json{{"url", "u"}, {"password", {{"env", "NOPE"}, {"default", "pw"}}}},
                             "p");
    EXPECT_FALSE(r.ok());
}
