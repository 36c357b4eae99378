// The widget recorder's one vector. Not thread-safe, like ImGui itself: one frame is built at a time.
#include "ui/widget_marks.h"

#include "imgui.h"
#include "imgui_internal.h"   // the current window's flags: whether it can show a scrollbar

namespace attn {

namespace {
std::vector<WidgetMark>& marks() {
    static std::vector<WidgetMark> m;
    return m;
}
}  // namespace

void widget_marks_clear() { marks().clear(); }

void widget_mark(const std::string& name) {
    WidgetMark m;
    m.name = name;
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    m.rect = {a.x, a.y, b.x - a.x, b.y - a.y};
    ImVec2 p = ImGui::GetWindowPos(), s = ImGui::GetWindowSize();
    m.window = {p.x, p.y, s.x, s.y};
    m.scroll_y = ImGui::GetScrollY();
    m.scroll_max_y = ImGui::GetScrollMaxY();
    m.scrollable = !(ImGui::GetCurrentWindowRead()->Flags & ImGuiWindowFlags_NoScrollbar);
    marks().push_back(m);
}

const std::vector<WidgetMark>& widget_marks() { return marks(); }

}  // namespace attn
