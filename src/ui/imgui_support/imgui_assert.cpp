// The IM_ASSERT handler (see imgui_config.h): print and abort unless a test swapped in its own.
#include "ui/imgui_support/imgui_config.h"

#include <cstdio>
#include <cstdlib>

namespace attn {

static void assert_abort(const char* expression, const char* file, int line) {
    std::fprintf(stderr, "ImGui assertion failed: %s (%s:%d)\n", expression, file, line);
    std::abort();
}

static ImGuiAssertHandler g_handler = assert_abort;

void imgui_assert_failed(const char* expression, const char* file, int line) { g_handler(expression, file, line); }

ImGuiAssertHandler imgui_set_assert_handler(ImGuiAssertHandler handler) {
    ImGuiAssertHandler previous = g_handler;
    g_handler = handler ? handler : assert_abort;
    return previous;
}

}  // namespace attn
