// The service registry: (name, major) -> provider vtable, with holders tracked per acquisition.
#pragma once

#include <valory/abi.h>
#include <valory/services.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace valory::host {

class ServiceRegistry;

}  // namespace valory::host

/// One acquisition (the opaque valory_service_ref of the C ABI).
struct valory_service_ref {
    std::string key;                  ///< "name/major"
    std::string holder;               ///< plugin id
    std::shared_ptr<void> keepAlive;  ///< the entry, so the pointers stay readable until release
    bool active = true;               ///< false once the host force-released it (plugin left it behind)
};

namespace valory::host {

class ServiceRegistry {
  public:
    static constexpr const char* kHostOwner = "host";

    struct Entry {
        std::string name;
        std::uint32_t major = 0;
        std::uint32_t minor = 0;
        const void* vtable = nullptr;
        void* self = nullptr;
        std::string owner;
    };

    /// Registers a service; VALORY_ERR_CONFLICT when (name, major) exists.
    valory_status registerService(const std::string& owner, const std::string& name, std::uint32_t major,
                                  std::uint32_t minor, const void* vtable, void* self, std::string& message);
    /// Host-provided service (owner "host"); throws std::runtime_error on conflict.
    void registerHostService(const std::string& name, std::uint32_t major, std::uint32_t minor,
                             const void* vtable, void* self);
    valory_status unregisterService(const std::string& owner, const std::string& name, std::uint32_t major,
                                    std::string& message);

    /// Acquires (name, major) with at least minMinor. The declaration check is the caller's.
    valory_status acquire(const std::string& holder, const std::string& name, std::uint32_t major,
                          std::uint32_t minMinor, valory_service_ref** ref, valory_service* out,
                          std::string& message);
    void release(valory_service_ref* ref);

    /// Removes every service `owner` registered; returns their keys.
    std::vector<std::string> removeAllOwnedBy(const std::string& owner);
    /// Releases every acquisition `holder` still has; returns how many.
    std::size_t releaseAllHeldBy(const std::string& holder);

    /// Plugin ids holding (name/major), one entry per acquisition.
    std::vector<std::string> holdersOf(const std::string& key) const;
    std::string ownerOf(const std::string& key) const;
    std::vector<Entry> list() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Entry>> slots_;
    // Every unreleased acquisition. Force-released refs stay here (inactive) until the plugin's
    // own release() frees them, so a late release (e.g. from a destructor in destroy()) is safe.
    std::set<valory_service_ref*> refs_;
};

}  // namespace valory::host
