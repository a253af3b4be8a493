#include "virtual_calc.h"

namespace valory::bench {
namespace {
class VirtualCalcImpl final : public VirtualCalc {
  public:
    int64_t add(int64_t a, int64_t b) const override { return a + b; }
};
}  // namespace
}  // namespace valory::bench

extern "C" __attribute__((visibility("default"))) valory::bench::VirtualCalc*
valory_bench_make_virtual_calc() {
    static valory::bench::VirtualCalcImpl calc;
    return &calc;
}
