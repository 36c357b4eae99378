// The top bar: the model picker, "Open model...", and the quiet controls around the picture (theme,
// font size for projectors, exports). It reports what was clicked; the app acts on it.
#include <algorithm>
#include <cstdio>

#include "core/i18n.h"
#include "imgui.h"
#include "ui/saved_page.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

const char* theme_button_label(const ToolbarData& d) { return tr_id(d.light_theme ? "toolbar.theme_dark" : "toolbar.theme_light"); }

const char* presenter_button_label(const ToolbarData& d) { return tr_id(d.presenter ? "present.off" : "present.on"); }

std::string font_size_label(const ToolbarData& d) { return trf("toolbar.font_size", {{"size", std::to_string(static_cast<int>(d.font_size + 0.5f))}}); }

struct ToolbarWidths {
    float left = 0.0f;    // title, model picker, Open model...
    float right = 0.0f;   // theme, font size, Export, ?
};

// Measured with the current font and style, the same sums show_toolbar lays out with, so the app can
// give the bar a second row before drawing it.
ToolbarWidths toolbar_widths(const ToolbarData& d) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const float fs = ImGui::GetFontSize();
    auto button_w = [&](const char* s) { return ImGui::CalcTextSize(s, nullptr, true).x + st.FramePadding.x * 2; };
    const std::string size_label = font_size_label(d);
    ToolbarWidths w;
    w.left = ImGui::CalcTextSize("AttnScope").x + fs * 1.5f;
    if (d.picker.models && !d.picker.models->empty())
        w.left += fs * 11.0f + st.ItemSpacing.x;
    // Presenter mode keeps the picker, language, theme, size, help and its own switch; the rest waits.
    if (d.can_open_model && !d.presenter) w.left += button_w(tr_id("toolbar.open_model")) + st.ItemSpacing.x;
    if (d.can_copy_link && !d.presenter) w.left += button_w(tr_id("toolbar.copy_link")) + st.ItemSpacing.x;
    if (d.can_save_page && !d.presenter) w.left += button_w(tr_id("present.save_page")) + st.ItemSpacing.x;
    w.right = button_w(d.next_language_label.c_str()) + button_w(theme_button_label(d)) + button_w("A-") +
              ImGui::CalcTextSize(size_label.c_str()).x + button_w("A+") + button_w(presenter_button_label(d)) +
              button_w("?") + st.ItemSpacing.x * 6;
    if (!d.presenter) w.right += button_w(tr_id("toolbar.export")) + st.ItemSpacing.x;
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
    if (d.can_open_model && !d.presenter) {
        if (ImGui::Button(tr_id("toolbar.open_model"))) act.open_model = true;
        if (d.open_rect) *d.open_rect = last_item_rect();
        widget_mark("open_model");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("toolbar.open_model_tip"));
        ImGui::SameLine();
    }
    if (d.can_copy_link && !d.presenter) {
        if (ImGui::Button(tr_id("toolbar.copy_link"))) act.copy_link = true;
        if (d.copy_link_rect) *d.copy_link_rect = last_item_rect();
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("toolbar.copy_link_tip"));
        ImGui::SameLine();
    }
    if (d.can_save_page && !d.presenter) {
        if (ImGui::Button(tr_id("present.save_page"))) act.save_page = true;
        if (d.save_page_rect) *d.save_page_rect = last_item_rect();
        widget_mark("save_page");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", trf("present.save_page_tip", {{"limit", std::to_string(kSavedPageModelLimitMB)}}).c_str());
        ImGui::SameLine();
    }

    // Right-aligned group: language, theme, font size, export, help. When the window is too narrow for
    // both groups (a projector font), it takes a second row instead of running off the edge.
    const char* theme_label = theme_button_label(d);
    const std::string size_label = font_size_label(d);
    const float group_w = toolbar_widths(d).right;
    float x = ImGui::GetWindowContentRegionMax().x - group_w;
    if (x < ImGui::GetCursorPosX()) {
        ImGui::NewLine();
        x = std::max(x, ImGui::GetCursorPosX());
    }
    ImGui::SetCursorPosX(x);
    if (ImGui::Button((d.next_language_label + "###language").c_str())) act.pick_language = static_cast<int>(d.next_language);
    widget_mark("language");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", trf("toolbar.language_tip", {{"language", d.next_language_label}}).c_str());
    ImGui::SameLine();
    if (ImGui::Button(theme_label)) act.toggle_theme = true;
    widget_mark("theme");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", d.light_theme ? tr("toolbar.theme_dark_tip") : tr("toolbar.theme_light_tip"));
    ImGui::SameLine();
    if (ImGui::Button("A-")) act.font_step = -1;
    widget_mark("font_smaller");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("toolbar.smaller_tip"));
    ImGui::SameLine();
    ImGui::TextUnformatted(size_label.c_str());
    ImGui::SameLine();
    if (ImGui::Button("A+")) act.font_step = +1;
    widget_mark("font_bigger");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("toolbar.bigger_tip"));
    ImGui::SameLine();
    if (!d.presenter) {
        ImGui::BeginDisabled(!d.has_trace);
        if (ImGui::Button(tr_id("toolbar.export"))) ImGui::OpenPopup("export");
        ImGui::EndDisabled();
        if (d.export_rect) *d.export_rect = last_item_rect();
        widget_mark("export");
        ImGui::SameLine();
    }
    if (ImGui::Button(presenter_button_label(d))) act.toggle_presenter = true;
    if (d.presenter_rect) *d.presenter_rect = last_item_rect();
    widget_mark("presenter");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", d.presenter ? tr("present.off_tip") : tr("present.on_tip"));
    ImGui::SameLine();
    if (ImGui::Button("?")) act.toggle_help = true;
    widget_mark("help");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("toolbar.help_tip"));
    if (d.export_item_rects) d.export_item_rects->clear();
    if (ImGui::BeginPopup("export")) {
        for (const ExportKindInfo& k : kExportKinds) {
            if (k.kind == ExportKind::png && !d.can_export_png) continue;
            const std::string label = k.kind == ExportKind::png
                                          ? trf("ui.export.png_at_scale", {{"label", tr(k.label)}, {"scale", std::to_string(d.picture_scale)}})
                                          : tr(k.label);
            if (ImGui::Selectable(label.c_str())) act.export_kind = static_cast<int>(k.kind);
            if (d.export_item_rects) d.export_item_rects->push_back(last_item_rect());
        }
        // The PNG's resolution stays chosen for the next export (the popup stays open to pick it).
        if (d.can_export_png) {
            ImGui::Separator();
            ImGui::TextDisabled("%s", tr("toolbar.png_resolution"));
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
