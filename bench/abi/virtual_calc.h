// The baseline of bench_abi: the same trivial body behind a plain C++ virtual call, implemented
// in a separate shared library (like the plugin) so the call cannot be inlined or devirtualised.
#pragma once

#include <cstdint>

namespace valory::bench {

class VirtualCalc {
  public:
    virtual ~VirtualCalc() = default;
    virtual int64_t add(int64_t a, int64_t b) const = 0;
};

}  // namespace valory::bench

extern "C" valory::bench::VirtualCalc* valory_bench_make_virtual_calc();
