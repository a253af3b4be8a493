// bench_abi: a service call through the Valory ABI vs a direct C++ virtual call, same trivial body
// (add two integers).
//
//  - The ABI side is the real thing: plugin "bench_calc" is a separate .so built by
//    valory_add_plugin (hidden visibility, version script), opened with dlopen(RTLD_NOW|RTLD_LOCAL)
//    like the host does, created and started by the SDK's fake host; its service is acquired
//    through the fake host's service registry and called as vtable->add(self, a, b, &out, &err).
//  - The baseline is a virtual call into another shared library (libvalory_bench_virtual_calc.so).
//
// Modes:
//   bench_abi [google-benchmark flags]         timings (Google Benchmark)
//   bench_abi --loop=abi|virtual|empty --iterations=N
//                                              runs one fixed loop, for callgrind
//                                              (--toggle-collect=valory_bench_loop_<mode>)
//   bench_abi --check [--iterations=N]         results and heap allocations per call (must be 0);
//                                              exit 1 on any failure
//   --plugin-dir=DIR                           where libbench_calc.so and plugin.json are
#include <dlfcn.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "calc_service.h"
#include "valory/plugin.h"
#include "valory/testkit/fake_host.hpp"
#include "virtual_calc.h"

extern "C" uint64_t valory_bench_allocations(void);

#ifndef VALORY_BENCH_CALC_PLUGIN_DIR
#define VALORY_BENCH_CALC_PLUGIN_DIR "."
#endif

using valory::bench::VirtualCalc;

// --- the measured loops (not inlined, plain C names for callgrind's --toggle-collect) -----------

extern "C" __attribute__((noinline)) int64_t valory_bench_loop_abi(const valory_bench_calc_v1* vt, void* self,
                                                                   valory_error* err, int64_t n) {
    int64_t sum = 0;
    for (int64_t i = 0; i < n; ++i) {
        int64_t out;  // written by the callee on success
        if (vt->add(self, i, 1, &out, err) != VALORY_OK) return -1;
        sum += out;
    }
    return sum;
}

extern "C" __attribute__((noinline)) int64_t valory_bench_loop_virtual(const VirtualCalc* calc, int64_t n) {
    int64_t sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += calc->add(i, 1);
    return sum;
}

// Same loop without any call: subtracted from both to get the instructions of the call itself.
extern "C" __attribute__((noinline)) int64_t valory_bench_loop_empty(int64_t n) {
    int64_t sum = 0;
    for (int64_t i = 0; i < n; ++i) {
        int64_t out = i;
        asm volatile("" : "+r"(out));  // keep the loop body opaque to the optimiser
        sum += out + 1;
    }
    return sum;
}

namespace {

int64_t expectedSum(int64_t n) {
    return n * (n - 1) / 2 + n;
}

// Everything the ABI side needs, alive for the whole run.
struct AbiSetup {
    void* library = nullptr;
    std::unique_ptr<valory::testkit::FakeHost> host;
    valory::testkit::PluginHandle plugin;
    std::optional<valory::testkit::FakeHost::Acquired> service;
    const valory_bench_calc_v1* vtable = nullptr;
    void* self = nullptr;
};

AbiSetup* gAbi = nullptr;
VirtualCalc* gVirtual = nullptr;

[[noreturn]] void fail(const std::string& message) {
    std::fprintf(stderr, "bench_abi: %s\n", message.c_str());
    std::exit(1);
}

void setUp(const std::string& pluginDir) {
    static AbiSetup abi;
    const std::string libPath = pluginDir + "/libbench_calc.so";
    abi.library = ::dlopen(libPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!abi.library) fail("dlopen " + libPath + ": " + ::dlerror());
    auto entry = reinterpret_cast<valory_plugin_entry_fn>(::dlsym(abi.library, VALORY_PLUGIN_ENTRY_SYMBOL));
    if (!entry) fail("no " VALORY_PLUGIN_ENTRY_SYMBOL " in " + libPath);
    abi.host = std::make_unique<valory::testkit::FakeHost>();
    try {
        const std::string manifest = valory::testkit::FakeHost::readFile(pluginDir + "/plugin.json");
        abi.plugin = abi.host->load(entry(), manifest, "{}");
        abi.plugin.start();
    } catch (const std::exception& e) {
        fail(std::string("loading bench_calc: ") + e.what());
    }
    abi.service =
        abi.host->service(VALORY_BENCH_CALC_SERVICE, VALORY_BENCH_CALC_MAJOR, VALORY_BENCH_CALC_MINOR);
    if (!abi.service || !abi.service->ok()) fail("service bench.calc/1 not registered by the plugin");
    abi.vtable = abi.service->as<valory_bench_calc_v1>();
    abi.self = abi.service->self();
    if (abi.vtable->struct_size < sizeof(valory_bench_calc_v1) || !abi.vtable->add)
        fail("bench.calc vtable too small");
    gAbi = &abi;
    gVirtual = valory_bench_make_virtual_calc();
}

// --- Google Benchmark -----------------------------------------------------------------------------

void BM_VirtualAdd(benchmark::State& state) {
    const VirtualCalc* calc = gVirtual;
    int64_t a = 1;
    for (auto _ : state) {
        int64_t out = calc->add(a, 1);
        benchmark::DoNotOptimize(out);
        ++a;
    }
}
BENCHMARK(BM_VirtualAdd);

void BM_AbiAdd(benchmark::State& state) {
    const valory_bench_calc_v1* vt = gAbi->vtable;
    void* self = gAbi->self;
    valory_error err;
    valory_error_init(&err);
    int64_t a = 1;
    for (auto _ : state) {
        int64_t out;
        valory_status st = vt->add(self, a, 1, &out, &err);
        benchmark::DoNotOptimize(st);
        benchmark::DoNotOptimize(out);
        ++a;
    }
}
BENCHMARK(BM_AbiAdd);

// --- modes ------------------------------------------------------------------------------------------

int runLoop(std::string_view mode, int64_t n) {
    valory_error err;
    valory_error_init(&err);
    int64_t sum = 0;
    if (mode == "abi")
        sum = valory_bench_loop_abi(gAbi->vtable, gAbi->self, &err, n);
    else if (mode == "virtual")
        sum = valory_bench_loop_virtual(gVirtual, n);
    else if (mode == "empty")
        sum = valory_bench_loop_empty(n);
    else
        fail("unknown --loop mode (abi, virtual, empty)");
    if (sum != expectedSum(n)) fail("wrong result in loop " + std::string(mode));
    std::printf("loop=%.*s iterations=%" PRId64 " sum=%" PRId64 "\n", static_cast<int>(mode.size()),
                mode.data(), n, sum);
    return 0;
}

int runCheck(int64_t n) {
    int failures = 0;
    // 1. The counter itself works (a check that cannot fail proves nothing).
    {
        const uint64_t before = valory_bench_allocations();
        void* volatile p = std::malloc(32);
        std::free(p);
        auto* q = new std::string(100, 'x');
        benchmark::DoNotOptimize(q);
        delete q;
        const uint64_t delta = valory_bench_allocations() - before;
        if (delta < 2) {
            std::printf("FAIL allocation counter: saw %" PRIu64
                        " allocations for malloc + new, expected >= 2\n",
                        delta);
            ++failures;
        } else {
            std::printf("ok   allocation counter sees malloc and operator new (%" PRIu64 " counted)\n",
                        delta);
        }
    }
    // 2. Results are right and the success path allocates nothing.
    valory_error err;
    valory_error_init(&err);
    valory_bench_loop_abi(gAbi->vtable, gAbi->self, &err, 1000);  // warm-up
    valory_bench_loop_virtual(gVirtual, 1000);

    uint64_t before = valory_bench_allocations();
    const int64_t abiSum = valory_bench_loop_abi(gAbi->vtable, gAbi->self, &err, n);
    const uint64_t abiAllocs = valory_bench_allocations() - before;

    before = valory_bench_allocations();
    const int64_t virtSum = valory_bench_loop_virtual(gVirtual, n);
    const uint64_t virtAllocs = valory_bench_allocations() - before;

    const auto report = [&](const char* name, int64_t sum, uint64_t allocs) {
        const bool ok = sum == expectedSum(n) && allocs == 0;
        std::printf("%s %-7s calls=%" PRId64 " result=%s heap_allocations=%" PRIu64 " per_call=%.6f\n",
                    ok ? "ok  " : "FAIL", name, n, sum == expectedSum(n) ? "right" : "WRONG", allocs,
                    static_cast<double>(allocs) / static_cast<double>(n));
        if (!ok) ++failures;
    };
    report("abi", abiSum, abiAllocs);
    report("virtual", virtSum, virtAllocs);
    if (err.status != VALORY_OK) {
        std::printf("FAIL error struct touched on the success path (status %d)\n", err.status);
        ++failures;
    }
    std::printf("%s\n", failures == 0 ? "PASS" : "FAILED");
    return failures == 0 ? 0 : 1;
}

bool takeValue(const char* arg, const char* name, std::string* value) {
    const size_t n = std::strlen(name);
    if (std::strncmp(arg, name, n) == 0 && arg[n] == '=') {
        *value = arg + n + 1;
        return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    std::string pluginDir = VALORY_BENCH_CALC_PLUGIN_DIR;
    std::string loop;
    std::string iterations;
    bool check = false;
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string value;
        if (takeValue(argv[i], "--plugin-dir", &value))
            pluginDir = value;
        else if (takeValue(argv[i], "--loop", &value))
            loop = value;
        else if (takeValue(argv[i], "--iterations", &value))
            iterations = value;
        else if (std::strcmp(argv[i], "--check") == 0)
            check = true;
        else
            rest.push_back(argv[i]);
    }
    const int64_t n = iterations.empty() ? 1'000'000 : std::strtoll(iterations.c_str(), nullptr, 10);
    if (n <= 0) fail("--iterations must be positive");

    setUp(pluginDir);
    if (!loop.empty()) return runLoop(loop, n);
    if (check) return runCheck(n);

    int bargc = static_cast<int>(rest.size());
    benchmark::Initialize(&bargc, rest.data());
    if (benchmark::ReportUnrecognizedArguments(bargc, rest.data())) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
