// A small recorder of where widgets were drawn last frame, for tests (like imgui's
// IMGUI_DEMO_MARKER): a view calls widget_mark("name") right after an item, and a test reads where
// it landed and whether the window around it can scroll to it. Costs one vector push per mark.
//
//   if (ImGui::Button("A+")) ...;
//   widget_mark("font_bigger");
//   for (const WidgetMark& m : widget_marks()) ...   // after the frame
#pragma once
#include <array>
#include <string>
#include <vector>

namespace attn {

struct WidgetMark {
    std::string name;
    std::array<float, 4> rect{};       // the item (x, y, w, h) on screen, at the window's current scroll
    std::array<float, 4> window{};     // the window it sits in (x, y, w, h): what is visible of it
    float scroll_y = 0.0f;             // the window's scroll now and the most it can scroll
    float scroll_max_y = 0.0f;
    bool scrollable = false;           // the window shows a scrollbar when it overflows (else it must fit)
};

// Called by app_frame before any view draws.
void widget_marks_clear();
// Records the last item under `name`.
void widget_mark(const std::string& name);
const std::vector<WidgetMark>& widget_marks();

}  // namespace attn
