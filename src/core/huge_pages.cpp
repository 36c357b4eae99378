// Transparent huge pages for large fresh buffers (huge_pages.h). WebAssembly memory has no pages to fault.
#include "core/huge_pages.h"

#include <climits>
#include <cstdint>
#include <cstdlib>

#include "core/address_sanitizer.h"

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif
#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__)
#include <malloc.h>
#endif

namespace attn {

namespace {

template <class T>
void reserve(std::vector<T>& v, size_t n) {
    v.clear();
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
    constexpr size_t kAbove = size_t{8} << 20;
    if (n * sizeof(T) >= kAbove && v.capacity() < n) {
        std::vector<T>().swap(v);   // no copy of the old contents into the new block
        v.reserve(n);
        // madvise wants page-aligned bounds; the kernel uses 2 MB pages where aligned ones fit inside.
        const uintptr_t page = 4096;
        const uintptr_t begin = (reinterpret_cast<uintptr_t>(v.data()) + page - 1) & ~(page - 1);
        const uintptr_t end = reinterpret_cast<uintptr_t>(v.data() + n) & ~(page - 1);
        if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
        return;
    }
#endif
    v.reserve(n);
}

}  // namespace

void zeros_in_huge_pages(std::vector<float>& v, size_t n) {
    reserve(v, n);
    v.assign(n, 0.0f);
}
void zeros_in_huge_pages(std::vector<double>& v, size_t n) {
    reserve(v, n);
    v.assign(n, 0.0);
}
void reserve_in_huge_pages(std::vector<double>& v, size_t n) { reserve(v, n); }
void reserve_in_huge_pages(std::vector<float>& v, size_t n) { reserve(v, n); }

void heap_setup() {
// Not under AddressSanitizer (the sanitised tests, CLI and fuzz targets): it brings its own malloc, where
// these settings mean nothing and the 256 MB block cost each process 0.2 s (the sanitiser maps it and
// poisons its shadow): the sanitised CLI's tests took 439 s instead of 238.
#if defined(__GLIBC__) && !defined(__EMSCRIPTEN__) && !defined(ATTN_ADDRESS_SANITIZER)
    static bool done = false;
    if (done) return;
    done = true;
    // mallopt caps M_MMAP_THRESHOLD at 32 MB; no mmapped blocks at all has no cap. (A thread arena that
    // cannot fit a block still maps it: glibc's fallback there ignores the count.)
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // One block grows the heap by 256 MB without touching it; marked, then freed, it is the top of the
    // heap the next allocations are carved from. Only the whole 2 MB inside it are marked: its first page
    // holds malloc's header, already faulted in 4 KB.
    constexpr size_t kHeap = size_t{256} << 20;
    if (void* block = std::malloc(kHeap)) {
        const uintptr_t huge = uintptr_t{2} << 20;
        const uintptr_t begin = (reinterpret_cast<uintptr_t>(block) + huge) & ~(huge - 1);
        const uintptr_t end = (reinterpret_cast<uintptr_t>(block) + kHeap) & ~(huge - 1);
        if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
        std::free(block);
    }
#endif
#endif
}

}  // namespace attn
