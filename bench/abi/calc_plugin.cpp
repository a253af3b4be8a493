// Plugin "bench_calc": provides the "bench.calc" v1.0 service exactly as a real plugin would
// (C++ wrapper, static C vtable, thunk body wrapped in guarded() so no exception crosses).
// Built with valory_add_plugin into its own .so; bench_abi loads it and calls through the ABI.
#include <cstdint>

#include "calc_service.h"
#include "valory/cpp/plugin.hpp"

namespace valory::bench {

class Calc {
  public:
    int64_t add(int64_t a, int64_t b) const noexcept { return a + b; }
};

namespace {

valory_status calcAdd(void* self, int64_t a, int64_t b, int64_t* out, valory_error* err) noexcept {
    return sdk::guarded(err, [&] { *out = static_cast<const Calc*>(self)->add(a, b); });
}

constexpr valory_bench_calc_v1 kCalcVtable{sizeof(valory_bench_calc_v1), &calcAdd};

}  // namespace

class CalcPlugin : public sdk::Plugin {
  public:
    CalcPlugin(sdk::Host host, const sdk::CreateArgs&) : sdk::Plugin(std::move(host)) {}
    void start() override {
        service_ = host().provide(VALORY_BENCH_CALC_SERVICE, VALORY_BENCH_CALC_MAJOR, VALORY_BENCH_CALC_MINOR,
                                  &kCalcVtable, &calc_);
    }

  private:
    Calc calc_;
    sdk::ProvidedService service_;
};

}  // namespace valory::bench

VALORY_PLUGIN(valory::bench::CalcPlugin, "bench_calc", "1.0.0")
