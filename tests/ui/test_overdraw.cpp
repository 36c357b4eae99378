// What a frame fills. The fixed panels tile the display, which the frame clears to the window colour, so
// they draw no background of their own: under a software rasteriser (SwiftShader, in a browser without a
// usable GPU) the pixels a frame fills are most of what it costs, and the panels' backgrounds were a whole
// display more (the heatmap at T = 1024: 67 ms of the GPU process's work per drawn 1600 x 1000 frame with
// them, 36 ms without).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "tests/ui/ui_harness.h"

using namespace attn;

namespace {

// The area of triangle (a, b, c) inside clip rect (x0, y0, x1, y1), as the rasteriser fills it.
double clipped_triangle_area(const ImVec2& a, const ImVec2& b, const ImVec2& c, const ImVec4& clip) {
    std::vector<ImVec2> poly{a, b, c}, next;
    // One half-plane at a time (Sutherland-Hodgman): keep(p) says whether p is inside; cut(p, q) is where
    // the edge from p to q crosses the boundary.
    auto clip_by = [&](auto keep, auto cut) {
        next.clear();
        for (size_t i = 0; i < poly.size(); ++i) {
            const ImVec2 p = poly[i], q = poly[(i + 1) % poly.size()];
            if (keep(p)) next.push_back(p);
            if (keep(p) != keep(q)) next.push_back(cut(p, q));
        }
        poly.swap(next);
    };
    auto at_x = [](ImVec2 p, ImVec2 q, float x) { return ImVec2(x, p.y + (q.y - p.y) * (x - p.x) / (q.x - p.x)); };
    auto at_y = [](ImVec2 p, ImVec2 q, float y) { return ImVec2(p.x + (q.x - p.x) * (y - p.y) / (q.y - p.y), y); };
    clip_by([&](ImVec2 p) { return p.x >= clip.x; }, [&](ImVec2 p, ImVec2 q) { return at_x(p, q, clip.x); });
    clip_by([&](ImVec2 p) { return p.x <= clip.z; }, [&](ImVec2 p, ImVec2 q) { return at_x(p, q, clip.z); });
    clip_by([&](ImVec2 p) { return p.y >= clip.y; }, [&](ImVec2 p, ImVec2 q) { return at_y(p, q, clip.y); });
    clip_by([&](ImVec2 p) { return p.y <= clip.w; }, [&](ImVec2 p, ImVec2 q) { return at_y(p, q, clip.w); });
    double twice = 0.0;
    for (size_t i = 0; i < poly.size(); ++i) {
        const ImVec2 p = poly[i], q = poly[(i + 1) % poly.size()];
        twice += static_cast<double>(p.x) * q.y - static_cast<double>(q.x) * p.y;
    }
    return std::abs(twice) / 2.0;
}

// The last frame's filled pixels, every triangle of every draw list inside its clip rect, in displays.
double displays_filled(ImVec2 display) {
    double area = 0.0;
    const ImDrawData* dd = ImGui::GetDrawData();
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        const ImDrawList* dl = dd->CmdLists[l];
        for (const ImDrawCmd& cmd : dl->CmdBuffer) {
            if (cmd.UserCallback) continue;
            for (unsigned e = 0; e + 2 < cmd.ElemCount; e += 3) {
                auto corner = [&](unsigned k) { return dl->VtxBuffer[cmd.VtxOffset + dl->IdxBuffer[cmd.IdxOffset + e + k]].pos; };
                area += clipped_triangle_area(corner(0), corner(1), corner(2), cmd.ClipRect);
            }
        }
    }
    return area / (static_cast<double>(display.x) * display.y);
}

}  // namespace

TEST_CASE("clipped_triangle_area: inside, cut by the clip rect, outside") {
    const ImVec4 clip(0, 0, 10, 10);
    CHECK(clipped_triangle_area(ImVec2(0, 0), ImVec2(4, 0), ImVec2(0, 4), clip) == doctest::Approx(8.0));
    CHECK(clipped_triangle_area(ImVec2(0, 0), ImVec2(20, 0), ImVec2(0, 20), clip) == doctest::Approx(100.0));
    CHECK(clipped_triangle_area(ImVec2(5, 5), ImVec2(15, 5), ImVec2(5, 15), clip) == doctest::Approx(25.0));
    CHECK(clipped_triangle_area(ImVec2(20, 20), ImVec2(30, 20), ImVec2(20, 30), clip) == 0.0);
}

TEST_CASE("a frame of the heatmap, grid or flow view fills less than the display once, both themes") {
    const ImVec2 display(1600, 1000);
    UiHarness ui(display);
    ui.load_fixture("gpt2-tiny");
    std::string text;
    for (int i = 0; i < 6; ++i) text += "The cat sat on the mat and then it ran to see the dog in the house. ";
    app_set_text(ui.app, text);
    for (Theme theme : {Theme::dark, Theme::light}) {
        app_set_theme(ui.app, theme);
        for (MainView view : {MainView::heatmap, MainView::grid, MainView::flow}) {
            CAPTURE(main_view_name(view));
            CAPTURE(static_cast<int>(theme));
            ui.app.main_view = view;
            for (int i = 0; i < 4; ++i) ui.frame();   // the view's stepped work (grid tiles, flow) comes in
            const double filled = displays_filled(display);
            CHECK(filled > 0.2);    // the views, text and controls are there
            CHECK(filled < 1.0);    // with the panels' backgrounds it was 1.4-1.7
        }
    }
}
