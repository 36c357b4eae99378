// Transparent huge pages for large fresh buffers (huge_pages.h). WebAssembly memory has no pages to fault.
#include "core/huge_pages.h"

#include <cstdint>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
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

}  // namespace attn
