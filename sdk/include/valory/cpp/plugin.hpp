// Valory SDK C++ wrapper: the plugin base class and the registration macro.
//
//   class Hello : public valory::sdk::Plugin {
//   public:
//       Hello(valory::sdk::Host host, const valory::sdk::CreateArgs& args);
//       void start() override;   // routes, services, jobs
//       void stop() override;    // join threads; the wrapper then releases every handle
//       // optional, detected at compile time:
//       valory_health_state health(nlohmann::json& detail);
//       bool reconfigure(const nlohmann::json& settings);            // false = needs restart
//       std::string command(const std::string& name, const std::vector<std::string>& args);
//   };
//   VALORY_PLUGIN(Hello, "hello", "1.0.0")
//
// The macro generates the one exported symbol, the static descriptor and thunks that catch every
// exception at the boundary.
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "valory/cpp/error.hpp"
#include "valory/cpp/host.hpp"
#include "valory/cpp/http.hpp"
#include "valory/cpp/strings.hpp"
#include "valory/plugin.h"

namespace valory::sdk {

/// What create() received.
struct CreateArgs {
    valory_run_mode runMode = VALORY_RUN_UNKNOWN;
    nlohmann::json settings = nlohmann::json::object();
    std::string commandPlugin;
    std::string commandName;
    std::vector<std::string> commandArgs;

    bool serving() const noexcept { return runMode == VALORY_RUN_SERVE; }
    bool checking() const noexcept { return runMode == VALORY_RUN_CHECK; }
    bool commanding() const noexcept { return runMode == VALORY_RUN_COMMAND; }
};

/// Base class of every C++ plugin.
class Plugin {
  public:
    explicit Plugin(Host host) : host_(std::move(host)) {}
    virtual ~Plugin() = default;
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    /// Acquire services, register routes/services/jobs. Throw to fail the start.
    virtual void start() {}
    /// Stop background work. Handles still alive afterwards are released by the wrapper.
    virtual void stop() {}

    Host& host() noexcept { return host_; }
    const Host& host() const noexcept { return host_; }

  private:
    Host host_;
};

namespace detail {

template <class T>
concept HasHealth = requires(T& t, nlohmann::json& j) {
    { t.health(j) } -> std::convertible_to<valory_health_state>;
};
template <class T>
concept HasReconfigure = requires(T& t, const nlohmann::json& j) {
    { t.reconfigure(j) } -> std::convertible_to<bool>;
};
template <class T>
concept HasCommand = requires(T& t, const std::string& n, const std::vector<std::string>& a) {
    { t.command(n, a) } -> std::convertible_to<std::string>;
};
// A member of that name exists at all (any signature, not overloaded): with the wrong signature the
// slot would silently stay empty, so descriptorFor() refuses it at compile time.
template <class T>
concept DeclaresHealth = requires {
    &T::health;
};
template <class T>
concept DeclaresReconfigure = requires {
    &T::reconfigure;
};
template <class T>
concept DeclaresCommand = requires {
    &T::command;
};

/// What built this plugin: compiler and version, standard library, architecture.
inline constexpr const char* kBuildTag =
#if defined(__clang__)
    "clang " __clang_version__
#elif defined(__GNUC__)
    "g++ " __VERSION__
#else
    "unknown compiler"
#endif
#if defined(_LIBCPP_VERSION)
    " libc++"
#elif defined(__GLIBCXX__)
    " libstdc++"
#endif
#if defined(__x86_64__)
    " x86_64"
#elif defined(__aarch64__)
    " aarch64"
#elif defined(__i386__)
    " i386"
#elif defined(__arm__)
    " arm"
#elif defined(__riscv)
    " riscv"
#else
    " unknown-arch"
#endif
    ;

template <class T>
struct Instance {
    Host host;
    std::unique_ptr<T> plugin;
};

template <class T>
struct Thunks {
    static valory_status create(const valory_host_api* api, valory_host* handle,
                                const valory_create_args* args, void** instance, valory_error* err) noexcept {
        return guarded(err, [&] {
            if (!api || !args || !instance) throw Error(VALORY_ERR_INVALID_ARGUMENT, "create: null argument");
            CreateArgs ca;
            ca.runMode = args->run_mode;
            auto text = view(args->settings_json);
            if (!text.empty()) ca.settings = nlohmann::json::parse(text);
            ca.commandPlugin = std::string(view(args->command_plugin));
            ca.commandName = std::string(view(args->command_name));
            for (size_t i = 0; i < args->command_arg_count; ++i)
                ca.commandArgs.emplace_back(view(args->command_args[i]));
            auto inst = std::make_unique<Instance<T>>();
            inst->host = Host(api, handle);
            inst->plugin = std::make_unique<T>(inst->host, ca);
            *instance = inst.release();
        });
    }
    static valory_status start(void* instance, valory_error* err) noexcept {
        auto* inst = static_cast<Instance<T>*>(instance);
        auto st = guarded(err, [&] { inst->plugin->start(); });
        if (st != VALORY_OK) {
            // Partial start: stop what was started, then drop every registration.
            valory_error ignored = makeError();
            guarded(&ignored, [&] { inst->plugin->stop(); });
            inst->host.releaseAll();
        }
        return st;
    }
    static valory_status stop(void* instance, valory_error* err) noexcept {
        auto* inst = static_cast<Instance<T>*>(instance);
        auto st = guarded(err, [&] { inst->plugin->stop(); });
        inst->host.releaseAll();
        return st;
    }
    static void destroy(void* instance) noexcept {
        auto* inst = static_cast<Instance<T>*>(instance);
        valory_error err = makeError();
        guarded(&err, [&] { delete inst; });
    }
    static valory_health_state health(void* instance, valory_writer* detail) noexcept {
        auto* inst = static_cast<Instance<T>*>(instance);
        valory_health_state state = VALORY_HEALTH_UNKNOWN;
        valory_error err = makeError();
        auto st = guarded(&err, [&] {
            nlohmann::json d = nlohmann::json::object();
            state = inst->plugin->health(d);
            writeTo(detail, d.dump());
        });
        if (st != VALORY_OK) {
            writeTo(detail, nlohmann::json{{"error", err.message}}.dump());
            return VALORY_HEALTH_FAILED;
        }
        return state;
    }
    static valory_status reconfigure(void* instance, valory_str settings, valory_error* err) noexcept {
        auto* inst = static_cast<Instance<T>*>(instance);
        return guarded(err, [&]() -> valory_status {
            auto text = view(settings);
            auto j = text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
            return inst->plugin->reconfigure(j) ? VALORY_OK : VALORY_ERR_NEEDS_RESTART;
        });
    }
    static valory_status command(void* instance, valory_str name, const valory_str* args, size_t argc,
                                 valory_writer* out, valory_error* err) noexcept {
        auto* inst = static_cast<Instance<T>*>(instance);
        return guarded(err, [&] {
            std::vector<std::string> a;
            for (size_t i = 0; i < argc; ++i) a.emplace_back(view(args[i]));
            writeTo(out, inst->plugin->command(std::string(view(name)), a));
        });
    }
};

template <class T>
const valory_plugin_descriptor* descriptorFor(const char* id, const char* version) noexcept {
    static_assert(std::is_base_of_v<Plugin, T>,
                  "VALORY_PLUGIN: the class must derive from valory::sdk::Plugin");
    static_assert(std::is_constructible_v<T, Host, const CreateArgs&>,
                  "VALORY_PLUGIN: the class needs a constructor T(valory::sdk::Host host, "
                  "const valory::sdk::CreateArgs& args)");
    static_assert(!DeclaresHealth<T> || HasHealth<T>,
                  "VALORY_PLUGIN: health must be `valory_health_state health(nlohmann::json& detail)`");
    static_assert(!DeclaresReconfigure<T> || HasReconfigure<T>,
                  "VALORY_PLUGIN: reconfigure must be `bool reconfigure(const nlohmann::json& settings)`");
    static_assert(!DeclaresCommand<T> || HasCommand<T>,
                  "VALORY_PLUGIN: command must be `std::string command(const std::string& name, "
                  "const std::vector<std::string>& args)`");
    static const valory_plugin_descriptor descriptor = [&] {
        valory_plugin_descriptor d{};
        d.struct_size = sizeof(valory_plugin_descriptor);
        d.abi_major = VALORY_ABI_MAJOR;
        d.abi_minor = VALORY_ABI_MINOR;
        d.id = id;
        d.version = version;
        d.build_tag = kBuildTag;
        d.create = &Thunks<T>::create;
        d.start = &Thunks<T>::start;
        d.stop = &Thunks<T>::stop;
        d.destroy = &Thunks<T>::destroy;
        if constexpr (HasHealth<T>) d.health = &Thunks<T>::health;
        if constexpr (HasReconfigure<T>) d.reconfigure = &Thunks<T>::reconfigure;
        if constexpr (HasCommand<T>) d.command = &Thunks<T>::command;
        return d;
    }();
    return &descriptor;
}

}  // namespace detail
}  // namespace valory::sdk

/// Generates the plugin's only exported symbol. Use once per plugin, in one .cpp file.
#define VALORY_PLUGIN(Class, Id, Version)                                                          \
    extern "C" VALORY_EXPORT const valory_plugin_descriptor* valory_plugin_entry_v1(void) {        \
        static_assert(sizeof(Id) > 1, "VALORY_PLUGIN: the id must be a non-empty string literal"); \
        return ::valory::sdk::detail::descriptorFor<Class>(Id, Version);                           \
    }
