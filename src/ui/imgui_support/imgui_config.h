// Dear ImGui build configuration shared by imgui itself, the views and the tests (IMGUI_USER_CONFIG).
// It only reroutes IM_ASSERT; it does not change any ImGui behaviour.
#pragma once

namespace attn {
// Called when an ImGui assertion fails. The default prints and aborts (a UI assert is a programmer
// error); the smoke test installs a handler that throws so a failing frame becomes a failing test.
using ImGuiAssertHandler = void (*)(const char* expression, const char* file, int line);
void imgui_assert_failed(const char* expression, const char* file, int line);
ImGuiAssertHandler imgui_set_assert_handler(ImGuiAssertHandler handler);
}  // namespace attn

// Live in release builds too: ImGui's checks are cheap and are exactly what the smoke test relies on.
#define IM_ASSERT(expr) ((expr) ? (void)0 : ::attn::imgui_assert_failed(#expr, __FILE__, __LINE__))
