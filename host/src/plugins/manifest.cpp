#include "plugins/manifest.hpp"

#include "config/jsonc.hpp"
#include "config/schema_validator.hpp"
#include "errors.hpp"

#include <fstream>
#include <regex>
#include <sstream>

namespace valory::host {

namespace {

std::vector<ServiceDependency> parseDependencies(const JsonReader& r, const nlohmann::json& root,
                                                 const char* key) {
    std::vector<ServiceDependency> out;
    auto it = root.find(key);
    if (it == root.end()) return out;
    if (!it->is_array()) r.fail(key, "expected an array, got " + jsonTypeName(*it));
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& e = (*it)[i];
        const std::string path = joinPath(key, i);
        r.requireObject(e, path);
        r.rejectUnknownKeys(e, path, {"service", "major", "min_minor"});
        ServiceDependency d;
        d.service = r.getString(e, path, "service", "", true);
        if (d.service.empty()) r.fail(joinPath(path, "service"), "must not be empty");
        d.major = static_cast<std::uint32_t>(r.getUInt(e, path, "major", 0, 0, 65535, true));
        d.minMinor = static_cast<std::uint32_t>(r.getUInt(e, path, "min_minor", 0, 0, 65535));
        out.push_back(d);
    }
    return out;
}

}  // namespace

bool Manifest::declaresDependency(const std::string& service, std::uint32_t major) const {
    for (const auto& d : requires_)
        if (d.service == service && d.major == major) return true;
    for (const auto& d : optional)
        if (d.service == service && d.major == major) return true;
    return false;
}

bool Manifest::declaresProvision(const std::string& service, std::uint32_t major) const {
    for (const auto& p : provides)
        if (p.service == service && p.major == major) return true;
    return false;
}

Manifest Manifest::load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string() + ": cannot be read");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str(), file);
}

Manifest Manifest::parse(const std::string& text, const std::filesystem::path& file) {
    const std::string source = file.string();
    nlohmann::json root = parseJsonc(text, source);
    JsonReader r(source);
    r.requireObject(root, "");
    r.rejectUnknownKeys(root, "",
                        {"id", "version", "abi", "library", "description", "requires", "optional", "provides",
                         "config_schema", "commands", "license", "homepage", "authors"});
    Manifest m;
    m.file = file;
    m.dir = file.parent_path();
    m.id = r.getString(root, "", "id", "", true);
    static const std::regex idRe("^[a-z][a-z0-9_.-]{0,63}$");
    if (!std::regex_match(m.id, idRe))
        r.fail("id", "invalid plugin id \"" + m.id + "\" (lower case letters, digits, '_', '.', '-')");
    m.version = r.getString(root, "", "version", "", true);
    static const std::regex versionRe(R"(^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$)");
    if (!std::regex_match(m.version, versionRe))
        r.fail("version", "expected semver MAJOR.MINOR.PATCH, got \"" + m.version + "\"");
    const std::string abi = r.getString(root, "", "abi", "", true);
    static const std::regex abiRe(R"(^(\d{1,5})\.(\d{1,5})$)");
    std::smatch match;
    if (!std::regex_match(abi, match, abiRe)) r.fail("abi", "expected \"MAJOR.MINOR\", got \"" + abi + "\"");
    m.abiMajor = static_cast<std::uint32_t>(std::stoul(match[1]));
    m.abiMinor = static_cast<std::uint32_t>(std::stoul(match[2]));
    m.library = r.getString(root, "", "library", "", true);
    if (m.library.empty() || m.library.find('/') != std::string::npos || m.library == "." ||
        m.library == "..")
        r.fail("library", "expected a file name beside plugin.json, got \"" + m.library + "\"");
    m.description = r.getString(root, "", "description", "");
    m.requires_ = parseDependencies(r, root, "requires");
    m.optional = parseDependencies(r, root, "optional");
    if (auto it = root.find("provides"); it != root.end()) {
        if (!it->is_array()) r.fail("provides", "expected an array, got " + jsonTypeName(*it));
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& e = (*it)[i];
            const std::string path = joinPath("provides", i);
            r.requireObject(e, path);
            r.rejectUnknownKeys(e, path, {"service", "major", "minor"});
            ServiceProvision p;
            p.service = r.getString(e, path, "service", "", true);
            if (p.service.empty()) r.fail(joinPath(path, "service"), "must not be empty");
            p.major = static_cast<std::uint32_t>(r.getUInt(e, path, "major", 0, 0, 65535, true));
            p.minor = static_cast<std::uint32_t>(r.getUInt(e, path, "minor", 0, 0, 65535));
            for (const auto& other : m.provides)
                if (other.key() == p.key()) r.fail(path, "service " + p.key() + " listed twice");
            m.provides.push_back(p);
        }
    }
    if (auto it = root.find("commands"); it != root.end()) {
        if (!it->is_array()) r.fail("commands", "expected an array, got " + jsonTypeName(*it));
        static const std::regex nameRe("^[a-z][a-z0-9_.-]{0,63}$");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const auto& e = (*it)[i];
            const std::string path = joinPath("commands", i);
            r.requireObject(e, path);
            r.rejectUnknownKeys(e, path, {"name", "summary"});
            PluginCommand c;
            c.name = r.getString(e, path, "name", "", true);
            if (!std::regex_match(c.name, nameRe))
                r.fail(joinPath(path, "name"),
                       "invalid command name \"" + c.name + "\" (lower case letters, digits, '_', '.', '-')");
            c.summary = r.getString(e, path, "summary", "");
            for (const auto& other : m.commands)
                if (other.name == c.name) r.fail(path, "command " + c.name + " listed twice");
            m.commands.push_back(c);
        }
    }
    for (std::size_t i = 0; i < m.requires_.size(); ++i)
        for (std::size_t k = 0; k < m.optional.size(); ++k)
            if (m.requires_[i].key() == m.optional[k].key())
                r.fail(joinPath("optional", k), "service " + m.optional[k].key() + " is also in requires");
    if (auto it = root.find("config_schema"); it != root.end()) {
        auto problems = SchemaValidator::checkSchema(*it, "config_schema");
        if (!problems.empty()) throw ConfigError(source + ": " + problems.front());
        if (it->value("type", std::string("object")) != "object")
            r.fail("config_schema.type", "the top level of a config schema must be an object");
        m.configSchema = *it;
    }
    return m;
}

}  // namespace valory::host
