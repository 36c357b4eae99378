// One frame of the app on a GLFW window: poll input, build the ImGui frame, draw it. The desktop loop
// and the browser's main-loop callback both call this; what they do around it (screenshots, canvas
// sizing) stays in their mains.
#pragma once

struct GLFWwindow;

namespace attn {

struct App;

// Runs one frame of the app and renders it into the window's framebuffer; reports its size (for
// screenshots). With skip_unchanged, a frame that would draw exactly the pixels the last one drew (same
// draw lists, textures, size and colours) is not drawn, and false is returned: the page then leaves the
// canvas as it is, so the browser composites nothing new. An idle page drew 60 identical frames a second
// and kept almost two cores busy under a software renderer.
bool frame_render(GLFWwindow* window, App& app, int* fb_w, int* fb_h, bool skip_unchanged = false);

}  // namespace attn
