// The fake host's service registry: register/unregister/acquire/release and what a test sees of it.
#include <cstring>

#include "fake_host_state.hpp"

namespace valory::testkit {
namespace {

// services
valory_status registerService(valory_host* h, const char* name, uint32_t major, uint32_t minor,
                              const void* vtable, void* self, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string n = name ? name : "";
    if (n.empty() || !vtable)
        return fail(err, VALORY_ERR_INVALID_ARGUMENT, "register_service: empty name or NULL vtable");
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "register_service(" + n + ") outside start() by plugin " + r->id);
    if (!r->mayProvide.count({n, major}))
        return fail(err, VALORY_ERR_UNDECLARED,
                    "plugin " + r->id + " registers " + n + "/" + std::to_string(major) +
                        " not listed in its manifest's provides");
    for (auto& s : st->services)
        if (s->name == n && s->major == major)
            return fail(err, VALORY_ERR_CONFLICT,
                        n + "/" + std::to_string(major) + " is already provided by " + s->provider);
    auto rec = std::make_shared<ServiceRec>();
    rec->owner = r;
    rec->provider = r->id;
    rec->name = n;
    rec->major = major;
    rec->minor = minor;
    rec->vtable = vtable;
    rec->self = self;
    st->services.push_back(rec);
    return VALORY_OK;
}

valory_status unregisterService(valory_host* h, const char* name, uint32_t major, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string n = name ? name : "";
    for (auto it = st->services.begin(); it != st->services.end(); ++it) {
        if ((*it)->name == n && (*it)->major == major && (*it)->owner == r) {
            st->services.erase(it);
            return VALORY_OK;
        }
    }
    return fail(err, VALORY_ERR_NOT_FOUND,
                "plugin " + r->id + " does not provide " + n + "/" + std::to_string(major));
}

valory_status acquire(valory_host* h, const char* name, uint32_t major, uint32_t minMinor,
                      valory_service_ref** ref, valory_service* out, valory_error* err) {
    auto* r = toRec(h);
    auto* st = r->state;
    std::lock_guard lock(st->mutex);
    std::string n = name ? name : "";
    if (!ref || !out) return fail(err, VALORY_ERR_INVALID_ARGUMENT, "acquire: NULL ref or out");
    if (!st->mayRegister(r))
        return fail(err, VALORY_ERR_STATE, "acquire(" + n + ") outside start() by plugin " + r->id);
    if (!r->mayAcquire.count({n, major}))
        return fail(err, VALORY_ERR_UNDECLARED,
                    "plugin " + r->id + " acquires " + n + "/" + std::to_string(major) +
                        " not declared in its manifest's requires or optional");
    for (auto& s : st->services) {
        if (s->name != n || s->major != major) continue;
        if (s->minor < minMinor)
            return fail(err, VALORY_ERR_VERSION,
                        n + "/" + std::to_string(major) + " offers minor " + std::to_string(s->minor) +
                            ", need >= " + std::to_string(minMinor));
        auto rr = std::make_unique<RefRec>();
        rr->holder = r;
        rr->service = s;
        ++s->holders;
        *ref = reinterpret_cast<valory_service_ref*>(rr.get());
        st->refs.push_back(std::move(rr));
        uint32_t size = out->struct_size ? out->struct_size : static_cast<uint32_t>(sizeof(valory_service));
        valory_service v{};
        v.struct_size = static_cast<uint32_t>(sizeof(valory_service));
        v.vtable = s->vtable;
        v.self = s->self;
        v.major = s->major;
        v.minor = s->minor;
        std::memcpy(out, &v, std::min<size_t>(size, sizeof v));
        return VALORY_OK;
    }
    return fail(err, VALORY_ERR_NOT_FOUND,
                "no provider of " + n + "/" + std::to_string(major) + " is running");
}

void release(valory_host* h, valory_service_ref* ref) {
    auto* st = toRec(h)->state;
    std::lock_guard lock(st->mutex);
    auto* target = reinterpret_cast<RefRec*>(ref);
    for (auto it = st->refs.begin(); it != st->refs.end(); ++it) {
        if (it->get() == target) {
            --(*it)->service->holders;
            st->refs.erase(it);
            return;
        }
    }
}

}  // namespace

valory_service_api makeServiceApi() {
    return valory_service_api{sizeof(valory_service_api), registerService, unregisterService, acquire,
                              release};
}

void FakeHost::provideService(const std::string& name, uint32_t major, uint32_t minor, const void* vtable,
                              void* self) {
    std::lock_guard lock(state_->mutex);
    for (auto& s : state_->services)
        if (s->name == name && s->major == major)
            throw std::logic_error("FakeHost::provideService: " + name + "/" + std::to_string(major) +
                                   " already provided");
    auto rec = std::make_shared<ServiceRec>();
    rec->provider = "host";
    rec->name = name;
    rec->major = major;
    rec->minor = minor;
    rec->vtable = vtable;
    rec->self = self;
    state_->services.push_back(std::move(rec));
}

std::optional<FakeHost::Acquired> FakeHost::service(const std::string& name, uint32_t major,
                                                    uint32_t minMinor) const {
    std::lock_guard lock(state_->mutex);
    for (auto& s : state_->services)
        if (s->name == name && s->major == major && s->minor >= minMinor) {
            Acquired a;
            a.service.struct_size = sizeof(valory_service);
            a.service.vtable = s->vtable;
            a.service.self = s->self;
            a.service.major = s->major;
            a.service.minor = s->minor;
            return a;
        }
    return std::nullopt;
}

std::vector<ServiceInfo> FakeHost::services() const {
    std::lock_guard lock(state_->mutex);
    std::vector<ServiceInfo> out;
    for (auto& s : state_->services)
        out.push_back(ServiceInfo{s->provider, s->name, s->major, s->minor, s->holders});
    return out;
}

}  // namespace valory::testkit
