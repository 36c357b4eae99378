// One frame of the app on a GLFW window: poll input, build the ImGui frame, draw it. The desktop loop
// and the browser's main-loop callback both call this; what they do around it (screenshots, canvas
// sizing) stays in their mains.
#pragma once

struct GLFWwindow;

namespace attn {

struct App;

// Renders one frame into the window's framebuffer and reports its size (for screenshots).
void frame_render(GLFWwindow* window, App& app, int* fb_w, int* fb_h);

}  // namespace attn
