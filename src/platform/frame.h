// One frame of the app on a GLFW window: poll input, build the ImGui frame, draw it. The desktop loop
// and the browser's main-loop callback both call this; what they do around it (screenshots, canvas
// sizing) stays in their mains.
#pragma once

struct GLFWwindow;

namespace attn {

struct App;
struct DrawPacing;

// Whether a frame's picture goes to the framebuffer.
enum class FrameDraw {
    always,
    // Not when it would draw exactly the pixels the last one drew (same draw lists, textures, size and
    // colours): the page then leaves the canvas as it is, so the browser composites nothing new. An idle
    // page drew 60 identical frames a second and kept almost two cores busy under a software renderer.
    // And while jobs run in steps with nobody touching the page, a changed frame only every
    // DrawPacing::busy_every_ms (ui/draw_pacing.h).
    if_changed,
    // Built and not drawn: the page benchmark's measure of the app's own time without a software
    // rasteriser on the same cores (attnscope._setDrawing(false)).
    never,
};

// Runs one frame of the app and renders it into the window's framebuffer; reports its size (for
// screenshots). Returns whether it drew. app_ms, when given, gets the time of the app's own frame
// (ImGui's new frame, app_frame, ImGui::Render): the views' CPU work, apart from the GL calls that draw
// the result (which under a software GL can wait for the rasteriser).
bool frame_render(GLFWwindow* window, App& app, int* fb_w, int* fb_h, FrameDraw draw = FrameDraw::always,
                  double* app_ms = nullptr);

// The pacing FrameDraw::if_changed follows (the page benchmarks' hooks change it).
DrawPacing& frame_draw_pacing();
// Input that reaches the app without passing through ImGui's IO (the page's HTML text box): the frames
// after it are drawn at once, as after a key in an ImGui box.
void frame_note_input();

}  // namespace attn
