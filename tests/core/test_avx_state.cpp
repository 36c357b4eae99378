// The native build must not leave the AVX registers' upper halves dirty across calls: after 256-bit
// code, every legacy-SSE instruction (glibc's libm entry points are compiled for baseline x86-64) pays a
// merge with the dirty upper state, and std::log ran 10 times slower. GCC 12 with -fipa-ra dropped the
// vzeroupper before a call into a function of the same file (CMakeLists.txt: -fno-ipa-ra). The pattern
// below is the one that did it in the app: a vectorised iota, then partial_sort's heap helper (compiled
// -O3 and without sanitisers in every build, tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#if defined(__x86_64__) && defined(__AVX__) && !defined(__EMSCRIPTEN__)
#include <cpuid.h>

namespace {

// XGETBV with ECX = 1: which register states are in use; bit 2 is the upper halves of YMM0-15.
bool xinuse_supported() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    return __get_cpuid_count(0xD, 1, &a, &b, &c, &d) && (a & 4u);
}
inline unsigned xinuse() {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
    return lo;
}

unsigned g_seen = 0;

// The state as a called function of this file sees it: GCC's -fipa-ra dropped the vzeroupper before just
// such a call (no vector registers in the callee). Called, not inlined, because clang inlines
// partial_sort's helpers into top_three, where an inline read would see top_three's own 256-bit state
// with no call (and no legacy-SSE code) in between.
__attribute__((noinline)) unsigned state_seen_by_a_callee() { return xinuse(); }

__attribute__((noinline)) std::vector<int> top_three(const float* row, int n) {
    std::vector<int> order(static_cast<size_t>(n));
    for (int s = 0; s < n; ++s) order[static_cast<size_t>(s)] = s;
    const size_t k = static_cast<size_t>(std::min(3, n));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                      [row](int x, int y) {
                          g_seen |= state_seen_by_a_callee();
                          return row[x] > row[y];
                      });
    order.resize(k);
    return order;
}

}  // namespace

TEST_CASE("native build: calls see the AVX upper state clean (no legacy-SSE penalty after 256-bit code)") {
    if (!xinuse_supported()) {
        MESSAGE("this CPU cannot report the register state in use (XGETBV 1): nothing to check");
        return;
    }
    std::vector<float> row(1000);
    for (size_t i = 0; i < row.size(); ++i) row[i] = static_cast<float>((i * 7919) % 1000);
    g_seen = 0;
    const std::vector<int> top = top_three(row.data(), static_cast<int>(row.size()));
    REQUIRE(top.size() == 3);
    CHECK(row[static_cast<size_t>(top[0])] == 999.0f);
    char seen[16];
    std::snprintf(seen, sizeof seen, "0x%x", g_seen);
    INFO("XINUSE seen inside the comparator: " << seen);
    CHECK((g_seen & 4u) == 0);      // clean inside the callee
    CHECK((xinuse() & 4u) == 0);    // and after it returned
}
#endif
