#include "config/schema_validator.hpp"

#include "config/jsonc.hpp"
#include "valory/cpp/json.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace valory::host {

namespace {

bool matchesType(const std::string& type, const nlohmann::json& v) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "integer") return v.is_number_integer();
    if (type == "number") return v.is_number();
    if (type == "null") return v.is_null();
    return false;
}

std::string shortDump(const nlohmann::json& v) {
    std::string s = v.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

}  // namespace

SchemaValidator::SchemaValidator(std::filesystem::path baseDir, EnvLookup env)
    : baseDir_(std::move(baseDir)), env_(std::move(env)) {
    if (!env_) {
        env_ = [](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            if (!v) return std::nullopt;
            return std::string(v);
        };
    }
}

std::vector<std::string> SchemaValidator::checkSchema(const nlohmann::json& schema, const std::string& path) {
    std::vector<std::string> problems;
    if (!schema.is_object()) {
        problems.push_back(path + ": expected an object, got " + jsonTypeName(schema));
        return problems;
    }
    static const char* kKnown[] = {"type",
                                   "properties",
                                   "required",
                                   "enum",
                                   "default",
                                   "minimum",
                                   "maximum",
                                   "items",
                                   "secret",
                                   "description",
                                   "additionalProperties",
                                   "title",
                                   "examples",
                                   "$comment"};
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        bool known = false;
        for (auto* k : kKnown) known = known || it.key() == k;
        if (!known) problems.push_back(joinPath(path, it.key()) + ": unsupported schema keyword");
    }
    if (auto t = schema.find("type"); t != schema.end()) {
        static const char* kTypes[] = {"object", "array", "string", "boolean", "integer", "number", "null"};
        bool ok = false;
        if (t->is_string())
            for (auto* k : kTypes) ok = ok || *t == k;
        if (!ok) problems.push_back(joinPath(path, "type") + ": unsupported type " + shortDump(*t));
    }
    if (auto p = schema.find("properties"); p != schema.end()) {
        if (!p->is_object()) {
            problems.push_back(joinPath(path, "properties") + ": expected an object");
        } else {
            for (auto it = p->begin(); it != p->end(); ++it) {
                auto sub = checkSchema(it.value(), joinPath(joinPath(path, "properties"), it.key()));
                problems.insert(problems.end(), sub.begin(), sub.end());
            }
        }
    }
    if (auto r = schema.find("required"); r != schema.end()) {
        bool ok = r->is_array();
        if (ok)
            for (const auto& e : *r) ok = ok && e.is_string();
        if (!ok) problems.push_back(joinPath(path, "required") + ": expected an array of strings");
    }
    if (auto e = schema.find("enum"); e != schema.end() && (!e->is_array() || e->empty()))
        problems.push_back(joinPath(path, "enum") + ": expected a non-empty array");
    for (const char* k : {"minimum", "maximum"})
        if (auto m = schema.find(k); m != schema.end() && !m->is_number())
            problems.push_back(joinPath(path, k) + ": expected a number");
    if (auto a = schema.find("additionalProperties"); a != schema.end() && !a->is_boolean())
        problems.push_back(joinPath(path, "additionalProperties") + ": only true/false is supported");
    if (auto s = schema.find("secret"); s != schema.end() && !s->is_boolean())
        problems.push_back(joinPath(path, "secret") + ": expected a boolean");
    if (auto i = schema.find("items"); i != schema.end()) {
        auto sub = checkSchema(*i, joinPath(path, "items"));
        problems.insert(problems.end(), sub.begin(), sub.end());
    }
    return problems;
}

SchemaValidator::Result SchemaValidator::validate(const nlohmann::json& schema, const nlohmann::json& value,
                                                  const std::string& path) const {
    Result result;
    validateNode(schema, value, path, result.value, result);
    return result;
}

void SchemaValidator::resolveSecret(const nlohmann::json& value, const std::string& path, nlohmann::json& out,
                                    Result& result) const {
    const std::string hint = "secret settings take a reference {\"env\": \"NAME\"} or {\"file\": \"PATH\"}";
    if (!value.is_object()) {
        result.errors.push_back(path + ": inline value not allowed for a secret; " + hint);
        return;
    }
    if (value.size() != 1 || (!value.contains("env") && !value.contains("file"))) {
        result.errors.push_back(path + ": " + hint);
        return;
    }
    if (auto e = value.find("env"); e != value.end()) {
        if (!e->is_string() || e->get<std::string>().empty()) {
            result.errors.push_back(joinPath(path, "env") + ": expected a variable name");
            return;
        }
        auto v = env_(e->get<std::string>());
        if (!v) {
            result.errors.push_back(path + ": environment variable " + e->get<std::string>() + " is not set");
            return;
        }
        out = *v;
        result.secrets.push_back(*v);
        return;
    }
    const auto& f = value["file"];
    if (!f.is_string() || f.get<std::string>().empty()) {
        result.errors.push_back(joinPath(path, "file") + ": expected a file path");
        return;
    }
    std::filesystem::path p(f.get<std::string>());
    if (p.is_relative() && !baseDir_.empty()) p = baseDir_ / p;
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        result.errors.push_back(path + ": secret file " + p.string() + " cannot be read");
        return;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string s = buffer.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    out = s;
    result.secrets.push_back(s);
}

// A scalar setting may also come from the environment: {"env": "NAME"} (e.g. a port or URL chosen by
// a launcher), optionally with "default" (used when NAME is unset) and, for strings, "suffix"
// (appended, e.g. a path below a base URL). Resolved once, when the settings are validated.
bool SchemaValidator::isEnvReference(const nlohmann::json& schema, const nlohmann::json& value) {
    if (!value.is_object() || !value.contains("env")) return false;
    const std::string type = schema.value("type", std::string());
    return type == "string" || type == "integer" || type == "number" || type == "boolean";
}

void SchemaValidator::resolveEnvReference(const nlohmann::json& schema, const nlohmann::json& value,
                                          const std::string& path, nlohmann::json& out,
                                          Result& result) const {
    const std::string type = schema.value("type", std::string());
    for (auto it = value.begin(); it != value.end(); ++it) {
        if (it.key() != "env" && it.key() != "default" && it.key() != "suffix") {
            result.errors.push_back(
                joinPath(path, it.key()) +
                ": unknown key in an environment reference (known: env, default, suffix)");
            return;
        }
    }
    const auto& name = value["env"];
    if (!name.is_string() || name.get<std::string>().empty()) {
        result.errors.push_back(joinPath(path, "env") + ": expected a variable name");
        return;
    }
    const auto suffix = value.find("suffix");
    if (suffix != value.end() && (type != "string" || !suffix->is_string())) {
        result.errors.push_back(joinPath(path, "suffix") + (type != "string"
                                                                ? ": only string settings take a suffix"
                                                                : ": expected a string"));
        return;
    }
    auto text = env_(name.get<std::string>());
    nlohmann::json resolved;
    if (!text) {
        const auto def = value.find("default");
        if (def == value.end()) {
            result.errors.push_back(path + ": environment variable " + name.get<std::string>() +
                                    " is not set");
            return;
        }
        resolved = *def;
    } else if (type == "string") {
        resolved = *text;
    } else {
        resolved = valory::json::parse(*text);
        if (resolved.is_discarded() || !matchesType(type, resolved)) {
            result.errors.push_back(path + ": environment variable " + name.get<std::string>() +
                                    " is not a valid " + type + ": \"" + *text + "\"");
            return;
        }
    }
    if (suffix != value.end() && resolved.is_string())
        resolved = resolved.get<std::string>() + suffix->get<std::string>();
    validateNode(schema, resolved, path, out, result);
}

void SchemaValidator::validateNode(const nlohmann::json& schema, const nlohmann::json& value,
                                   const std::string& path, nlohmann::json& out, Result& result) const {
    if (schema.value("secret", false)) {
        resolveSecret(value, path, out, result);
        // The resolved value is still type-checked below (enum/min/max are not applied to secrets).
        if (!result.errors.empty() && !out.is_string()) return;
        if (auto t = schema.find("type"); t != schema.end() && t->is_string() && *t != "string")
            result.errors.push_back(path + ": secret settings must have type string");
        return;
    }
    if (isEnvReference(schema, value)) {
        resolveEnvReference(schema, value, path, out, result);
        return;
    }
    out = value;
    if (auto t = schema.find("type"); t != schema.end() && t->is_string()) {
        if (!matchesType(*t, value)) {
            result.errors.push_back(path + ": expected " + t->get<std::string>() + ", got " +
                                    jsonTypeName(value) +
                                    (value.is_primitive() ? " " + shortDump(value) : std::string()));
            return;
        }
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
        bool found = false;
        for (const auto& option : *e) found = found || option == value;
        if (!found) {
            std::string list;
            for (const auto& option : *e) list += (list.empty() ? "" : ", ") + option.dump();
            result.errors.push_back(path + ": " + shortDump(value) + " is not one of " + list);
        }
    }
    if (value.is_number()) {
        const double v = value.get<double>();
        if (auto m = schema.find("minimum"); m != schema.end() && m->is_number() && v < m->get<double>())
            result.errors.push_back(path + ": must be at least " + m->dump() + ", got " + value.dump());
        if (auto m = schema.find("maximum"); m != schema.end() && m->is_number() && v > m->get<double>())
            result.errors.push_back(path + ": must be at most " + m->dump() + ", got " + value.dump());
    }
    if (value.is_object()) {
        const auto props = schema.find("properties");
        const bool hasProps = props != schema.end() && props->is_object();
        const bool closed =
            schema.contains("additionalProperties") && schema["additionalProperties"] == false;
        out = nlohmann::json::object();
        for (auto it = value.begin(); it != value.end(); ++it) {
            const std::string childPath = joinPath(path, it.key());
            if (hasProps && props->contains(it.key())) {
                nlohmann::json child;
                validateNode((*props)[it.key()], it.value(), childPath, child, result);
                out[it.key()] = std::move(child);
            } else if (closed) {
                std::string known;
                if (hasProps)
                    for (auto k = props->begin(); k != props->end(); ++k)
                        known += (known.empty() ? "" : ", ") + k.key();
                result.errors.push_back(childPath + ": unknown setting" +
                                        (known.empty() ? std::string() : " (known: " + known + ")"));
            } else {
                out[it.key()] = it.value();
            }
        }
        if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
            for (const auto& name : *req) {
                if (name.is_string() && !value.contains(name.get<std::string>()))
                    result.errors.push_back(joinPath(path, name.get<std::string>()) +
                                            ": required setting is missing");
            }
        }
        if (hasProps) {
            for (auto it = props->begin(); it != props->end(); ++it) {
                if (!value.contains(it.key()) && it.value().is_object() && it.value().contains("default"))
                    out[it.key()] = it.value()["default"];
            }
        }
    }
    if (value.is_array()) {
        if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
            out = nlohmann::json::array();
            for (std::size_t i = 0; i < value.size(); ++i) {
                nlohmann::json child;
                validateNode(*items, value[i], joinPath(path, i), child, result);
                out.push_back(std::move(child));
            }
        }
    }
}

}  // namespace valory::host
