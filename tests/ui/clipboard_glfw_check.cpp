// The desktop's clipboard, end to end below the text box: ImGui's GLFW backend (installed as the
// desktop app installs it) must hand ImGui the system clipboard and put ImGui's copies there, so that
// Ctrl+V / Ctrl+C in the ImGui text box (tests/ui/test_text_input.cpp drives those through ImGui's io
// clipboard functions) reach other programs. Needs an X display: tests/ui/native_screenshot.sh runs
// it under xvfb-run. Prints "clipboard: ok" and exits 0, or says what went wrong and exits 1.
#include <cstdio>
#include <string>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "imgui.h"
#include "imgui_impl_glfw.h"

int main() {
    if (!glfwInit()) {
        std::fprintf(stderr, "clipboard: GLFW could not start (no display?)\n");
        return 1;
    }
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    GLFWwindow* window = glfwCreateWindow(320, 200, "clipboard check", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "clipboard: no window\n");
        return 1;
    }
    ImGui::CreateContext();
    ImGui_ImplGlfw_InitForOpenGL(window, true);

    // Another program copied this (GLFW's pointers die on the next clipboard call: copy them at once).
    const std::string outside = "pasted from another program: m\xC3\xBC" "de \xE5\x8A\xA8\xE7\x89\xA9";
    glfwSetClipboardString(window, outside.c_str());
    const char* seen_p = ImGui::GetClipboardText();
    const std::string seen = seen_p ? seen_p : "(nothing)";
    const std::string inside = "copied from AttnScope's text box";
    ImGui::SetClipboardText(inside.c_str());
    const char* system_p = glfwGetClipboardString(window);
    const std::string system = system_p ? system_p : "(nothing)";

    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    if (seen != outside || system != inside) {
        std::fprintf(stderr, "clipboard: ImGui read \"%s\" (want \"%s\"); the system read \"%s\" (want \"%s\")\n",
                     seen.c_str(), outside.c_str(), system.c_str(), inside.c_str());
        return 1;
    }
    std::printf("clipboard: ok\n");
    return 0;
}
