// Valory SDK C++ wrapper: facade over the service `cache/1` (valory/cache.h).
//
//   auto cache = host.acquire<valory::sdk::Cache>();        // or tryAcquire<Cache>() when optional
//   std::string key = valory::sdk::Cache::key("riot", "v1", "rank", puuid);
//   auto hit = cache.getOrCompute(key, {std::chrono::minutes(2), std::chrono::minutes(10)},
//       [&](std::chrono::milliseconds& ttl) -> std::optional<std::string> {
//           return fetchRank(puuid);                     // nullopt = no value (nothing cached)
//       });
//   if (hit.stale() && hit.refreshFailed()) log("served stale rank");
//
// Errors (invalid key, value too large, a compute failure without a stale value, a single-flight
// wait timeout) throw valory::sdk::Error. Redis trouble never throws: the service degrades to L1.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "valory/cache.h"
#include "valory/cpp/error.hpp"
#include "valory/cpp/service_facade.hpp"
#include "valory/cpp/strings.hpp"

namespace valory::sdk {

/// Lifetimes for set() / getOrCompute(); zero means "the namespace default" (ttl) or "none" (stale).
struct CacheOptions {
    std::chrono::milliseconds ttl{0};
    std::chrono::milliseconds stale{0};
    std::chrono::milliseconds wait{0};  // getOrCompute: bound on waiting for another's computation
};

/// A value served by the cache, with where it came from.
struct CacheHit {
    std::string value;
    valory_cache_source source = VALORY_CACHE_SOURCE_NONE;
    uint32_t flags = 0;
    std::chrono::milliseconds age{0};
    valory_status refreshStatus = VALORY_OK;

    bool stale() const noexcept { return (flags & VALORY_CACHE_STALE) != 0; }
    bool refreshFailed() const noexcept { return (flags & VALORY_CACHE_REFRESH_FAILED) != 0; }
};

template <>
struct ServiceTraits<valory_cache_api> {
    static constexpr std::string_view kName = VALORY_CACHE_SERVICE;
    static constexpr uint32_t kMajor = VALORY_CACHE_MAJOR;
    static bool complete(const valory_cache_api* v) noexcept {
        return VALORY_HAS_FIELD(v, valory_cache_api, stats) && v->get && v->set && v->del &&
               v->delete_prefix && v->get_or_compute && v->stats;
    }
};

class Cache : public ServiceFacade<valory_cache_api> {
  public:
    using ServiceFacade::ServiceFacade;

    /// `<ns>:<version>:<entity>:<id>[:<hash of params>]`; throws Error(INVALID_ARGUMENT) on a bad part.
    static std::string key(std::string_view ns, std::string_view version, std::string_view entity,
                           std::string_view id, std::string_view params = {}) {
        char buf[VALORY_CACHE_MAX_KEY + 1];
        const std::string n(ns), v(version), e(entity);
        size_t len =
            valory_cache_make_key(buf, sizeof buf, n.c_str(), v.c_str(), e.c_str(), str(id), str(params));
        if (len == 0)
            throw Error(VALORY_ERR_INVALID_ARGUMENT, "invalid cache key component (empty, ':', space, glob)");
        return std::string(buf, len);
    }
    /// `<ns>:<version>:[<entity>:[<id>:]]` for erasePrefix().
    static std::string prefix(std::string_view ns, std::string_view version,
                              std::optional<std::string_view> entity = {}, std::string_view id = {}) {
        char buf[VALORY_CACHE_MAX_KEY + 1];
        const std::string n(ns), v(version), e(entity.value_or(""));
        size_t len = valory_cache_make_prefix(buf, sizeof buf, n.c_str(), v.c_str(),
                                              entity ? e.c_str() : nullptr, str(id));
        if (len == 0) throw Error(VALORY_ERR_INVALID_ARGUMENT, "invalid cache prefix component");
        return std::string(buf, len);
    }

    /// Fresh value (or stale with VALORY_CACHE_ALLOW_STALE), nullopt on a miss.
    std::optional<CacheHit> get(std::string_view key, uint32_t flags = 0) const {
        CacheHit hit;
        if (!getInto(key, hit.value, flags, &hit)) return std::nullopt;
        return hit;
    }
    /// Reuses `out` (assign, no allocation when its capacity suffices); false on a miss.
    bool getInto(std::string_view key, std::string& out, uint32_t flags = 0, CacheHit* info = nullptr) const {
        out.clear();
        valory_writer w = stringWriter(&out);
        valory_cache_result r = result();
        valory_error err = makeError();
        valory_status s = api_->get(self_, str(key), flags, &w, &r, &err);
        if (s == VALORY_ERR_NOT_FOUND) return false;
        check(s, err, "cache get");
        if (info) fill(*info, r);
        return true;
    }

    void set(std::string_view key, std::string_view value, const CacheOptions& o = {}) const {
        valory_cache_options opts = options(o);
        valory_error err = makeError();
        check(api_->set(self_, str(key), str(value), &opts, &err), err, "cache set");
    }
    void erase(std::string_view key) const {
        valory_error err = makeError();
        check(api_->del(self_, str(key), &err), err, "cache delete");
    }
    /// Returns the number of L2 keys removed.
    uint64_t erasePrefix(std::string_view prefix) const {
        uint64_t n = 0;
        valory_error err = makeError();
        check(api_->delete_prefix(self_, str(prefix), &n, &err), err, "cache delete_prefix");
        return n;
    }

    /// `compute(std::chrono::milliseconds& ttl) -> std::optional<std::string>`: nullopt = no value
    /// (throws Error(NOT_FOUND) to every caller; nothing cached); an exception = failure (served
    /// stale when possible, else rethrown as Error). `ttl` may be changed to override o.ttl.
    template <class F>
    CacheHit getOrCompute(std::string_view key, const CacheOptions& o, F&& compute) const {
        struct Ctx {
            std::remove_reference_t<F>* fn;
        } ctx{&compute};
        auto thunk = [](void* user, valory_str, valory_writer* out, uint64_t* ttlMs,
                        valory_error* err) -> valory_status {
            auto* c = static_cast<Ctx*>(user);
            return guarded(err, [&]() -> valory_status {
                std::chrono::milliseconds ttl(static_cast<int64_t>(*ttlMs));
                std::optional<std::string> v = (*c->fn)(ttl);
                if (!v) return valory_fail(err, VALORY_ERR_NOT_FOUND, "no value");
                *ttlMs = ttl.count() > 0 ? static_cast<uint64_t>(ttl.count()) : 0;
                writeTo(out, *v);
                return VALORY_OK;
            });
        };
        CacheHit hit;
        valory_writer w = stringWriter(&hit.value);
        valory_cache_options opts = options(o);
        valory_cache_result r = result();
        valory_error err = makeError();
        valory_status s = api_->get_or_compute(self_, str(key), &opts, +thunk, &ctx, &w, &r, &err);
        check(s, err, "cache get_or_compute");
        fill(hit, r);
        return hit;
    }

    valory_cache_stats stats() const {
        valory_cache_stats st{};
        st.struct_size = sizeof(st);
        api_->stats(self_, &st);
        return st;
    }

  private:
    static valory_cache_result result() noexcept {
        valory_cache_result r{};
        r.struct_size = sizeof(r);
        return r;
    }
    static valory_cache_options options(const CacheOptions& o) noexcept {
        valory_cache_options v{};
        v.struct_size = sizeof(v);
        v.ttl_ms = o.ttl.count() > 0 ? static_cast<uint64_t>(o.ttl.count()) : 0;
        v.stale_ms = o.stale.count() > 0 ? static_cast<uint64_t>(o.stale.count()) : 0;
        v.wait_ms = o.wait.count() > 0 ? static_cast<uint64_t>(o.wait.count()) : 0;
        return v;
    }
    static void fill(CacheHit& h, const valory_cache_result& r) noexcept {
        h.source = r.source;
        h.flags = r.flags;
        h.age = std::chrono::milliseconds(r.age_ms);
        h.refreshStatus = r.refresh_status;
    }
};

}  // namespace valory::sdk
