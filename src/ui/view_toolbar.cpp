// The top bar: the model picker, "Open model...", and the quiet controls around the picture (theme,
// font size for projectors, exports). It reports what was clicked; the app acts on it.
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

const char* theme_button_label(const ToolbarData& d) { return d.light_theme ? "Dark" : "Light"; }

struct ToolbarWidths {
    float left = 0.0f;    // title, model picker, Open model...
    float right = 0.0f;   // theme, font size, Export, ?
};

// Measured with the current font and style, the same sums show_toolbar lays out with, so the app can
// give the bar a second row before drawing it.
ToolbarWidths toolbar_widths(const ToolbarData& d) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float fs = ImGui::GetFontSize();
    auto button_w = [&](const char* s) { return ImGui::CalcTextSize(s).x + st.FramePadding.x * 2; };
    char size_label[16];
    std::snprintf(size_label, sizeof size_label, "%.0f px", d.font_size);
    ToolbarWidths w;
    w.left = ImGui::CalcTextSize("AttnScope").x + fs * 1.5f;
    if (d.picker.models && !d.picker.models->empty())
        w.left += fs * 11.0f + st.ItemSpacing.x;
    if (d.can_open_model) w.left += button_w("Open model...") + st.ItemSpacing.x;
    if (d.can_copy_link) w.left += button_w("Copy link") + st.ItemSpacing.x;
    w.right = button_w(theme_button_label(d)) + button_w("A-") + ImGui::CalcTextSize(size_label).x + button_w("A+") +
              button_w("Export") + button_w("?") + st.ItemSpacing.x * 5;
    return w;
}

}  // namespace

int toolbar_rows(const ToolbarData& d, float width) {
    ToolbarWidths w = toolbar_widths(d);
    return w.left + w.right > width - ImGui::GetStyle().WindowPadding.x * 2 ? 2 : 1;
}

ToolbarActions show_toolbar(const ToolbarData& d) {
    ToolbarActions act;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("AttnScope");
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    const float fs = ImGui::GetFontSize();
    if (d.picker.models && !d.picker.models->empty()) {
        ModelPickerData picker = d.picker;
        picker.width = fs * 11.0f;
        act.picked_model = show_model_picker(picker);
        widget_mark("model_picker");
        ImGui::SameLine();
    }
    if (d.can_open_model) {
        if (ImGui::Button("Open model...")) act.open_model = true;
        if (d.open_rect) *d.open_rect = last_item_rect();
        widget_mark("open_model");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("A Hugging Face folder: config.json, model.safetensors (or shards), tokenizer.json.\n"
                              "You can also drop the folder or its files onto the window.");
        ImGui::SameLine();
    }
    if (d.can_copy_link) {
        if (ImGui::Button("Copy link")) act.copy_link = true;
        if (d.copy_link_rect) *d.copy_link_rect = last_item_rect();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("A link to this model, text and view (pinned token, heads, flow threshold...).\n"
                              "A model opened from disk cannot travel in a link: the reader is asked to open it.");
        ImGui::SameLine();
    }

    // Right-aligned group: theme, font size, export, help. When the window is too narrow for both
    // groups (a projector font), it takes a second row instead of running off the edge.
    const char* theme_label = theme_button_label(d);
    char size_label[16];
    std::snprintf(size_label, sizeof size_label, "%.0f px", d.font_size);
    const float group_w = toolbar_widths(d).right;
    float x = ImGui::GetWindowContentRegionMax().x - group_w;
    if (x < ImGui::GetCursorPosX()) {
        ImGui::NewLine();
        x = std::max(x, ImGui::GetCursorPosX());
    }
    ImGui::SetCursorPosX(x);
    if (ImGui::Button(theme_label)) act.toggle_theme = true;
    widget_mark("theme");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Switch to the %s theme (T)", d.light_theme ? "dark" : "light");
    ImGui::SameLine();
    if (ImGui::Button("A-")) act.font_step = -1;
    widget_mark("font_smaller");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Smaller text (-)");
    ImGui::SameLine();
    ImGui::TextUnformatted(size_label);
    ImGui::SameLine();
    if (ImGui::Button("A+")) act.font_step = +1;
    widget_mark("font_bigger");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Bigger text for projectors (+)");
    ImGui::SameLine();
    ImGui::BeginDisabled(!d.has_trace);
    if (ImGui::Button("Export")) ImGui::OpenPopup("export");
    ImGui::EndDisabled();
    if (d.export_rect) *d.export_rect = last_item_rect();
    widget_mark("export");
    ImGui::SameLine();
    if (ImGui::Button("?")) act.toggle_help = true;
    widget_mark("help");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Keyboard shortcuts (?)");
    if (d.export_item_rects) d.export_item_rects->clear();
    if (ImGui::BeginPopup("export")) {
        for (const ExportKindInfo& k : kExportKinds) {
            if (k.kind == ExportKind::png && !d.can_export_png) continue;
            char label[96];
            if (k.kind == ExportKind::png) std::snprintf(label, sizeof label, "%s at %dx", k.label, d.picture_scale);
            if (ImGui::Selectable(k.kind == ExportKind::png ? label : k.label)) act.export_kind = static_cast<int>(k.kind);
            if (d.export_item_rects) d.export_item_rects->push_back(last_item_rect());
        }
        // The PNG's resolution stays chosen for the next export (the popup stays open to pick it).
        if (d.can_export_png) {
            ImGui::Separator();
            ImGui::TextDisabled("PNG resolution");
            for (int s : kPictureScales) {
                char label[16];
                std::snprintf(label, sizeof label, "%dx", s);
                ImGui::SameLine();
                if (ImGui::RadioButton(label, d.picture_scale == s)) act.picture_scale = s;
                if (d.export_item_rects) d.export_item_rects->push_back(last_item_rect());
            }
        }
        ImGui::EndPopup();
    }
    return act;
}

}  // namespace attn
