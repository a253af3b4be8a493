#include "cache_service.hpp"

#include <string_view>

#include "two_level_cache.hpp"
#include "valory/cpp/error.hpp"

namespace valory::plugins::cache {

namespace {
TwoLevelCache& self(void* p) noexcept {
    return *static_cast<TwoLevelCache*>(p);
}
std::string_view sv(valory_str s) noexcept {
    return s.data ? std::string_view(s.data, s.size) : std::string_view();
}

valory_status getThunk(void* p, valory_str key, uint32_t flags, valory_writer* out,
                       valory_cache_result* result, valory_error* err) {
    return sdk::guarded(err, [&] { return self(p).get(sv(key), flags, out, result, err); });
}
valory_status setThunk(void* p, valory_str key, valory_str value, const valory_cache_options* options,
                       valory_error* err) {
    return sdk::guarded(err, [&] { return self(p).set(sv(key), sv(value), options, err); });
}
valory_status delThunk(void* p, valory_str key, valory_error* err) {
    return sdk::guarded(err, [&] { return self(p).del(sv(key), err); });
}
valory_status deletePrefixThunk(void* p, valory_str prefix, uint64_t* deleted, valory_error* err) {
    return sdk::guarded(err, [&] { return self(p).deletePrefix(sv(prefix), deleted, err); });
}
valory_status getOrComputeThunk(void* p, valory_str key, const valory_cache_options* options,
                                valory_cache_compute_fn fn, void* user, valory_writer* out,
                                valory_cache_result* result, valory_error* err) {
    return sdk::guarded(err,
                        [&] { return self(p).getOrCompute(sv(key), options, fn, user, out, result, err); });
}
void statsThunk(void* p, valory_cache_stats* out) {
    valory_error ignored;
    valory_error_init(&ignored);
    sdk::guarded(&ignored, [&] { self(p).stats(out); });
}

const valory_cache_api kVtable = {
    sizeof(valory_cache_api), &getThunk,          &setThunk,   &delThunk,
    &deletePrefixThunk,       &getOrComputeThunk, &statsThunk,
};
}  // namespace

const valory_cache_api* cacheServiceVtable() noexcept {
    return &kVtable;
}

}  // namespace valory::plugins::cache
