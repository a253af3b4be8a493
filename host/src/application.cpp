#include "application.hpp"
#include "strings.hpp"

#include "admin_api.hpp"
#include "config/config.hpp"
#include "config/schema_validator.hpp"
#include "control_loop.hpp"
#include "config/secret_masker.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "host_log.hpp"
#include "http/http_server.hpp"
#include "http/router.hpp"
#include "metrics_registry.hpp"
#include "plugins/host_api.hpp"
#include "plugins/plugin_health_service.hpp"
#include "plugins/plugin_manager.hpp"
#include "plugins/service_registry.hpp"
#include "scheduler.hpp"

#if __has_include("http_client/http_client_service.hpp")
#include "http_client/http_client_service.hpp"
#define VALORY_HOST_HAS_HTTP_CLIENT 1
#endif

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#ifndef VALORY_HOST_VERSION
#define VALORY_HOST_VERSION "0.0.0"
#endif

namespace valory::host {

namespace fs = std::filesystem;

namespace {

Poco::Logger& log() {
    return Poco::Logger::get("host");
}

std::string randomHex(int bytes) {
    std::random_device rd;
    std::string out;
    static const char* kHex = "0123456789abcdef";
    for (int i = 0; i < bytes; ++i) {
        unsigned v = rd() & 0xffu;
        out.push_back(kHex[v >> 4]);
        out.push_back(kHex[v & 15]);
    }
    return out;
}

bool writePortFile(const std::string& file, std::uint16_t port) {
    const std::string tmp = file + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return false;
        out << port << "\n";
        if (!out.flush()) return false;
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    return !ec;
}

/// Hands the metrics registry to a host service that wants it (detected, so either shape compiles).
template <class Service>
void attachMetrics(Service& service, MetricsRegistry& metrics) {
    if constexpr (requires { service.setMetrics(metrics); }) service.setMetrics(metrics);
}

/// Resolves admin.token ({"env"} / {"file"}) like a secret plugin setting; empty = admin API off.
bool resolveAdminToken(const Config& config, SecretMasker& masker, std::string& token, std::string& error) {
    token.clear();
    if (config.admin.token.is_null()) return true;
    const nlohmann::json schema = {{"type", "object"},
                                   {"additionalProperties", false},
                                   {"properties", {{"token", {{"type", "string"}, {"secret", true}}}}}};
    SchemaValidator validator(config.baseDir);
    auto result = validator.validate(schema, nlohmann::json{{"token", config.admin.token}}, "admin");
    if (!result.ok()) {
        error = config.source + ": " + result.errors.front();
        return false;
    }
    token = result.value["token"].get<std::string>();
    if (token.size() < 16) {
        error = config.source + ": admin.token: the token must be at least 16 characters";
        return false;
    }
    masker.add(token);
    return true;
}

/// Sections a running host cannot apply; a reload that changes them says so.
std::vector<std::string> restartOnlyChanges(const Config& a, const Config& b) {
    std::vector<std::string> out;
    const auto& x = a.server;
    const auto& y = b.server;
    if (x.host != y.host || x.port != y.port || x.threads != y.threads || x.maxQueued != y.maxQueued ||
        x.keepAliveTimeoutS != y.keepAliveTimeoutS || x.maxKeepAliveRequests != y.maxKeepAliveRequests ||
        x.requestTimeoutS != y.requestTimeoutS || x.maxBodyBytes != y.maxBodyBytes ||
        x.drainDeadlineS != y.drainDeadlineS || x.retryAfterS != y.retryAfterS ||
        x.trustedProxies != y.trustedProxies || x.publicUrl != y.publicUrl ||
        x.cors.origins != y.cors.origins || x.cors.credentials != y.cors.credentials ||
        x.cors.allowHeaders != y.cors.allowHeaders || x.cors.maxAgeS != y.cors.maxAgeS)
        out.push_back("server");
    if (a.pluginPath != b.pluginPath) out.push_back("plugin_path");
    if (a.dataDir != b.dataDir) out.push_back("data_dir");
    if (a.logLevel != b.logLevel) out.push_back("logging");  // Poco's logger levels are not atomic
    if (a.schedulerWorkers != b.schedulerWorkers) out.push_back("scheduler");
    if (a.httpClient != b.httpClient) out.push_back("http_client");
    if (a.admin.token != b.admin.token || a.admin.watchConfig != b.admin.watchConfig ||
        a.admin.watchIntervalMs != b.admin.watchIntervalMs)
        out.push_back("admin");
    return out;
}

/// What the config watcher compares: modification time and size.
std::pair<std::int64_t, std::int64_t> fileStamp(const std::string& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return {0, -1};
    return {static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
            static_cast<std::int64_t>(st.st_size)};
}

fs::path defaultConfigFile() {
    if (const char* env = std::getenv("VALORY_CONFIG"); env && *env) return env;
    return "config/valory.jsonc";
}

}  // namespace

Application::Application(std::vector<std::string> runArgs, bool runRequested)
    : runArgs_(std::move(runArgs)), runRequested_(runRequested) {
    setUnixOptions(true);
}

void Application::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    using Poco::Util::Option;
    options.addOption(Option("help", "h", "Show this help and exit.").required(false).repeatable(false));
    options.addOption(Option("config", "c",
                             "Admin config file (JSON with comments). Default: $VALORY_CONFIG or "
                             "config/valory.jsonc if it exists, else built-in defaults.")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE"));
    options.addOption(Option("check", "",
                             "Validate config and manifests, load and start every enabled plugin in "
                             "check mode, report every problem; exit non-zero on any.")
                          .required(false)
                          .repeatable(false));
    options.addOption(Option("list-plugins", "", "List plugins found, enabled, start order, refused and why.")
                          .required(false)
                          .repeatable(false));
    options.addOption(Option("port", "p", "Listen port (overrides server.port; 0 = any free port).")
                          .required(false)
                          .repeatable(false)
                          .argument("N"));
    options.addOption(Option("port-file", "", "Write the bound port to FILE once listening.")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE"));
    options.addOption(
        Option("plugin-path", "", "Plugin folder (repeatable; replaces plugin_path of the config).")
            .required(false)
            .repeatable(true)
            .argument("DIR"));
}

void Application::handleOption(const std::string& name, const std::string& value) {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
        help_ = true;
        stopOptionsProcessing();
    } else if (name == "config") {
        configFile_ = value;
    } else if (name == "check") {
        check_ = true;
    } else if (name == "list-plugins") {
        list_ = true;
    } else if (name == "port") {
        try {
            std::size_t used = 0;
            int p = std::stoi(value, &used);
            if (used != value.size() || p < 0 || p > 65535) throw std::out_of_range(value);
            port_ = p;
        } catch (const std::exception&) {
            throw Poco::InvalidArgumentException("--port: expected 0..65535, got \"" + value + "\"");
        }
    } else if (name == "port-file") {
        portFile_ = value;
    } else if (name == "plugin-path") {
        pluginPaths_.push_back(value);
    }
}

void Application::applyCommandLine(Config& config) const {
    if (port_ >= 0) config.server.port = static_cast<std::uint16_t>(port_);
    if (!pluginPaths_.empty()) {
        config.pluginPath.clear();
        for (const auto& p : pluginPaths_) config.pluginPath.push_back(fs::absolute(p).lexically_normal());
    }
}

void Application::printHelp() {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[OPTIONS] | [OPTIONS] run <plugin> <command> [ARGS...]");
    help.setHeader(
        "Valory Host: loads plugins (shared libraries with a plugin.json manifest) and serves HTTP.");
    help.setFooter(
        "Signals: SIGTERM/SIGINT stop gracefully (drain, then stop plugins in reverse order); SIGHUP "
        "reloads the config file (plugins toggled, settings applied; a config with an error is refused "
        "whole).\nExit codes: 0 ok, 1 start-up/check/command failure, "
        "64 usage error.");
    help.format(std::cout);
}

int Application::main(const std::vector<std::string>& args) {
    SecretMasker& masker = SecretMasker::global();
    HostLog::setup("information", masker);
    if (help_) {
        printHelp();
        return kExitOk;
    }
    if (!args.empty()) {
        std::cerr << "valory-host: unexpected argument '" << args.front() << "' (see --help)\n";
        return kExitUsage;
    }
    PluginManager::CommandSpec command;
    // `run <plugin> --help`: list the plugin's commands (from its manifest; nothing is started).
    const bool runHelp =
        runRequested_ && runArgs_.size() == 2 && (runArgs_[1] == "--help" || runArgs_[1] == "-h");
    if (runRequested_ && !runHelp) {
        if (runArgs_.size() < 2) {
            std::cerr << "valory-host: usage: valory-host [OPTIONS] run <plugin> <command> [ARGS...]\n";
            return kExitUsage;
        }
        command.plugin = runArgs_[0];
        command.command = runArgs_[1];
        command.args.assign(runArgs_.begin() + 2, runArgs_.end());
    }
    if ((check_ ? 1 : 0) + (list_ ? 1 : 0) + (runRequested_ ? 1 : 0) > 1) {
        std::cerr << "valory-host: --check, --list-plugins and run are exclusive\n";
        return kExitUsage;
    }

    // Config.
    Config config;
    try {
        fs::path file = configFile_.empty() ? defaultConfigFile() : fs::path(configFile_);
        if (configFile_.empty() && !fs::exists(file)) {
            config = Config::defaults(fs::current_path());
            log().warning("no config file (" + file.string() + "); using built-in defaults");
        } else {
            config = Config::load(file);
            configPath_ = file.string();
        }
    } catch (const ConfigError& e) {
        if (check_) std::cout << "check: config: " << e.what() << "\ncheck: failed, 1 problem(s)\n";
        std::cerr << "valory-host: config error: " << e.what() << "\n";
        return kExitFailure;
    }
    applyCommandLine(config);
    HostLog::setLevel(config.logLevel);

    // The host's parts.
    Router router(config.server.cors);
    router.setMasker(&masker);
    router.setRetryAfter(config.server.retryAfterS);
    ServiceRegistry services;
    Events events;
    MetricsRegistry metrics;
    Scheduler scheduler(config.schedulerWorkers);
    HostContext context;
    context.router = &router;
    context.services = &services;
    context.events = &events;
    context.metrics = &metrics;
    context.scheduler = &scheduler;
    context.masker = &masker;
    context.runMode = check_ ? VALORY_RUN_CHECK : runRequested_ ? VALORY_RUN_COMMAND : VALORY_RUN_SERVE;
    context.jobCancelDeadlineMs = std::uint64_t{config.stopDeadlineS} * 1000;
    context.info["host.version"] = VALORY_HOST_VERSION;
    context.info["host.instance_id"] = randomHex(6);
    context.info["http.public_url"] = config.server.publicUrl;

    // Scheduler: job runs are logged on failure, counted, and published.
    {
        MetricsRegistry::FamilyDef runs{VALORY_METRIC_COUNTER,
                                        "valory_job_runs_total",
                                        "Job runs by outcome",
                                        {"plugin", "job", "outcome"},
                                        {}};
        MetricsRegistry::FamilyDef duration{VALORY_METRIC_HISTOGRAM,
                                            "valory_job_duration_seconds",
                                            "Job run time",
                                            {"plugin", "job"},
                                            {0.01, 0.1, 0.5, 1, 5, 30, 120}};
        std::uint32_t runsId = 0, durationId = 0;
        std::string message;
        metrics.define("host", runs, runsId, message);
        metrics.define("host", duration, durationId, message);
        scheduler.setFinishedHook([&events, &metrics, runsId, durationId](
                                      const valory_job& job, valory_status status,
                                      std::chrono::microseconds took, const std::string& message) {
            metrics.counterAdd(runsId, {job.owner, job.name, status == VALORY_OK ? "ok" : "error"});
            metrics.histogramObserve(durationId, {job.owner, job.name},
                                     static_cast<double>(took.count()) / 1e6);
            if (status != VALORY_OK)
                Poco::Logger::get(job.owner).error("job '" + job.name + "' failed: " + message);
            if (!events.hasSubscribers(VALORY_EVENT_JOB_FINISHED)) return;
            valory_job_finished_event ev{};
            ev.struct_size = sizeof ev;
            ev.plugin_id = str(job.owner);
            ev.job_name = str(job.name);
            ev.status = status;
            ev.duration_us = static_cast<std::uint64_t>(took.count());
            ev.message = str(message);
            events.publish(VALORY_EVENT_JOB_FINISHED, &ev);
        });
    }

    PluginManager plugins(config, context, context.runMode, command);

    // Host-provided services.
    PluginHealthService pluginHealth(plugins);
    services.registerHostService(VALORY_PLUGIN_HEALTH_SERVICE, VALORY_PLUGIN_HEALTH_MAJOR,
                                 VALORY_PLUGIN_HEALTH_MINOR, pluginHealth.vtable(), pluginHealth.self());
    plugins.addHostService(VALORY_PLUGIN_HEALTH_SERVICE, VALORY_PLUGIN_HEALTH_MAJOR,
                           VALORY_PLUGIN_HEALTH_MINOR);

#ifdef VALORY_HOST_HAS_HTTP_CLIENT
    std::unique_ptr<HttpClientService> httpClient;
    try {
        HttpClientService::initializeTls(config.httpClient);  // Poco NetSSL, once per process (see PITFALLS)
        httpClient = std::make_unique<HttpClientService>(config.httpClient);
        attachMetrics(*httpClient, metrics);
        services.registerHostService("http.client", 1, httpClient->minor(), httpClient->vtable(),
                                     httpClient->self());
        plugins.addHostService("http.client", 1, httpClient->minor());
    } catch (const std::exception& e) {
        // A broken http_client section (e.g. an unreadable CA file) is a config error: fail closed.
        const std::string message = config.source + ": http_client: " + e.what();
        if (check_) std::cout << "check: config: " << message << "\ncheck: failed, 1 problem(s)\n";
        std::cerr << "valory-host: config error: " << message << "\n";
        return kExitFailure;
    }
#endif

    if (check_ || list_ || runRequested_) {
        // One-shot modes: Ctrl-C / SIGTERM end them at once (only the server drains gracefully).
        sigset_t stopSignals;
        sigemptyset(&stopSignals);
        sigaddset(&stopSignals, SIGINT);
        sigaddset(&stopSignals, SIGTERM);
        sigaddset(&stopSignals, SIGQUIT);
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nullptr);
    }

    plugins.prepare();

    if (list_) {
        std::cout << plugins.listing();
        return kExitOk;
    }

    if (runHelp) {
        std::string out, error;
        const int rc = plugins.commandHelp(runArgs_[0], out, error);
        std::cout << out;
        if (rc != 0) std::cerr << error << "\n";
        return rc;
    }

    if (check_) {
        plugins.startAll(/*continueOnFailure=*/true);
        for (const auto& id : plugins.startedIds()) {
            const auto* r = plugins.record(id);
            std::cout << "check: plugin '" << id << "' ok (" << r->manifest->version << ", ABI "
                      << r->manifest->abiString() << ")\n";
        }
        const std::size_t startedCount = plugins.startedIds().size();
        plugins.stopAll();
        const auto problems = plugins.problems();
        for (const auto& p : problems) std::cout << "check: " << p << "\n";
        if (problems.empty()) {
            std::cout << "check: ok, " << startedCount << " plugin(s) started\n";
            return kExitOk;
        }
        std::cout << "check: failed, " << problems.size() << " problem(s)\n";
        return kExitFailure;
    }

    if (runRequested_) {
        if (!plugins.startAll(false)) {
            for (const auto& f : plugins.requiredFailures()) std::cerr << "start-up failed: " << f << "\n";
            plugins.stopAll();
            return kExitFailure;
        }
        std::string out, error;
        const int rc = plugins.runCommand(out, error);
        std::cout << out;
        if (!out.empty() && out.back() != '\n') std::cout << "\n";
        std::cout.flush();
        plugins.stopAll();
        if (rc != 0) std::cerr << error << "\n";
        return rc;
    }
    return serve(plugins, context, config);
}

int Application::serve(PluginManager& plugins, HostContext& context, Config& config) {
    const std::uint64_t files = HttpServer::raiseFileLimit();
    log().information("valory-host " VALORY_HOST_VERSION " starting (config " + config.source +
                      ", open files " + std::to_string(files) + ")");
    if (!plugins.startAll(false)) {
        for (const auto& f : plugins.requiredFailures())
            log().critical("start-up failed: " + f + " (not optional; mark it \"optional\": true in " +
                           config.source + " to start without it)");
        plugins.stopAll();
        return kExitFailure;
    }
    context.scheduler->start();
    // The control thread is this one: lifecycle work posted by the signal thread, the config
    // watcher and admin handlers runs here, one task at a time, until a stop signal.
    ControlLoop control;
    const PluginManager::ChangeResult noFile{
        422, {}, {"no config file in use (built-in defaults); nothing to reload"}};
    auto reloadFromFile = [&]() -> PluginManager::ChangeResult {
        if (configPath_.empty()) return noFile;
        Config next;
        try {
            next = Config::load(configPath_);
        } catch (const ConfigError& e) {
            const std::string why = context.masker ? context.masker->mask(e.what()) : std::string(e.what());
            log().error("config reload (" + configPath_ +
                        ") refused; the running plugins stay as they were: " + why);
            return PluginManager::ChangeResult{422, {}, {why}};
        }
        applyCommandLine(next);
        for (const auto& section : restartOnlyChanges(config, next))
            log().warning("config reload: '" + section +
                          "' changed; it takes effect after a restart of valory-host");
        auto result = plugins.reload(next);
        if (result.ok()) context.jobCancelDeadlineMs = std::uint64_t{next.stopDeadlineS} * 1000;
        return result;
    };

    std::unique_ptr<AdminApi> admin;
    {
        std::string token, error;
        if (!resolveAdminToken(config, *context.masker, token, error)) {
            log().critical("start-up failed: " + error);
            plugins.stopAll();
            context.scheduler->shutdown();
            return kExitFailure;
        }
        if (token.empty()) {
            log().information(
                "admin API off (set admin.token to a {\"env\"} or {\"file\"} reference to enable it)");
        } else {
            admin = std::make_unique<AdminApi>(plugins, control, reloadFromFile, token);
            std::string message;
            if (!admin->install(*context.router, message)) {
                log().critical("start-up failed: admin API: " + message);
                plugins.stopAll();
                context.scheduler->shutdown();
                return kExitFailure;
            }
            log().information("admin API on at /admin (bearer token)");
        }
    }

    HttpServer server(config.server, *context.router, *context.events, context.metrics,
                      context.info["host.instance_id"]);
    std::uint16_t port = 0;
    try {
        port = server.start();
    } catch (const std::exception& e) {
        log().critical("start-up failed: cannot listen on " + config.server.host + ":" +
                       std::to_string(config.server.port) + ": " + e.what());
        plugins.stopAll();
        context.scheduler->shutdown();
        return kExitFailure;
    }
    if (context.info["http.public_url"].empty())
        context.info["http.public_url"] =
            "http://" + (config.server.host == "0.0.0.0" ? std::string("127.0.0.1") : config.server.host) +
            ":" + std::to_string(port);
    if (!portFile_.empty() && !writePortFile(portFile_, port)) {
        log().critical("cannot write port file " + portFile_);
        server.stop();
        plugins.stopAll();
        context.scheduler->shutdown();
        return kExitFailure;
    }
    log().information("listening on " + config.server.host + ":" + std::to_string(port) + " (" +
                      std::to_string(context.router->routeCount()) + " route(s), " +
                      std::to_string(plugins.startedIds().size()) + " plugin(s))");

    // The signals were blocked in every thread by main(); this thread waits for them.
    std::thread signals([&control, &reloadFromFile, this] {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGQUIT);
        sigaddset(&set, SIGHUP);
        while (true) {
            int sig = 0;
            if (sigwait(&set, &sig) != 0) continue;
            if (sig == SIGHUP) {
                log().information("SIGHUP received: reloading " +
                                  (configPath_.empty() ? std::string("(no config file)") : configPath_));
                control.post([&reloadFromFile] { reloadFromFile(); });
                continue;
            }
            control.requestStop(sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGQUIT");
            return;
        }
    });
    std::thread watcher;
    if (config.admin.watchConfig && !configPath_.empty()) {
        const std::uint32_t interval = config.admin.watchIntervalMs;
        log().information("watching " + configPath_ + " for changes (every " + std::to_string(interval) +
                          " ms)");
        watcher = std::thread([&control, &reloadFromFile, interval, this] {
            auto stamp = fileStamp(configPath_);
            while (!control.waitStop(static_cast<int>(interval))) {
                const auto now = fileStamp(configPath_);
                if (now == stamp) continue;
                stamp = now;
                log().information("config file " + configPath_ + " changed: reloading");
                control.post([&reloadFromFile] { reloadFromFile(); });
            }
        });
    }
    control.run();
    log().information("received " + control.stopReason() + ": stopping (drain deadline " +
                      std::to_string(config.server.drainDeadlineS) + " s)");
    signals.join();
    if (watcher.joinable()) watcher.join();
    server.stop();
    log().information("HTTP server stopped; stopping plugins");
    plugins.stopAll();
    context.scheduler->shutdown();
    log().information("stopped");
    return kExitOk;
}

}  // namespace valory::host
