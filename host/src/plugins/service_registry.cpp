#include "plugins/service_registry.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace valory::host {

namespace {
std::string keyOf(const std::string& name, std::uint32_t major) {
    return name + "/" + std::to_string(major);
}
}  // namespace

valory_status ServiceRegistry::registerService(const std::string& owner, const std::string& name,
                                               std::uint32_t major, std::uint32_t minor, const void* vtable,
                                               void* self, std::string& message) {
    if (name.empty() || !vtable) {
        message = "register_service: name and vtable are required";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    const std::string key = keyOf(name, major);
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(key); it != slots_.end()) {
        message = "service '" + key + "' is already registered by '" + it->second->owner + "'";
        return VALORY_ERR_CONFLICT;
    }
    slots_[key] = std::make_shared<Entry>(Entry{name, major, minor, vtable, self, owner});
    return VALORY_OK;
}

void ServiceRegistry::registerHostService(const std::string& name, std::uint32_t major, std::uint32_t minor,
                                          const void* vtable, void* self) {
    std::string message;
    if (registerService(kHostOwner, name, major, minor, vtable, self, message) != VALORY_OK)
        throw std::runtime_error(message);
}

valory_status ServiceRegistry::unregisterService(const std::string& owner, const std::string& name,
                                                 std::uint32_t major, std::string& message) {
    const std::string key = keyOf(name, major);
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end() || it->second->owner != owner) {
        message = "service '" + key + "' is not registered by '" + owner + "'";
        return VALORY_ERR_NOT_FOUND;
    }
    slots_.erase(it);  // outstanding refs keep their entry alive through keepAlive
    return VALORY_OK;
}

valory_status ServiceRegistry::acquire(const std::string& holder, const std::string& name,
                                       std::uint32_t major, std::uint32_t minMinor, valory_service_ref** ref,
                                       valory_service* out, std::string& message) {
    if (!ref || !out) {
        message = "acquire: ref and out are required";
        return VALORY_ERR_INVALID_ARGUMENT;
    }
    const std::string key = keyOf(name, major);
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end()) {
        message = "service '" + key + "' is not available (no running provider)";
        return VALORY_ERR_NOT_FOUND;
    }
    const Entry& e = *it->second;
    if (e.minor < minMinor) {
        message = "service '" + key + "' has minor " + std::to_string(e.minor) + ", at least " +
                  std::to_string(minMinor) + " requested";
        return VALORY_ERR_VERSION;
    }
    auto* r = new valory_service_ref{key, holder, it->second, true};
    refs_.insert(r);
    valory_service result{};
    result.struct_size = sizeof(valory_service);
    result.vtable = e.vtable;
    result.self = e.self;
    result.major = e.major;
    result.minor = e.minor;
    // Copy only what the caller's struct can hold (struct_size rule); 0 means "current".
    const uint32_t size = out->struct_size;
    std::memcpy(out, &result, size == 0 || size > sizeof result ? sizeof result : size);
    *ref = r;
    return VALORY_OK;
}

void ServiceRegistry::release(valory_service_ref* ref) {
    if (!ref) return;
    std::lock_guard lock(mutex_);
    if (refs_.erase(ref)) delete ref;  // unknown or already released: ignore rather than double free
}

std::vector<std::string> ServiceRegistry::removeAllOwnedBy(const std::string& owner) {
    std::vector<std::string> removed;
    std::lock_guard lock(mutex_);
    for (auto it = slots_.begin(); it != slots_.end();) {
        if (it->second->owner == owner) {
            removed.push_back(it->first);
            it = slots_.erase(it);
        } else {
            ++it;
        }
    }
    return removed;
}

std::size_t ServiceRegistry::releaseAllHeldBy(const std::string& holder) {
    std::size_t n = 0;
    std::lock_guard lock(mutex_);
    for (auto* r : refs_) {
        if (r->active && r->holder == holder) {
            r->active = false;
            ++n;
        }
    }
    return n;
}

std::vector<std::string> ServiceRegistry::holdersOf(const std::string& key) const {
    std::vector<std::string> out;
    std::lock_guard lock(mutex_);
    for (auto* r : refs_)
        if (r->active && r->key == key) out.push_back(r->holder);
    return out;
}

std::string ServiceRegistry::ownerOf(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    return it == slots_.end() ? std::string() : it->second->owner;
}

std::vector<ServiceRegistry::Entry> ServiceRegistry::list() const {
    std::vector<Entry> out;
    std::lock_guard lock(mutex_);
    for (const auto& [key, entry] : slots_) out.push_back(*entry);
    return out;
}

}  // namespace valory::host
