// How much memory there is: the page's WASM maximum or the machine's RAM, and its wording.
#include "model/limits.h"

#include <atomic>
#include <cstdio>

#ifdef __EMSCRIPTEN__
#include <emscripten/heap.h>
#else
#include <unistd.h>
#endif

namespace attn {
namespace {

std::atomic<int64_t> g_override{0};

int64_t platform_limit() {
#ifdef __EMSCRIPTEN__
    return static_cast<int64_t>(emscripten_get_heap_max());
#else
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return int64_t{1} << 62;   // unknown: refuse nothing on memory grounds
    return static_cast<int64_t>(pages) * page;
#endif
}

}  // namespace

int64_t memory_limit() {
    const int64_t forced = g_override.load();
    return forced > 0 ? forced : platform_limit();
}

bool memory_limit_is_page() {
#ifdef __EMSCRIPTEN__
    return true;
#else
    return false;
#endif
}

void memory_limit_override(int64_t bytes) { g_override.store(bytes > 0 ? bytes : 0); }

std::string memory_size_text(int64_t bytes) {
    const double b = static_cast<double>(bytes < 0 ? 0 : bytes);
    char text[32];
    if (b >= 1073741824.0) std::snprintf(text, sizeof text, "%.1f GB", b / 1073741824.0);
    else if (b >= 1048576.0) std::snprintf(text, sizeof text, "%.0f MB", b / 1048576.0);
    else std::snprintf(text, sizeof text, "%.0f KB", b / 1024.0);
    return text;
}

}  // namespace attn
