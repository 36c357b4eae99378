// The input panel: the live text box (source and target boxes for encoder-decoders), the token chips
// showing how the text was split, the attention kind selector and the layer/head steppers. It edits
// the text and the selection; running the model on the new text is the app's job, not this view's.
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "imgui_stdlib.h"
#include "ui/draw_text.h"
#include "ui/theme.h"
#include "ui/token_chars.h"
#include "ui/token_hint.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

// The tokens as small framed chips that wrap to the panel width, in a scrolling box of a few lines.
// Hovering a chip sets the shared hover (its row and/or column light up in the heatmap and its lines
// in the head view); clicking one pins it. `as_query` / `as_key`: whether this sequence gives the
// shown attention's rows / columns (BART's source is neither in the decoder's self attention).
// `cut_after`: the text went on past the last chip (the context cut it); a ✂ marker says so.
static void token_chips(const char* id, Selection& sel, const TokenSeq& tokens, PieceStyle style, bool as_query,
                        bool as_key, std::vector<std::array<float, 4>>* rects, bool cut_after = false) {
    if (rects) rects->clear();
    const int n = tokens.size();
    if (n == 0) return;
    const float fs = ImGui::GetFontSize();
    const ImVec2 pad(fs * 0.25f, fs * 0.08f);
    const std::shared_ptr<const std::vector<TokenChars>> kept = token_chars_kept(tokens, style);
    const std::vector<TokenChars>& chars = *kept;
    bool any_split = false;
    for (const TokenChars& c : chars) any_split |= c.joins_next;
    // Room under each row for the bracket that ties the pieces of one split character together.
    const float gap = fs * (any_split ? 0.45f : 0.2f), chip_h = fs + pad.y * 2;
    const float width = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize;
    std::vector<std::string> labels = token_labels_for_font(tokens, n, style, ImGui::GetFont());
    // Lay out first (the box's height depends on how many lines the chips take), then draw.
    std::vector<ImVec2> pos(static_cast<size_t>(n)), size(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        labels[static_cast<size_t>(i)] = label_elide(labels[static_cast<size_t>(i)], kLabelMaxChars);
        ImVec2 ts = ImGui::CalcTextSize(labels[static_cast<size_t>(i)].c_str());
        size[static_cast<size_t>(i)] = ImVec2(std::min(ts.x + pad.x * 2, width), chip_h);
    }
    auto joins_next = [&chars](int i) { return i < static_cast<int>(chars.size()) && chars[static_cast<size_t>(i)].joins_next; };
    float x = 0.0f, y = 0.0f;
    for (int i = 0; i < n; ++i) {
        const ImVec2 cs = size[static_cast<size_t>(i)];
        // The pieces of one split character wrap together when they fit on a row.
        float run = cs.x;
        if (i == 0 || !joins_next(i - 1))
            for (int j = i; joins_next(j) && j + 1 < n; ++j) run += gap + size[static_cast<size_t>(j + 1)].x;
        if (x > 0.0f && (x + cs.x > width || (run <= width && x + run > width))) {
            x = 0.0f;
            y += chip_h + gap;
        }
        pos[static_cast<size_t>(i)] = ImVec2(x, y);
        x += cs.x + gap;
    }
    const std::string cut_label = label_for_font(tr("ui.input.cut"), ImGui::GetFont());   // ✂
    ImVec2 cut_pos(x, y), cut_size(ImGui::CalcTextSize(cut_label.c_str()).x + pad.x * 2, chip_h);
    if (cut_after && x > 0.0f && x + cut_size.x > width) cut_pos = ImVec2(0.0f, y += chip_h + gap);
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
        if (rects) rects->push_back({p0.x, p0.y, size[k].x, size[k].y});
        // The box shows six rows of chips: the others (most of a 1,024-token text) are neither hit-tested
        // nor drawn, and the Dummy below still gives the box its whole height to scroll.
        if (!ImGui::IsRectVisible(p0, ImVec2(p1.x + gap, p1.y + gap))) continue;
        ImGui::SetCursorScreenPos(p0);
        ImGui::PushID(i);
        ImGui::InvisibleButton("##chip", size[k]);
        ImGui::PopID();
        const bool hovered = ImGui::IsItemHovered();
        if (hovered) {
            if (as_query) sel.hover_query = i;
            if (as_key) sel.hover_key = i;
            ImGui::BeginTooltip();
            const std::string piece = k < tokens.pieces.size() ? tokens.pieces[k] : "";
            ImGui::Text("'%s'", label_for_font(k < chars.size() ? chars[k].label : "", ImGui::GetFont()).c_str());
            ImGui::TextDisabled(tr("ui.common.id_position"), tokens.ids[k], i);
            if (k < chars.size())   // the character(s) behind the piece, with their bytes
                for (const std::string& line : token_chars_describe(chars[k]))
                    ImGui::TextUnformatted(label_for_font(line, ImGui::GetFont()).c_str());
            // The raw piece as the tokenizer spells it ("Ġthe"), escaped where the font has no glyph.
            ImGui::TextDisabled(tr("ui.input.piece"), label_for_font(piece, ImGui::GetFont()).c_str());
            show_token_hints({&labels[k]}, style);
            if (as_query) ImGui::TextDisabled(sel.pinned_query == i ? tr("ui.common.click_to_unpin") : tr("ui.input.click_to_pin"));
            ImGui::EndTooltip();
        }
        if (as_query && ImGui::IsItemClicked(ImGuiMouseButton_Left)) selection_toggle_pin(sel, i);
        const bool pinned = as_query && sel.pinned_query == i;
        dl->AddRectFilled(p0, p1, hovered ? ImGui::GetColorU32(ImGuiCol_FrameBgHovered) : frame, 3.0f);
        dl->AddRect(p0, p1, pinned ? accent : border, 3.0f, 0, pinned ? 2.0f : 1.0f);
        const ImVec4 clip(p0.x, p0.y, p1.x - pad.x * 0.5f, p1.y);   // a label wider than the panel is cut
        dl->AddText(ImGui::GetFont(), fs, ImVec2(p0.x + pad.x, p0.y + pad.y), pinned ? accent : text, labels[k].c_str(),
                    nullptr, 0.0f, &clip);
        if (k < chars.size() && (chars[k].joins_prev || chars[k].joins_next)) {
            // One bracket under the chips of a split character: ends turned up where the character
            // starts and stops, the line carried across the gap to the next chip on the same row.
            const bool next_same_row = k + 1 < pos.size() && pos[k + 1].y == pos[k].y;
            const float by = p1.y + gap * 0.55f, tick = gap * 0.45f, thick = std::max(1.5f, fs * 0.1f);
            const float x1 = chars[k].joins_next && next_same_row ? p1.x + gap : p1.x - 1.0f;
            const ImU32 bracket = hovered ? text : ImGui::GetColorU32(ImGuiCol_TextDisabled);
            dl->AddLine(ImVec2(p0.x + 1.0f, by), ImVec2(x1, by), bracket, thick);
            if (!chars[k].joins_prev) dl->AddLine(ImVec2(p0.x + 1.0f, by), ImVec2(p0.x + 1.0f, by - tick), bracket, thick);
            if (!chars[k].joins_next) dl->AddLine(ImVec2(p1.x - 1.0f, by), ImVec2(p1.x - 1.0f, by - tick), bracket, thick);
        }
    }
    if (cut_after) {
        ImVec2 p0(origin.x + cut_pos.x, origin.y + cut_pos.y), p1(p0.x + cut_size.x, p0.y + cut_size.y);
        ImGui::SetCursorScreenPos(p0);
        ImGui::InvisibleButton("##cut", cut_size);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(tr("ui.input.the_text_goes_on"), n);
        dl->AddRect(p0, p1, ImGui::ColorConvertFloat4ToU32(theme_warning()), 3.0f);
        dl->AddText(ImVec2(p0.x + pad.x, p0.y + pad.y), ImGui::ColorConvertFloat4ToU32(theme_warning()), cut_label.c_str());
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
// On the page an HTML text area takes its place (input methods, clipboard, wrap): only its space is
// kept here, and where it is, with the part the panel shows (the panel may scroll it out of sight).
static bool text_box(const char* id, std::string* text, int generation, float lines, bool html,
                     std::array<float, 4>* rect, std::array<float, 4>* visible) {
    ImVec2 size(-FLT_MIN, ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2);
    ImGui::PushID(id);
    ImGui::PushID(generation);
    bool edited = false;
    if (html)
        ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x, size.y));
    else
        edited = ImGui::InputTextMultiline("##text", text, size);
    widget_mark(std::string(id) + "_box");
    ImGui::PopID();
    ImGui::PopID();
    if (rect) *rect = last_item_rect();
    if (visible) {
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
        ImVec2 c0 = dl->GetClipRectMin(), c1 = dl->GetClipRectMax();
        const float x0 = std::max(r0.x, c0.x), y0 = std::max(r0.y, c0.y), x1 = std::min(r1.x, c1.x), y1 = std::min(r1.y, c1.y);
        *visible = x1 > x0 && y1 > y0 ? std::array<float, 4>{x0, y0, x1 - x0, y1 - y0} : std::array<float, 4>{};
    }
    return edited;
}

// "Text cut to the first 64 of 600 tokens: the model reads up to '…the street'."
static void cut_notice(const InputPanelData& data) {
    if (data.n_text_tokens > data.n_ctx && data.n_ctx > 0) {
        ImGui::PushStyleColor(ImGuiCol_Text, theme_warning());
        ImGui::TextWrapped(tr("ui.input.text_cut_to_the"),
                           data.n_ctx, data.n_text_tokens, data.cut_quote.c_str());
        ImGui::PopStyleColor();
    }
}

std::array<float, 4> show_empty_text_hint(bool seq2seq) {
    ImGui::Spacing();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 30.0f));
    ImGui::TextUnformatted(seq2seq ? tr("ui.input.type_a_sentence_in")
                                   : tr("ui.input.type_a_sentence_in_2"));
    std::array<float, 4> rect = last_item_rect();
    ImGui::TextDisabled("%s", tr("ui.input.every_edit_runs_the"));
    ImGui::PopTextWrapPos();
    return rect;
}

int show_input_panel(Selection& selection, const InputPanelData& data) {
    ImGui::TextDisabled("%s", tr("ui.input.input"));
    if (data.chip_rects) data.chip_rects->clear();   // stays empty when there are no tokens to chip
    if (data.target_chip_rects) data.target_chip_rects->clear();
    int edits = 0;
    const bool seq2seq = data.target != nullptr;
    if (seq2seq) {
        ImGui::TextWrapped("%s", tr("ui.input.source_the_encoder_reads"));
        if (data.text && text_box("source", data.text, data.text_generation, 4.0f, data.html_text_boxes, data.text_rect,
                                  data.text_visible))
            edits |= input_edited_text;
        ImGui::Text(tr("ui.input.source_tokens"), data.n_token);
        cut_notice(data);
        if (data.tokens)
            token_chips("##source_chips", selection, *data.tokens, data.piece_style,
                        selection.kind == AttentionKind::self, selection.kind != AttentionKind::decoder, data.chip_rects,
                        data.n_text_tokens > data.n_ctx && data.n_ctx > 0);
        ImGui::TextWrapped("%s", tr("ui.input.target_the_decoder_writes"));
        if (text_box("target", data.target, data.target_generation, 3.0f, data.html_text_boxes, data.target_rect,
                     data.target_visible))
            edits |= input_edited_target;
        ImGui::Text(tr("ui.input.target_tokens_with_the"), data.n_target_token);
        if (data.target_tokens)
            token_chips("##target_chips", selection, *data.target_tokens, data.piece_style,
                        selection.kind != AttentionKind::self, selection.kind == AttentionKind::decoder,
                        data.target_chip_rects);
    } else {
        ImGui::TextWrapped("%s", tr("ui.input.type_the_model_re"));
        if (data.text && text_box("text", data.text, data.text_generation, 7.0f, data.html_text_boxes, data.text_rect,
                                  data.text_visible))
            edits |= input_edited_text;
        if (data.n_ctx > 0)
            ImGui::Text(tr("ui.input.tokens_context"), data.n_token, data.n_ctx);
        else
            ImGui::Text(tr("ui.input.tokens"), data.n_token);
        cut_notice(data);
        if (data.tokens)
            token_chips("##chips", selection, *data.tokens, data.piece_style, true, true, data.chip_rects,
                        data.n_text_tokens > data.n_ctx && data.n_ctx > 0);
        if (data.has_mask_token)
            ImGui::TextDisabled(tr("ui.input.put_in_the_text"), data.mask_token);
    }
    if (data.truncated && data.n_text_tokens <= data.n_ctx)   // Next token past the context, or BART's target
        ImGui::TextColored(theme_warning(), tr("ui.input.cut_to_the_first"), seq2seq ? tr("ui.input.target") : tr("ui.input.text"), data.n_ctx);

    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled("%s", tr("ui.common.attention"));
    if (seq2seq) {
        // One radio per kind, in the order the data flows: source, target, then target -> source.
        int kind = static_cast<int>(selection.kind);
        // Short labels fit the panel at projector fonts; the hover says what each one is.
        ImGui::RadioButton(tr_id("ui.input.encoder_self"), &kind, static_cast<int>(AttentionKind::self));
        widget_mark("kind_self");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.input.the_source_looks_at"));
        ImGui::RadioButton(tr_id("ui.input.decoder_self"), &kind, static_cast<int>(AttentionKind::decoder));
        widget_mark("kind_decoder");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.input.the_target_looks_at"));
        ImGui::RadioButton(tr_id("ui.input.cross"), &kind, static_cast<int>(AttentionKind::cross));
        widget_mark("kind_cross");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.input.the_target_looks_at_2"));
        selection.kind = static_cast<AttentionKind>(kind);
    }
    index_stepper("layer", tr("ui.input.layer_stepper"), &selection.layer, data.n_layer);
    index_stepper("head", tr("ui.input.head_stepper"), &selection.head, data.n_head);
    if (data.n_layer > 0)
        ImGui::TextDisabled(tr("ui.input.layers_x_heads_counted"), data.n_layer, data.n_head);
    return edits;
}

std::string show_model_picker(const ModelPickerData& data) {
    if (!data.models || data.models->empty()) return "";
    std::string picked;
    // No "model" caption: the names say what the box is, and its width keeps the toolbar on one row
    // at a projector font (the hover names it).
    ImGui::SetNextItemWidth(data.width > 0.0f ? data.width : -FLT_MIN);
    // Random weights are named beside the model, so nobody reads meaning into a test model's patterns.
    auto is_random = [&](const std::string& name) {
        return data.random && std::find(data.random->begin(), data.random->end(), name) != data.random->end();
    };
    const std::string preview = data.current.empty() ? tr("ui.input.none")
                                : data.current_random ? data.current + tr("ui.input.random") : data.current;
    // Tall enough for the zoo, its heading and the fixtures without scrolling.
    bool open = ImGui::BeginCombo("##model", preview.c_str(), ImGuiComboFlags_HeightLarge);
    if (!open && ImGui::IsItemHovered())
        ImGui::SetTooltip(data.current_random ? tr("ui.input.model_random_weights_patterns")
                                              : tr("ui.input.model_pick_another_bundled"));
    if (data.rect && !open) *data.rect = last_item_rect();   // once open, the last item is the popup, not the combo
    if (data.item_rects) data.item_rects->clear();
    if (open) {
        bool heading = false;
        for (size_t i = 0; i < data.models->size(); ++i) {
            const std::string& name = (*data.models)[i];
            const bool random = is_random(name);
            if (random && !heading && i > 0) {   // trained models above, fixtures apart: nobody mistakes one for the other
                heading = true;
                ImGui::Separator();
                ImGui::TextDisabled("%s", tr("ui.input.test_models"));
            }
            const std::string& text = data.labels && i < data.labels->size() && !(*data.labels)[i].empty() ? (*data.labels)[i] : name;
            const std::string label = random ? text + tr("ui.input.random_weights") + name : text + "##" + name;
            if (ImGui::Selectable(label.c_str(), name == data.current)) picked = name;
            if (data.item_rects) data.item_rects->push_back(last_item_rect());
        }
        ImGui::EndCombo();
    }
    return picked == data.current ? "" : picked;
}

}  // namespace attn
