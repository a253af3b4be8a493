#include "config/config.hpp"

#include "config/jsonc.hpp"
#include "errors.hpp"

#include <fstream>
#include <regex>
#include <sstream>

namespace valory::host {

namespace fs = std::filesystem;

namespace {

fs::path resolvePath(const fs::path& baseDir, const std::string& value) {
    fs::path p(value);
    return (p.is_absolute() ? p : baseDir / p).lexically_normal();
}

void parseServer(const JsonReader& r, const nlohmann::json& j, ServerSettings& s) {
    const std::string path = "server";
    r.requireObject(j, path);
    r.rejectUnknownKeys(j, path,
                        {"host", "port", "threads", "max_queued", "keep_alive_timeout_s",
                         "max_keep_alive_requests", "request_timeout_s", "max_body_bytes", "drain_deadline_s",
                         "retry_after_s", "trusted_proxies", "public_url", "cors"});
    s.host = r.getString(j, path, "host", s.host);
    s.port = static_cast<std::uint16_t>(r.getUInt(j, path, "port", s.port, 0, 65535));
    s.threads = static_cast<std::uint32_t>(r.getUInt(j, path, "threads", s.threads, 1, 4096));
    s.maxQueued = static_cast<std::uint32_t>(r.getUInt(j, path, "max_queued", s.maxQueued, 1, 100000));
    s.keepAliveTimeoutS =
        static_cast<std::uint32_t>(r.getUInt(j, path, "keep_alive_timeout_s", s.keepAliveTimeoutS, 1, 3600));
    s.maxKeepAliveRequests = static_cast<std::uint32_t>(
        r.getUInt(j, path, "max_keep_alive_requests", s.maxKeepAliveRequests, 1, 1000000000));
    s.requestTimeoutS =
        static_cast<std::uint32_t>(r.getUInt(j, path, "request_timeout_s", s.requestTimeoutS, 1, 3600));
    s.maxBodyBytes = r.getUInt(j, path, "max_body_bytes", s.maxBodyBytes, 0, std::uint64_t{1} << 34);
    s.drainDeadlineS =
        static_cast<std::uint32_t>(r.getUInt(j, path, "drain_deadline_s", s.drainDeadlineS, 0, 3600));
    s.retryAfterS = static_cast<std::uint32_t>(r.getUInt(j, path, "retry_after_s", s.retryAfterS, 1, 3600));
    s.trustedProxies = r.getStringArray(j, path, "trusted_proxies", {});
    s.publicUrl = r.getString(j, path, "public_url", "");
    if (auto it = j.find("cors"); it != j.end()) {
        const std::string cpath = "server.cors";
        r.requireObject(*it, cpath);
        r.rejectUnknownKeys(*it, cpath, {"origins", "credentials", "allow_headers", "max_age_s"});
        s.cors.origins = r.getStringArray(*it, cpath, "origins", {});
        s.cors.credentials = r.getBool(*it, cpath, "credentials", false);
        s.cors.allowHeaders = r.getStringArray(*it, cpath, "allow_headers", {});
        s.cors.maxAgeS = static_cast<std::uint32_t>(r.getUInt(*it, cpath, "max_age_s", 600, 0, 86400));
        for (std::size_t i = 0; i < s.cors.origins.size(); ++i) {
            if (s.cors.origins[i] == "*" && s.cors.credentials)
                r.fail(joinPath("server.cors.origins", i), "\"*\" cannot be combined with credentials: true");
        }
    }
}

const std::regex& pluginIdPattern() {
    static const std::regex re("^[a-z][a-z0-9_.-]{0,63}$");
    return re;
}

}  // namespace

Config Config::defaults(const fs::path& baseDir) {
    Config c;
    c.source = "(defaults)";
    c.baseDir = baseDir;
    c.pluginPath = {resolvePath(baseDir, "plugins")};
    c.dataDir = resolvePath(baseDir, "data");
    return c;
}

Config Config::load(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw ConfigError(file.string() + ": cannot be read");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    fs::path base = fs::absolute(file).parent_path();
    return parse(buffer.str(), file.string(), base);
}

Config Config::parse(const std::string& text, const std::string& source, const fs::path& baseDir) {
    nlohmann::json root = parseJsonc(text, source);
    JsonReader r(source);
    Config c = defaults(baseDir);
    c.source = source;
    r.requireObject(root, "");
    r.rejectUnknownKeys(root, "",
                        {"server", "plugin_path", "data_dir", "logging", "scheduler", "plugins",
                         "http_client", "stop_deadline_s", "admin"});
    if (auto it = root.find("server"); it != root.end()) parseServer(r, *it, c.server);
    if (root.contains("plugin_path")) {
        auto dirs = r.getStringArray(root, "", "plugin_path", {});
        c.pluginPath.clear();
        for (const auto& d : dirs) c.pluginPath.push_back(resolvePath(baseDir, d));
    }
    if (root.contains("data_dir"))
        c.dataDir = resolvePath(baseDir, r.getString(root, "", "data_dir", "data"));
    c.stopDeadlineS =
        static_cast<std::uint32_t>(r.getUInt(root, "", "stop_deadline_s", c.stopDeadlineS, 0, 3600));
    if (auto it = root.find("logging"); it != root.end()) {
        r.requireObject(*it, "logging");
        r.rejectUnknownKeys(*it, "logging", {"level"});
        c.logLevel = r.getString(*it, "logging", "level", c.logLevel);
        static const char* kLevels[] = {"trace",   "debug", "information", "info",  "notice",
                                        "warning", "error", "critical",    "fatal", "none"};
        bool ok = false;
        for (auto* l : kLevels) ok = ok || c.logLevel == l;
        if (!ok)
            r.fail("logging.level",
                   "unknown level \"" + c.logLevel +
                       "\" (allowed: trace, debug, information, warning, error, critical, none)");
        if (c.logLevel == "info") c.logLevel = "information";
    }
    if (auto it = root.find("scheduler"); it != root.end()) {
        r.requireObject(*it, "scheduler");
        r.rejectUnknownKeys(*it, "scheduler", {"workers"});
        c.schedulerWorkers = static_cast<std::uint32_t>(r.getUInt(*it, "scheduler", "workers", 2, 1, 64));
    }
    if (auto it = root.find("http_client"); it != root.end()) {
        r.requireObject(*it, "http_client");
        c.httpClient = *it;
    }
    if (auto it = root.find("admin"); it != root.end()) {
        r.requireObject(*it, "admin");
        r.rejectUnknownKeys(*it, "admin", {"token", "watch_config", "watch_interval_ms"});
        if (auto t = it->find("token"); t != it->end()) {
            const bool reference = t->is_object() && t->size() == 1 &&
                                   ((t->contains("env") && (*t)["env"].is_string()) ||
                                    (t->contains("file") && (*t)["file"].is_string()));
            if (!reference)
                r.fail(
                    "admin.token",
                    "takes a reference {\"env\": \"NAME\"} or {\"file\": \"PATH\"}, never the token itself");
            c.admin.token = *t;
        }
        c.admin.watchConfig = r.getBool(*it, "admin", "watch_config", false);
        c.admin.watchIntervalMs =
            static_cast<std::uint32_t>(r.getUInt(*it, "admin", "watch_interval_ms", 1000, 100, 3600000));
    }
    if (auto it = root.find("plugins"); it != root.end()) {
        r.requireObject(*it, "plugins");
        for (auto p = it->begin(); p != it->end(); ++p) {
            const std::string path = joinPath("plugins", p.key());
            if (!std::regex_match(p.key(), pluginIdPattern()))
                r.fail(path,
                       "invalid plugin id (lower case letters, digits, '_', '.', '-'; starts with a letter)");
            r.requireObject(p.value(), path);
            r.rejectUnknownKeys(p.value(), path, {"enabled", "optional", "settings"});
            PluginEntry e;
            e.id = p.key();
            e.keyPath = path;
            e.enabled = r.getBool(p.value(), path, "enabled", true);
            e.optional = r.getBool(p.value(), path, "optional", false);
            if (auto s = p.value().find("settings"); s != p.value().end()) {
                r.requireObject(*s, joinPath(path, "settings"));
                e.settings = *s;
            }
            c.plugins.emplace(e.id, std::move(e));
        }
    }
    return c;
}

const PluginEntry* Config::plugin(const std::string& id) const {
    auto it = plugins.find(id);
    return it == plugins.end() ? nullptr : &it->second;
}

}  // namespace valory::host
