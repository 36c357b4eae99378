// The input panel: the live text box and the layer/head steppers. It edits the text and the
// selection; running the model on the new text is the app's job, not this view's.
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/views.h"

namespace attn {

// [<] slider [>] for an index in [0, count).
static void index_stepper(const char* id, const char* label, int* value, int count) {
    ImGui::PushID(id);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::SameLine(ImGui::GetFontSize() * 3.5f);
    bool enabled = count > 1;
    if (!enabled) ImGui::BeginDisabled();
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left) && *value > 0) --*value;
    ImGui::SameLine();
    float arrow = ImGui::GetFrameHeight();
    ImGui::SetNextItemWidth(std::max(arrow, ImGui::GetContentRegionAvail().x - arrow - ImGui::GetStyle().ItemSpacing.x));
    int max_index = count > 0 ? count - 1 : 0;
    ImGui::SliderInt("##value", value, 0, max_index, "%d", ImGuiSliderFlags_AlwaysClamp);
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next", ImGuiDir_Right) && *value < max_index) ++*value;
    if (!enabled) ImGui::EndDisabled();
    ImGui::PopID();
}

bool show_input_panel(Selection& selection, const InputPanelData& data) {
    ImGui::TextDisabled("INPUT");
    ImGui::TextWrapped("Type: the model re-reads the text on every edit.");
    bool edited = false;
    if (data.text) {
        float lines = 7.0f;
        ImVec2 size(-FLT_MIN, ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2);
        // A new ID per generation: an active box would otherwise keep (and write back) its old copy.
        ImGui::PushID(data.text_generation);
        edited = ImGui::InputTextMultiline("##text", data.text, size);
        ImGui::PopID();
    }
    if (data.n_ctx > 0)
        ImGui::Text("%d tokens (context %d)", data.n_token, data.n_ctx);
    else
        ImGui::Text("%d tokens", data.n_token);
    if (data.truncated)
        ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "Text cut to the first %d tokens.", data.n_ctx);

    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled("ATTENTION HEAD");
    index_stepper("layer", "layer", &selection.layer, data.n_layer);
    index_stepper("head", "head", &selection.head, data.n_head);
    if (data.n_layer > 0)
        ImGui::TextDisabled("%d layers x %d heads, counted from 0", data.n_layer, data.n_head);
    return edited;
}

}  // namespace attn
