// Clicking a widget the way a user does in the UI tests: by its mark (ui/widget_marks.h), scrolling the
// window that holds it until it is inside, since a long text's chips or a panel's feedback push it down.
#pragma once
#include <array>
#include <string>

#include <doctest/doctest.h>

#include "tests/ui/ui_harness.h"
#include "ui/widget_marks.h"

namespace attn {

// The mark of this frame's widget `name`, or null when it was not drawn.
inline const WidgetMark* find_mark(const std::string& name) {
    for (const WidgetMark& m : widget_marks())
        if (m.name == name) return &m;
    return nullptr;
}

inline ImVec2 rect_centre(const std::array<float, 4>& r) { return ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f); }

// Two frames first: a panel's first appearance can bring in its scrollbar, which re-wraps the text above.
// The test stops when the window does not show the mark.
inline void click_mark(UiHarness& ui, const std::string& name) {
    ui.frame();
    ui.frame();
    const WidgetMark* m = find_mark(name);
    REQUIRE_MESSAGE(m, "no widget " << name);
    for (int i = 0; i < 60 && m->rect[1] + m->rect[3] > m->window[1] + m->window[3]; ++i) {
        ImGui::GetIO().MouseWheel = -1.0f;
        ui.frame(ImVec2(m->window[0] + m->window[2] * 0.5f, m->window[1] + m->window[3] * 0.5f));
        m = find_mark(name);
        REQUIRE_MESSAGE(m, "no widget " << name);
    }
    ui.click(rect_centre(m->rect));
}

}  // namespace attn
