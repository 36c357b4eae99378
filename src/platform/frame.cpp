// The frame step shared by main_native.cpp and main_web.cpp.
#include "platform/frame.h"

#include <GLFW/glfw3.h>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "platform/gl.h"
#include "ui/app.h"

namespace attn {

void frame_render(GLFWwindow* window, App& app, int* fb_w, int* fb_h) {
    glfwPollEvents();
    if (app.fonts_dirty) {   // A-/A+ asked for a new size: rebuild the atlas between frames, then its texture
        app_rebuild_fonts(app);
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    app_frame(app);
    ImGui::Render();
    app_after_render(app);
    glfwGetFramebufferSize(window, fb_w, fb_h);
    glViewport(0, 0, *fb_w, *fb_h);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];   // follows the theme
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace attn
