// zeros_in_huge_pages: n zeros whatever v held, and on Linux a large block is marked for transparent huge
// pages (the "hg" flag of its mapping in /proc/self/smaps), so a fresh trace tensor is not faulted in 4 KB
// pages. Whether the kernel then really uses 2 MB pages depends on its settings, so that is not asserted.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/address_sanitizer.h"
#include "core/huge_pages.h"

using namespace attn;

namespace {

// The VmFlags of the mapping that holds `address`, or "" when /proc/self/smaps can not tell.
std::string mapping_flags(const void* address) {
    std::ifstream smaps("/proc/self/smaps");
    const uintptr_t a = reinterpret_cast<uintptr_t>(address);
    std::string line;
    bool inside = false;
    while (std::getline(smaps, line)) {
        unsigned long long lo = 0, hi = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
            inside = a >= lo && a < hi;
            continue;
        }
        if (inside && line.rfind("VmFlags:", 0) == 0) return line;
    }
    return "";
}

// Natively, that the block holding `address` is marked for huge pages, where smaps can tell.
void check_marked(const void* address) {
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
    const std::string flags = mapping_flags(address);
    if (!flags.empty()) CHECK(flags.find(" hg") != std::string::npos);
#else
    (void)address;
#endif
}

}  // namespace

TEST_CASE("zeros_in_huge_pages: n zeros, small or large, replacing what was there") {
    std::vector<float> v(10, 3.0f);
    zeros_in_huge_pages(v, 5);
    CHECK(v == std::vector<float>(5, 0.0f));
    zeros_in_huge_pages(v, 0);
    CHECK(v.empty());
    const size_t big = (size_t{12} << 20) / sizeof(float);   // 12 MB
    std::vector<float> w(100, 7.0f);
    zeros_in_huge_pages(w, big);
    REQUIRE(w.size() == big);
    size_t nonzero = 0;
    for (float x : w) nonzero += x != 0.0f;
    CHECK(nonzero == 0);
    w[big / 2] = 1.0f;
    zeros_in_huge_pages(w, big);   // same size again: reused, still all zeros
    CHECK(w[big / 2] == 0.0f);

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
    const std::string flags = mapping_flags(w.data() + big / 2);
    if (flags.empty()) {
        MESSAGE("/proc/self/smaps does not show the block's mapping; the huge-page hint is not checked");
    } else {
        INFO(flags);
        CHECK(flags.find(" hg") != std::string::npos);   // VM_HUGEPAGE: madvise(MADV_HUGEPAGE) reached it
    }
#endif
}

TEST_CASE("zeros_in_huge_pages: doubles too (the flow view's residual attention)") {
    std::vector<double> v(3, 2.0);
    zeros_in_huge_pages(v, 4);
    CHECK(v == std::vector<double>(4, 0.0));
    const size_t big = (size_t{12} << 20) / sizeof(double);
    zeros_in_huge_pages(v, big);
    REQUIRE(v.size() == big);
    CHECK(v[big - 1] == 0.0);
    check_marked(v.data() + big / 2);
}

TEST_CASE("reserve_in_huge_pages: empty with room for n, marked, and growing within it keeps the block") {
    std::vector<double> v(5, 4.0);
    const size_t big = (size_t{12} << 20) / sizeof(double);
    reserve_in_huge_pages(v, big);
    CHECK(v.empty());
    REQUIRE(v.capacity() >= big);
    const double* block = v.data();
    v.resize(big / 2);   // what a layer step does: zeroes only what it adds
    v.resize(big);
    CHECK(v.data() == block);
    CHECK(v[big - 1] == 0.0);
    check_marked(v.data() + big / 2);
    v[3] = 1.0;
    reserve_in_huge_pages(v, big);   // again: the same memory, emptied
    CHECK(v.empty());
    CHECK(v.data() == block);
    reserve_in_huge_pages(v, 10);    // small: a plain reserve
    CHECK(v.empty());
}

#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__) && !defined(ATTN_ADDRESS_SANITIZER)
#include <malloc.h>

TEST_CASE("heap_setup: a freed 64 MB block stays in the heap for the next one, and fresh heap is marked (glibc)") {
    heap_setup();
    {
        // Carved from the top of the heap heap_setup marked: nothing freed before holds 200 MB.
        const size_t big = size_t{200} << 20;
        char* block = static_cast<char*>(std::malloc(big));
        REQUIRE(block);
        const std::string flags = mapping_flags(block + big / 2);
        if (flags.empty()) {
            MESSAGE("/proc/self/smaps does not show the heap's mapping; the huge-page hint is not checked");
        } else {
            INFO(flags);
            CHECK(flags.find(" hg") != std::string::npos);
        }
        std::free(block);
    }
    const size_t n = size_t{64} << 20;
    const size_t mapped_before = mallinfo2().hblkhd;
    {
        std::vector<char> block(n, 1);
        CHECK(mallinfo2().hblkhd == mapped_before);   // not a block of its own, mapped and unmapped
    }
    CHECK(mallinfo2().fordblks >= n);                 // free in the heap, not given back to the kernel
}
#endif
