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
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    app_frame(app);
    ImGui::Render();
    glfwGetFramebufferSize(window, fb_w, fb_h);
    glViewport(0, 0, *fb_w, *fb_h);
    glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace attn
