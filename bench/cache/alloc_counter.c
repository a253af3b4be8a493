/* Counts every heap allocation of the process (the bench binary replaces the malloc family and
 * forwards to glibc's __libc_*; operator new allocates through malloc, so C++ is counted too). */
#include <stddef.h>
#include <stdint.h>

extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t n, size_t size);
extern void* __libc_realloc(void* p, size_t size);
extern void* __libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void* p);

static uint64_t g_allocations;

static void count_one(void) {
    __atomic_fetch_add(&g_allocations, 1, __ATOMIC_RELAXED);
}

uint64_t valory_cache_bench_allocations(void) {
    return __atomic_load_n(&g_allocations, __ATOMIC_RELAXED);
}

void* malloc(size_t size) {
    count_one();
    return __libc_malloc(size);
}
void* calloc(size_t n, size_t size) {
    count_one();
    return __libc_calloc(n, size);
}
void* realloc(void* p, size_t size) {
    count_one();
    return __libc_realloc(p, size);
}
void free(void* p) {
    __libc_free(p);
}
void* memalign(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}
