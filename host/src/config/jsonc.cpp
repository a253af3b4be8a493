#include "config/jsonc.hpp"

#include "errors.hpp"
#include "valory/cpp/json.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace valory::host {

namespace {

// One open container while parsing: its keys so far (objects) or its element index (arrays).
struct Frame {
    bool isArray = false;
    std::set<std::string> keys;
    std::string currentKey;
    std::size_t index = 0;
};

std::string framesPath(const std::vector<Frame>& frames, std::size_t upto) {
    std::string path;
    for (std::size_t i = 0; i < upto && i < frames.size(); ++i) {
        const Frame& f = frames[i];
        path = f.isArray ? joinPath(path, f.index) : joinPath(path, f.currentKey);
    }
    return path;
}

struct DuplicateKey {
    std::string path;
};

}  // namespace

std::string joinPath(const std::string& base, const std::string& key) {
    return base.empty() ? key : base + "." + key;
}

std::string joinPath(const std::string& base, std::size_t index) {
    return base + "[" + std::to_string(index) + "]";
}

std::string jsonTypeName(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "object";
        case nlohmann::json::value_t::array:
            return "array";
        case nlohmann::json::value_t::string:
            return "string";
        case nlohmann::json::value_t::boolean:
            return "boolean";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned:
            return "integer";
        case nlohmann::json::value_t::number_float:
            return "number";
        default:
            return "value";
    }
}

nlohmann::json parseJsonc(std::string_view text, const std::string& source) {
    // Copies and dump() of the result recurse per level: refuse a text that would overflow the stack.
    if (valory::json::nestsDeeperThan(text, valory::json::kMaxDepth, /*comments=*/true))
        throw ConfigError(source + ": nests arrays/objects deeper than " +
                          std::to_string(valory::json::kMaxDepth) + " levels");
    std::vector<Frame> frames;
    auto elementDone = [&frames] {
        if (!frames.empty() && frames.back().isArray) ++frames.back().index;
    };
    nlohmann::json::parser_callback_t callback = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                                                     nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        switch (event) {
            case E::object_start:
                frames.push_back(Frame{});
                break;
            case E::array_start:
                frames.push_back(Frame{true, {}, {}, 0});
                break;
            case E::key: {
                Frame& f = frames.back();
                std::string key = parsed.get<std::string>();
                f.currentKey = key;
                if (!f.keys.insert(key).second) throw DuplicateKey{framesPath(frames, frames.size())};
                break;
            }
            case E::object_end:
            case E::array_end:
                frames.pop_back();
                elementDone();
                break;
            case E::value:
                elementDone();
                break;
        }
        return true;
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                                     /*ignore_comments=*/true);
    } catch (const DuplicateKey& dup) {
        throw ConfigError(source + ": " + dup.path + ": duplicate key");
    } catch (const nlohmann::json::parse_error& e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." -> drop the prefix.
        if (auto pos = what.find("parse error"); pos != std::string::npos) what = what.substr(pos);
        throw ConfigError(source + ": syntax error: " + what);
    }
}

nlohmann::json parseJsoncFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot be read");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parseJsonc(buffer.str(), path);
}

void JsonReader::fail(const std::string& path, const std::string& reason) const {
    throw ConfigError(source_ + ": " + (path.empty() ? std::string("(top level)") : path) + ": " + reason);
}

void JsonReader::requireObject(const nlohmann::json& value, const std::string& path) const {
    if (!value.is_object()) fail(path, "expected an object, got " + jsonTypeName(value));
}

void JsonReader::rejectUnknownKeys(const nlohmann::json& object, const std::string& path,
                                   std::initializer_list<std::string_view> known) const {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool ok = false;
        for (auto k : known) ok = ok || k == it.key();
        if (!ok) {
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            fail(joinPath(path, it.key()), "unknown key (known: " + list + ")");
        }
    }
}

std::string JsonReader::getString(const nlohmann::json& object, const std::string& path, const char* key,
                                  const std::string& fallback, bool required) const {
    auto it = object.find(key);
    if (it == object.end()) {
        if (required) fail(joinPath(path, key), "required key is missing");
        return fallback;
    }
    if (!it->is_string()) fail(joinPath(path, key), "expected a string, got " + jsonTypeName(*it));
    return it->get<std::string>();
}

bool JsonReader::getBool(const nlohmann::json& object, const std::string& path, const char* key,
                         bool fallback) const {
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_boolean()) fail(joinPath(path, key), "expected a boolean, got " + jsonTypeName(*it));
    return it->get<bool>();
}

std::uint64_t JsonReader::getUInt(const nlohmann::json& object, const std::string& path, const char* key,
                                  std::uint64_t fallback, std::uint64_t min, std::uint64_t max,
                                  bool required) const {
    auto it = object.find(key);
    const std::string keyPath = joinPath(path, key);
    if (it == object.end()) {
        if (required) fail(keyPath, "required key is missing");
        return fallback;
    }
    if (it->is_number_float()) fail(keyPath, "expected an integer, got number " + it->dump());
    if (!it->is_number_integer()) fail(keyPath, "expected an integer, got " + jsonTypeName(*it));
    if (it->is_number_unsigned()) {
        auto v = it->get<std::uint64_t>();
        if (v < min || v > max)
            fail(keyPath, "out of range: " + std::to_string(v) + " (allowed " + std::to_string(min) + ".." +
                              std::to_string(max) + ")");
        return v;
    }
    auto v = it->get<std::int64_t>();
    if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max)
        fail(keyPath, "out of range: " + std::to_string(v) + " (allowed " + std::to_string(min) + ".." +
                          std::to_string(max) + ")");
    return static_cast<std::uint64_t>(v);
}

std::vector<std::string> JsonReader::getStringArray(const nlohmann::json& object, const std::string& path,
                                                    const char* key,
                                                    std::vector<std::string> fallback) const {
    auto it = object.find(key);
    if (it == object.end()) return fallback;
    const std::string keyPath = joinPath(path, key);
    if (!it->is_array()) fail(keyPath, "expected an array of strings, got " + jsonTypeName(*it));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
        const auto& v = (*it)[i];
        if (!v.is_string()) fail(joinPath(keyPath, i), "expected a string, got " + jsonTypeName(v));
        out.push_back(v.get<std::string>());
    }
    return out;
}

}  // namespace valory::host
