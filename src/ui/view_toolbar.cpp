// The top bar: the model picker, "Open model...", and the quiet controls around the picture (theme,
// font size for projectors, exports). It reports what was clicked; the app acts on it.
#include <cstdio>

#include "imgui.h"
#include "ui/views.h"

namespace attn {

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
        ImGui::SameLine();
    }
    if (d.can_open_model) {
        if (ImGui::Button("Open model...")) act.open_model = true;
        if (d.open_rect) *d.open_rect = last_item_rect();
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

    // Right-aligned group: theme, font size, export.
    const char* theme_label = d.light_theme ? "Dark" : "Light";
    char size_label[16];
    std::snprintf(size_label, sizeof size_label, "%.0f px", d.font_size);
    const ImGuiStyle& st = ImGui::GetStyle();
    auto button_w = [&](const char* s) { return ImGui::CalcTextSize(s).x + st.FramePadding.x * 2; };
    float group_w = button_w(theme_label) + button_w("A-") + ImGui::CalcTextSize(size_label).x + button_w("A+") +
                    button_w("Export") + st.ItemSpacing.x * 5;
    float x = ImGui::GetWindowContentRegionMax().x - group_w;
    if (x > ImGui::GetCursorPosX()) ImGui::SetCursorPosX(x);
    if (ImGui::Button(theme_label)) act.toggle_theme = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Switch to the %s theme (T)", d.light_theme ? "dark" : "light");
    ImGui::SameLine();
    if (ImGui::Button("A-")) act.font_step = -1;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Smaller text (-)");
    ImGui::SameLine();
    ImGui::TextUnformatted(size_label);
    ImGui::SameLine();
    if (ImGui::Button("A+")) act.font_step = +1;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Bigger text for projectors (+)");
    ImGui::SameLine();
    ImGui::BeginDisabled(!d.has_trace);
    if (ImGui::Button("Export")) ImGui::OpenPopup("export");
    ImGui::EndDisabled();
    if (d.export_rect) *d.export_rect = last_item_rect();
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
