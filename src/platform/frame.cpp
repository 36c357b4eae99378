// The frame step shared by main_native.cpp and main_web.cpp.
#include "platform/frame.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"
#include "platform/gl.h"
#include "ui/app.h"
#include "ui/draw_pacing.h"
#include "ui/frame_budget.h"

namespace attn {

namespace {

// Everything a frame's pixels depend on, as bytes: the framebuffer size, the clear colour, the heatmap
// textures' generation, and the draw lists (vertices, indices, and each command's clip rectangle,
// texture and range). Two frames with the same bytes draw the same picture. Field by field, so no
// padding byte is ever compared.
void frame_signature(const ImDrawData* d, int fb_w, int fb_h, const ImVec4& bg, uint64_t textures,
                     std::vector<unsigned char>* out) {
    out->clear();
    auto put = [out](const void* p, size_t n) {
        const unsigned char* b = static_cast<const unsigned char*>(p);
        out->insert(out->end(), b, b + n);
    };
    auto put_value = [&put](const auto& v) { put(&v, sizeof v); };
    put_value(fb_w);
    put_value(fb_h);
    put_value(bg);
    put_value(textures);
    put_value(d->DisplayPos);
    put_value(d->DisplaySize);
    put_value(d->FramebufferScale);
    put_value(d->CmdListsCount);
    for (int i = 0; i < d->CmdListsCount; ++i) {
        const ImDrawList* list = d->CmdLists[i];
        put_value(list->VtxBuffer.Size);
        put(list->VtxBuffer.Data, static_cast<size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert));
        put_value(list->IdxBuffer.Size);
        put(list->IdxBuffer.Data, static_cast<size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
        put_value(list->CmdBuffer.Size);
        for (const ImDrawCmd& c : list->CmdBuffer) {
            put_value(c.ClipRect);
            put_value(c.TextureId);
            put_value(c.VtxOffset);
            put_value(c.IdxOffset);
            put_value(c.ElemCount);
            put_value(c.UserCallback);
        }
    }
}

// The last drawn frame's signature: one window per process.
std::vector<unsigned char> g_drawn, g_next;
// Draw pacing (ui/draw_pacing.h): the last frame's input, when input last came and a frame was last
// drawn, and the work that frame showed.
DrawPacing g_pacing;
InputSnapshot g_input;
double g_last_input_ms = 0.0, g_last_drawn_ms = 0.0;
double g_views_ms = 0.0;   // the last frame's app time apart from its stepped jobs
struct LastFrame {
    double start_ms = 0.0, ms = 0.0;   // when it started, and how long its app part took
} g_last_frame;
// How long frames waited for their turn beyond the display's interval (drawn_frame_wait_ms), summed
// since the last drawn frame, and that sum when it was drawn: what the frame drawn before it held back.
double g_wait_since_drawn_ms = 0.0, g_drawn_wait_ms = 0.0;
WorkOnScreen g_drawn_work;

double steady_ms(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

}  // namespace

DrawPacing& frame_draw_pacing() { return g_pacing; }

void frame_note_input() {
    g_last_input_ms = steady_ms(std::chrono::steady_clock::now());
}

bool frame_render(GLFWwindow* window, App& app, int* fb_w, int* fb_h, FrameDraw draw, double* app_ms) {
    glfwPollEvents();
    bool fonts_rebuilt = false;
    if (app.fonts_dirty) {   // A-/A+ asked for a new size: rebuild the atlas between frames, then its texture
        app_rebuild_fonts(app);
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
        fonts_rebuilt = true;   // the atlas's texture may come back under the same name with new glyphs
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    const auto app_start = std::chrono::steady_clock::now();
    const double now_ms = steady_ms(app_start);
    // Capped: a longer wait is not drawing's (a hidden tab, a long call from the page's script).
    const double waited_ms = g_last_frame.start_ms > 0.0
                                 ? std::min(drawn_frame_wait_ms(now_ms - g_last_frame.start_ms, g_last_frame.ms), 250.0)
                                 : 0.0;
    g_last_frame = {now_ms, 0.0};
    const InputSnapshot input = input_snapshot(ImGui::GetIO());   // before NewFrame: EndFrame clears the wheel and characters
    if (input_between(g_input, input)) g_last_input_ms = now_ms;
    g_input = input;
    if (draw != FrameDraw::always)   // the page: the jobs take what its views leave of the frame
        app.trace_budget_ms = job_budget_ms(g_pacing, page_quiet(g_pacing, now_ms, g_last_input_ms), g_views_ms);
    frame_steps_ms() = 0.0;
    ImGui::NewFrame();
    app_frame(app);
    ImGui::Render();
    // What this frame's picture shows: app_after_render may load or swap the model for the next one.
    const WorkOnScreen work = app_work_on_screen(app);
    app_after_render(app);
    const double frame_app_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - app_start).count();
    g_views_ms = frame_app_ms > frame_steps_ms() ? frame_app_ms - frame_steps_ms() : 0.0;
    if (app_ms) *app_ms = frame_app_ms;
    g_last_frame.ms = frame_app_ms;   // not its GL calls: under a software GL they wait for the rasteriser
    glfwGetFramebufferSize(window, fb_w, fb_h);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];   // follows the theme
    if (draw == FrameDraw::never) {
        g_wait_since_drawn_ms = g_drawn_wait_ms = 0.0;
        return false;
    }
    if (draw == FrameDraw::if_changed) {
        const uint64_t textures = app.config.textures ? app.config.textures->generation() : 0;
        frame_signature(ImGui::GetDrawData(), *fb_w, *fb_h, bg, textures, &g_next);
        if (!fonts_rebuilt && g_next == g_drawn) {
            g_wait_since_drawn_ms = 0.0;   // nothing held back waits to be drawn: what came is no drawing's
            return false;
        }
        g_wait_since_drawn_ms += waited_ms;
        // A new font texture is drawn at once: the next frame's draw lists may match the ones drawn.
        const double drawn_wait_ms = std::max(g_drawn_wait_ms, g_wait_since_drawn_ms);
        if (!fonts_rebuilt && !draw_changed_frame_now(g_pacing, now_ms, g_last_input_ms, g_last_drawn_ms,
                                                      drawn_wait_ms, work, g_drawn_work))
            return false;   // g_drawn stays what the canvas shows, so a later frame draws the change
        g_drawn.swap(g_next);
        g_drawn_work = work;
        g_last_drawn_ms = now_ms;
        g_drawn_wait_ms = g_wait_since_drawn_ms;   // what the frame drawn before this one held back
        g_wait_since_drawn_ms = 0.0;
    }
    glViewport(0, 0, *fb_w, *fb_h);
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    return true;
}

}  // namespace attn
