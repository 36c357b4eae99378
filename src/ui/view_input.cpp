// The input panel: the live text box (source and target boxes for encoder-decoders), the token chips
// showing how the text was split, the attention kind selector and the layer/head steppers. It edits
// the text and the selection; running the model on the new text is the app's job, not this view's.
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "imgui_stdlib.h"
#include "ui/draw_text.h"
#include "ui/theme.h"
#include "ui/token_hint.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

// The tokens as small framed chips that wrap to the panel width, in a scrolling box of a few lines.
// Hovering a chip sets the shared hover (its row and/or column light up in the heatmap and its lines
// in the head view); clicking one pins it. `as_query` / `as_key`: whether this sequence gives the
// shown attention's rows / columns (BART's source is neither in the decoder's self attention).
static void token_chips(const char* id, Selection& sel, const TokenSeq& tokens, PieceStyle style, bool as_query,
                        bool as_key, std::vector<std::array<float, 4>>* rects) {
    if (rects) rects->clear();
    const int n = tokens.size();
    if (n == 0) return;
    const float fs = ImGui::GetFontSize();
    const ImVec2 pad(fs * 0.25f, fs * 0.08f);
    const float gap = fs * 0.2f, chip_h = fs + pad.y * 2;
    const float width = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize;
    std::vector<std::string> labels = token_labels_for_font(tokens, n, style, ImGui::GetFont());
    // Lay out first (the box's height depends on how many lines the chips take), then draw.
    std::vector<ImVec2> pos(static_cast<size_t>(n)), size(static_cast<size_t>(n));
    float x = 0.0f, y = 0.0f;
    for (int i = 0; i < n; ++i) {
        labels[static_cast<size_t>(i)] = label_elide(labels[static_cast<size_t>(i)], kLabelMaxChars);
        ImVec2 ts = ImGui::CalcTextSize(labels[static_cast<size_t>(i)].c_str());
        ImVec2 cs(std::min(ts.x + pad.x * 2, width), chip_h);
        if (x > 0.0f && x + cs.x > width) {
            x = 0.0f;
            y += chip_h + gap;
        }
        pos[static_cast<size_t>(i)] = ImVec2(x, y);
        size[static_cast<size_t>(i)] = cs;
        x += cs.x + gap;
    }
    const float content_h = y + chip_h;
    const float box_h = std::min(content_h, (chip_h + gap) * 6.0f) + ImGui::GetStyle().WindowPadding.y;
    ImGui::BeginChild(id, ImVec2(0, box_h), false);
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), frame = ImGui::GetColorU32(ImGuiCol_FrameBg);
    const ImU32 border = ImGui::GetColorU32(ImGuiCol_Border), accent = theme_accent();
    for (int i = 0; i < n; ++i) {
        const size_t k = static_cast<size_t>(i);
        ImVec2 p0(origin.x + pos[k].x, origin.y + pos[k].y), p1(p0.x + size[k].x, p0.y + size[k].y);
        ImGui::SetCursorScreenPos(p0);
        ImGui::PushID(i);
        ImGui::InvisibleButton("##chip", size[k]);
        ImGui::PopID();
        if (rects) rects->push_back({p0.x, p0.y, size[k].x, size[k].y});
        const bool hovered = ImGui::IsItemHovered();
        if (hovered) {
            if (as_query) sel.hover_query = i;
            if (as_key) sel.hover_key = i;
            ImGui::BeginTooltip();
            const std::string piece = k < tokens.pieces.size() ? tokens.pieces[k] : "";
            ImGui::Text("'%s'", label_for_font(token_label(piece, style), ImGui::GetFont()).c_str());
            ImGui::TextDisabled("id %d, position %d", tokens.ids[k], i);
            // The raw piece as the tokenizer spells it ("Ġthe"), escaped where the font has no glyph.
            ImGui::TextDisabled("piece: %s", label_for_font(piece, ImGui::GetFont()).c_str());
            show_token_hints({&labels[k]}, style);
            if (as_query) ImGui::TextDisabled(sel.pinned_query == i ? "click to unpin" : "click to pin");
            ImGui::EndTooltip();
        }
        if (as_query && ImGui::IsItemClicked(ImGuiMouseButton_Left)) selection_toggle_pin(sel, i);
        const bool pinned = as_query && sel.pinned_query == i;
        dl->AddRectFilled(p0, p1, hovered ? ImGui::GetColorU32(ImGuiCol_FrameBgHovered) : frame, 3.0f);
        dl->AddRect(p0, p1, pinned ? accent : border, 3.0f, 0, pinned ? 2.0f : 1.0f);
        const ImVec4 clip(p0.x, p0.y, p1.x - pad.x * 0.5f, p1.y);   // a label wider than the panel is cut
        dl->AddText(ImGui::GetFont(), fs, ImVec2(p0.x + pad.x, p0.y + pad.y), pinned ? accent : text, labels[k].c_str(),
                    nullptr, 0.0f, &clip);
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(width, content_h));
    ImGui::EndChild();
}

// [<] slider [>] for an index in [0, count).
static void index_stepper(const char* id, const char* label, int* value, int count) {
    ImGui::PushID(id);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::SameLine(ImGui::GetFontSize() * 3.5f);
    bool enabled = count > 1;
    if (!enabled) ImGui::BeginDisabled();
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left) && *value > 0) --*value;
    widget_mark(std::string(id) + "_prev");
    ImGui::SameLine();
    float arrow = ImGui::GetFrameHeight();
    ImGui::SetNextItemWidth(std::max(arrow, ImGui::GetContentRegionAvail().x - arrow - ImGui::GetStyle().ItemSpacing.x));
    int max_index = count > 0 ? count - 1 : 0;
    ImGui::SliderInt("##value", value, 0, max_index, "%d", ImGuiSliderFlags_AlwaysClamp);
    widget_mark(std::string(id) + "_slider");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next", ImGuiDir_Right) && *value < max_index) ++*value;
    widget_mark(std::string(id) + "_next");
    if (!enabled) ImGui::EndDisabled();
    ImGui::PopID();
}

// A multi-line box; a new ID per generation, or an active box would keep (and write back) its old copy.
static bool text_box(const char* id, std::string* text, int generation, float lines) {
    ImVec2 size(-FLT_MIN, ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2);
    ImGui::PushID(id);
    ImGui::PushID(generation);
    bool edited = ImGui::InputTextMultiline("##text", text, size);
    widget_mark(std::string(id) + "_box");
    ImGui::PopID();
    ImGui::PopID();
    return edited;
}

int show_input_panel(Selection& selection, const InputPanelData& data) {
    ImGui::TextDisabled("INPUT");
    if (data.chip_rects) data.chip_rects->clear();   // stays empty when there are no tokens to chip
    if (data.target_chip_rects) data.target_chip_rects->clear();
    int edits = 0;
    const bool seq2seq = data.target != nullptr;
    if (seq2seq) {
        ImGui::TextWrapped("Source (the encoder reads it):");
        if (data.text && text_box("source", data.text, data.text_generation, 4.0f)) edits |= input_edited_text;
        ImGui::Text("%d source tokens", data.n_token);
        if (data.tokens)
            token_chips("##source_chips", selection, *data.tokens, data.piece_style,
                        selection.kind == AttentionKind::self, selection.kind != AttentionKind::decoder, data.chip_rects);
        ImGui::TextWrapped("Target (the decoder writes it):");
        if (text_box("target", data.target, data.target_generation, 3.0f)) edits |= input_edited_target;
        ImGui::Text("%d target tokens (with the 2 start tokens)", data.n_target_token);
        if (data.target_tokens)
            token_chips("##target_chips", selection, *data.target_tokens, data.piece_style,
                        selection.kind != AttentionKind::self, selection.kind == AttentionKind::decoder,
                        data.target_chip_rects);
    } else {
        ImGui::TextWrapped("Type: the model re-reads the text on every edit.");
        if (data.text && text_box("text", data.text, data.text_generation, 7.0f)) edits |= input_edited_text;
        if (data.n_ctx > 0)
            ImGui::Text("%d tokens (context %d)", data.n_token, data.n_ctx);
        else
            ImGui::Text("%d tokens", data.n_token);
        if (data.tokens) token_chips("##chips", selection, *data.tokens, data.piece_style, true, true, data.chip_rects);
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
        // Short labels fit the panel at projector fonts; the hover says what each one is.
        ImGui::RadioButton("encoder self", &kind, static_cast<int>(AttentionKind::self));
        widget_mark("kind_self");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("the source looks at the source");
        ImGui::RadioButton("decoder self", &kind, static_cast<int>(AttentionKind::decoder));
        widget_mark("kind_decoder");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("the target looks at the target so far (causal)");
        ImGui::RadioButton("cross", &kind, static_cast<int>(AttentionKind::cross));
        widget_mark("kind_cross");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("the target looks at the source");
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
    if (data.rect && !open) *data.rect = last_item_rect();   // once open, the last item is the popup, not the combo
    if (data.item_rects) data.item_rects->clear();
    if (open) {
        for (const std::string& name : *data.models) {
            if (ImGui::Selectable(name.c_str(), name == data.current)) picked = name;
            if (data.item_rects) data.item_rects->push_back(last_item_rect());
        }
        ImGui::EndCombo();
    }
    return picked == data.current ? "" : picked;
}

}  // namespace attn
