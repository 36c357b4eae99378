// The input panel: the live text box (source and target boxes for encoder-decoders), the attention
// kind selector and the layer/head steppers. It edits the text and the selection; running the model
// on the new text is the app's job, not this view's.
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/theme.h"
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

// A multi-line box; a new ID per generation, or an active box would keep (and write back) its old copy.
static bool text_box(const char* id, std::string* text, int generation, float lines) {
    ImVec2 size(-FLT_MIN, ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2);
    ImGui::PushID(id);
    ImGui::PushID(generation);
    bool edited = ImGui::InputTextMultiline("##text", text, size);
    ImGui::PopID();
    ImGui::PopID();
    return edited;
}

int show_input_panel(Selection& selection, const InputPanelData& data) {
    ImGui::TextDisabled("INPUT");
    int edits = 0;
    const bool seq2seq = data.target != nullptr;
    if (seq2seq) {
        ImGui::TextWrapped("Source (the encoder reads it):");
        if (data.text && text_box("source", data.text, data.text_generation, 4.0f)) edits |= input_edited_text;
        ImGui::Text("%d source tokens", data.n_token);
        ImGui::TextWrapped("Target (the decoder writes it):");
        if (text_box("target", data.target, data.target_generation, 3.0f)) edits |= input_edited_target;
        ImGui::Text("%d target tokens (with the 2 start tokens)", data.n_target_token);
    } else {
        ImGui::TextWrapped("Type: the model re-reads the text on every edit.");
        if (data.text && text_box("text", data.text, data.text_generation, 7.0f)) edits |= input_edited_text;
        if (data.n_ctx > 0)
            ImGui::Text("%d tokens (context %d)", data.n_token, data.n_ctx);
        else
            ImGui::Text("%d tokens", data.n_token);
        if (data.has_mask_token)
            ImGui::TextDisabled("Put %s in the text to see what the model would fill in.", data.mask_token);
    }
    if (data.truncated)
        ImGui::TextColored(theme_warning(), "Text cut to the first %d tokens.", data.n_ctx);

    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled("ATTENTION");
    if (seq2seq) {
        // One radio per kind, in the order the data flows: source, target, then target -> source.
        int kind = static_cast<int>(selection.kind);
        ImGui::RadioButton("encoder self (source)", &kind, static_cast<int>(AttentionKind::self));
        ImGui::RadioButton("decoder self (causal, target)", &kind, static_cast<int>(AttentionKind::decoder));
        ImGui::RadioButton("cross (target looks at source)", &kind, static_cast<int>(AttentionKind::cross));
        selection.kind = static_cast<AttentionKind>(kind);
    }
    index_stepper("layer", "layer", &selection.layer, data.n_layer);
    index_stepper("head", "head", &selection.head, data.n_head);
    if (data.n_layer > 0)
        ImGui::TextDisabled("%d layers x %d heads, counted from 0", data.n_layer, data.n_head);
    return edits;
}

std::string show_model_picker(const ModelPickerData& data) {
    if (!data.models || data.models->empty()) return "";
    std::string picked;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("model");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(data.width > 0.0f ? data.width : -FLT_MIN);
    bool open = ImGui::BeginCombo("##model", data.current.empty() ? "(none)" : data.current.c_str());
    auto rect = [] {
        ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        return std::array<float, 4>{a.x, a.y, b.x - a.x, b.y - a.y};
    };
    if (data.rect && !open) *data.rect = rect();   // once open, the last item is the popup, not the combo
    if (data.item_rects) data.item_rects->clear();
    if (open) {
        for (const std::string& name : *data.models) {
            if (ImGui::Selectable(name.c_str(), name == data.current)) picked = name;
            if (data.item_rects) data.item_rects->push_back(rect());
        }
        ImGui::EndCombo();
    }
    return picked == data.current ? "" : picked;
}

}  // namespace attn
