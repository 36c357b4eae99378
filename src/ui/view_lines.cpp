// The head view (BertViz's "lines"): token columns left and right, a line per (query, key, head)
// whose opacity is the weight. Everything is ImDrawList lines and text, so the vertex count is
// budgeted here: lines under 1% are skipped and only the strongest lines that fit are drawn, because
// WebGL's backend cannot split a draw list past 65535 vertices.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/draw_text.h"
#include "ui/keep_strongest.h"
#include "ui/label_thinning.h"
#include "ui/theme.h"
#include "ui/token_hint.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

constexpr float kMinWeight = 0.01f;      // below this a line is invisible anyway (alpha < 3/255)
constexpr int kVertexBudget = 48000;     // for lines, leaving room for labels and widgets
constexpr int kMaxVertsPerLine = 8;      // AddLine's worst case (thick, anti-aliased, no texture)

// d3's category10 with its grey swapped for a light green (grey reads as "disabled" on a dark
// background), plus two light tints, so 12 heads get 12 distinct colours.
constexpr unsigned kPalette[12] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b,
                                   0xe377c2, 0x98df8a, 0xbcbd22, 0x17becf, 0xaec7e8, 0xffbb78};

// Keeps the toggles sized to the attention and following the head steppers: while one head is on,
// it moves with the selected head; with several on, the selected head is added to them.
void sync_heads(HeadToggles& t, int n_head, int selected) {
    if (static_cast<int>(t.on.size()) != n_head) {
        t.on.assign(n_head, 0);
        t.on[selected] = 1;
        t.followed = selected;
    } else if (t.followed != selected) {
        if (std::count(t.on.begin(), t.on.end(), 1) <= 1) t.on.assign(n_head, 0);
        t.on[selected] = 1;
        t.followed = selected;
    }
}

// "All heads" and one coloured checkbox per head, wrapping to the window width.
void head_checkboxes(HeadToggles& t, int selected) {
    const int H = static_cast<int>(t.on.size());
    bool all = std::count(t.on.begin(), t.on.end(), 1) == H;
    if (ImGui::Checkbox(tr_id("ui.lines.all_heads"), &all)) {
        t.on.assign(H, all ? 1 : 0);
        if (!all) t.on[selected] = 1;   // "off" means back to the default, never to an empty picture
    }
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    const ImGuiStyle& st = ImGui::GetStyle();
    for (int h = 0; h < H; ++h) {
        char label[16];
        std::snprintf(label, sizeof label, "H%d", h);
        float w = ImGui::GetFrameHeight() + st.ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
        if (ImGui::GetItemRectMax().x + st.ItemSpacing.x + w < right) ImGui::SameLine();
        ImGui::PushStyleColor(ImGuiCol_CheckMark, head_color(h));
        ImGui::PushStyleColor(ImGuiCol_FrameBg, head_color(h, 0.25f));
        bool on = t.on[h] != 0;
        if (ImGui::Checkbox(label, &on)) t.on[h] = on ? 1 : 0;
        ImGui::PopStyleColor(2);
        if (h == selected && ImGui::IsItemVisible())   // underline the stepper's head
            ImGui::GetWindowDrawList()->AddLine(ImVec2(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y),
                                                ImGui::GetItemRectMax(), head_color(h), 2.0f);
    }
}

// A picture's legend instead of the checkboxes: what opacity means and a swatch per head drawn.
void head_legend(const std::vector<char>& on) {
    ImGui::TextUnformatted(tr("ui.lines.opacity_attention_weight"));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float fs = ImGui::GetFontSize();
    for (int h = 0; h < static_cast<int>(on.size()); ++h) {
        if (!on[h]) continue;
        char label[16];
        std::snprintf(label, sizeof label, "H%d", h);
        ImGui::SameLine(0.0f, fs * 0.8f);
        ImVec2 p = ImGui::GetCursorScreenPos();
        const float y = p.y + ImGui::GetTextLineHeight() * 0.5f;
        dl->AddLine(ImVec2(p.x, y), ImVec2(p.x + fs * 1.4f, y), head_color(h), 3.0f);
        ImGui::Dummy(ImVec2(fs * 1.6f, ImGui::GetTextLineHeight()));
        ImGui::SameLine(0.0f, 0.0f);
        ImGui::TextUnformatted(label);
    }
}

}  // namespace

ImU32 head_color(int head, float alpha) {
    unsigned rgb = kPalette[((head % 12) + 12) % 12];
    int a = static_cast<int>(std::clamp(alpha, 0.0f, 1.0f) * 255.0f + 0.5f);
    return IM_COL32((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, a);
}

std::vector<AttentionLine> attention_lines(const AttentionTensor& a, int layer, const std::vector<char>& heads_on,
                                           int only_query, int only_key, float min_weight, size_t max_lines,
                                           size_t* n_dropped) {
    std::vector<AttentionLine> lines;
    if (n_dropped) *n_dropped = 0;
    if (a.empty() || layer < 0 || layer >= a.n_layer) return lines;
    const int T = a.n_query, S = a.n_key;
    const int q0 = only_query >= 0 ? only_query : 0, q1 = only_query >= 0 ? std::min(only_query + 1, T) : T;
    const int k0 = only_key >= 0 ? only_key : 0, k1 = only_key >= 0 ? std::min(only_key + 1, S) : S;
    for (int h = 0; h < a.n_head && h < static_cast<int>(heads_on.size()); ++h) {
        if (!heads_on[h]) continue;
        const float* p = a.head(layer, h);
        for (int q = q0; q < q1; ++q)
            for (int k = k0; k < k1; ++k) {
                float w = p[static_cast<size_t>(q) * S + k];
                if (w >= min_weight) lines.push_back({w, h, q, k});
            }
    }
    // Keep the strongest: they carry the picture; the faint ones would be near-invisible anyway.
    auto lighter = [](const AttentionLine& x, const AttentionLine& y) { return x.weight < y.weight; };
    keep_strongest(lines, max_lines, lighter, n_dropped);
    return lines;
}

void show_lines(Selection& sel, const LinesData& d) {
    const AttentionTensor* attn = d.attention;
    if (!attn || attn->empty() || attn->n_query == 0 || attn->n_key == 0 || !d.queries || !d.keys || !d.heads) {
        ImGui::TextDisabled("%s", tr("ui.common.attention"));
        ImGui::TextWrapped("%s", tr("ui.common.no_attention_to_show"));
        return;
    }
    selection_clamp(sel, attn->n_layer, attn->n_head);
    sync_heads(*d.heads, attn->n_head, sel.head);
    const int T = attn->n_query, S = attn->n_key;

    if (d.picture) {
        head_legend(d.heads->on);
    } else {
        ImGui::Text(tr("ui.lines.layer_lines_opacity_attention"), sel.layer);
        head_checkboxes(*d.heads, sel.head);
    }

    const ImFont* font = ImGui::GetFont();
    std::vector<std::string> qlabels = token_labels_for_font(*d.queries, T, d.piece_style, font);
    std::vector<std::string> klabels = d.keys == d.queries ? qlabels : token_labels_for_font(*d.keys, S, d.piece_style, font);
    // The looking tokens stay on the left in self and cross attention alike (BertViz's order), so
    // switching kinds never swaps the sides under the reader.
    const std::vector<std::string>& left = qlabels;
    const std::vector<std::string>& right = klabels;
    const int n_left = static_cast<int>(left.size()), n_right = static_cast<int>(right.size());
    const bool cross = d.keys != d.queries;
    const char* left_title = cross ? tr("ui.lines.looking_target") : tr("ui.lines.looking_query");
    const char* right_title = cross ? tr("ui.lines.looked_at_source") : tr("ui.lines.looked_at_key");

    // Layout: titles, then rows shared by both columns; labels thin out when rows get small.
    const float fs = ImGui::GetFontSize();
    ImGui::Spacing();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    // At least 12 lines tall: a projector font in a small window makes the view taller (the window
    // scrolls) instead of squeezing every token onto a hairline.
    const ImVec2 avail(ImGui::GetContentRegionAvail().x, std::max(ImGui::GetContentRegionAvail().y, fs * 12.0f));
    const int n_rows = std::max(n_left, n_right);
    const float title_h = fs * 1.6f;
    const float row_h = std::clamp((avail.y - title_h - fs) / n_rows, 1.0f, fs * 1.5f);
    const int step = label_step(row_h, fs * 0.9f);
    const float pad = fs * 0.5f;
    const float label_w = std::max({labels_widest(left), labels_widest(right), fs * 2.0f});
    const float gap = std::clamp(avail.x - 2.0f * (label_w + pad), fs * 4.0f, fs * 22.0f);
    const float total_w = 2.0f * (label_w + pad) + gap;
    const float x0 = origin.x + std::max(0.0f, (avail.x - total_w) * 0.5f);
    const float left_x = x0 + label_w + pad, right_x = left_x + gap;   // line ends
    const float top = origin.y + title_h;
    auto row_y = [&](int i) { return top + (i + 0.5f) * row_h; };

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImU32 accent = theme_accent();
    // Titles over the columns' outer edges, reaching into the gap when wider than the labels, so
    // "looked at (source)" never runs off the window.
    const float right_end = right_x + label_w + pad;
    const float rt_w = ImGui::CalcTextSize(right_title).x;
    dl->AddText(ImVec2(x0, origin.y), dim, left_title);
    dl->AddText(ImVec2(std::max(left_x, std::min(right_x, right_end - rt_w)), origin.y), dim, right_title);

    if (d.left_rect) *d.left_rect = {x0, top, left_x - x0, n_left * row_h};
    if (d.right_rect) *d.right_rect = {right_x, top, label_w + pad, n_right * row_h};

    // Hover: a token in either column; the shared selection says which query or key it is.
    const ImGuiIO& io = ImGui::GetIO();
    int hover_left = -1, hover_right = -1;
    if (ImGui::IsWindowHovered() && io.MousePos.y >= top) {
        int row = static_cast<int>((io.MousePos.y - top) / row_h);
        if (io.MousePos.x >= x0 && io.MousePos.x <= left_x && row < n_left) hover_left = row;
        if (io.MousePos.x >= right_x && io.MousePos.x <= right_x + label_w + pad && row < n_right) hover_right = row;
    }
    if (hover_left >= 0) sel.hover_query = hover_left;
    if (hover_right >= 0) sel.hover_key = hover_right;
    const int only_q = sel.hover_query < T ? sel.hover_query : -1;
    const int only_k = sel.hover_key < S ? sel.hover_key : -1;

    const int budget = std::max(0, kVertexBudget - dl->VtxBuffer.Size);
    size_t dropped = 0;
    std::vector<AttentionLine> lines = attention_lines(*attn, sel.layer, d.heads->on, only_q, only_k, kMinWeight,
                                                       static_cast<size_t>(budget / kMaxVertsPerLine), &dropped);
    // Per token on the far side of an isolated token: the strongest weight, shaded behind its label.
    std::vector<float> lit_left(n_left, 0.0f), lit_right(n_right, 0.0f);
    const bool isolated = only_q >= 0 || only_k >= 0;
    const float thickness = row_h >= fs * 0.9f ? 2.0f : 1.0f;
    for (const AttentionLine& l : lines) {
        const int li = l.query, ri = l.key;
        dl->AddLine(ImVec2(left_x, row_y(li)), ImVec2(right_x, row_y(ri)), head_color(l.head, l.weight), thickness);
        if (isolated) {
            lit_left[li] = std::max(lit_left[li], l.weight);
            lit_right[ri] = std::max(lit_right[ri], l.weight);
        }
    }

    // Labels after the lines so text stays readable where lines converge.
    auto draw_column = [&](const std::vector<std::string>& labels, const std::vector<float>& lit, int hovered,
                           bool is_left) {
        for (int i = 0; i < static_cast<int>(labels.size()); ++i) {
            bool hot = i == hovered;
            if (isolated && lit[i] > 0.0f && !hot && row_h >= 4.0f) {
                float a = std::min(1.0f, lit[i]) * 0.45f;
                ImVec2 r0(is_left ? x0 : right_x, top + i * row_h);
                dl->AddRectFilled(r0, ImVec2(r0.x + label_w + pad, r0.y + row_h), theme_outline(a));
            }
            if (i % step != 0 && !hot) continue;
            std::string l = label_elide(labels[i], kLabelMaxChars);
            ImVec2 size = ImGui::CalcTextSize(l.c_str());
            float x = is_left ? left_x - pad * 0.5f - size.x : right_x + pad * 0.5f;
            dl->AddText(ImVec2(x, row_y(i) - size.y * 0.5f), hot ? accent : text, l.c_str());
        }
    };
    draw_column(left, lit_left, only_q, true);
    draw_column(right, lit_right, only_k, false);

    // Hovering a token: its strongest partner in each head drawn, in words.
    if (hover_left >= 0 || hover_right >= 0) {
        const bool is_query = only_q >= 0 && hover_left >= 0;
        const int idx = is_query ? only_q : only_k;
        const std::string& name = is_query ? qlabels[idx] : klabels[idx];
        ImGui::BeginTooltip();
        ImGui::Text(tr("ui.lines.layer"), name.c_str(), is_query ? tr("ui.lines.query") : tr("ui.lines.key"), idx, sel.layer);
        show_token_hints({&name}, d.piece_style);
        int shown = 0;
        for (int h = 0; h < attn->n_head && shown < 12; ++h) {
            if (!d.heads->on[h]) continue;
            const float* p = attn->head(sel.layer, h);
            int best = 0;
            float bw = -1.0f;
            for (int j = 0; j < (is_query ? S : T); ++j) {
                float w = is_query ? p[static_cast<size_t>(idx) * S + j] : p[static_cast<size_t>(j) * S + idx];
                if (w > bw) bw = w, best = j;
            }
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(head_color(h)), tr("ui.common.h"), h);
            ImGui::SameLine();
            if (is_query)
                ImGui::Text(tr("ui.lines.looks_most_at"), klabels[best].c_str(), bw);
            else
                ImGui::Text(tr("ui.lines.looked_at_most_by"), qlabels[best].c_str(), bw);
            ++shown;
        }
        ImGui::EndTooltip();
    }

    // Tell the window how much room this took; say so when lines were left out.
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(total_w, title_h + n_rows * row_h));
    // One line of notes under the columns: skipped labels, then lines left out.
    std::string note = label_thinning_note(step);
    if (dropped > 0)
        note = notes_joined(note, trf("pictures.lines.faint_dropped", {{"n", std::to_string(dropped)}}));
    if (!note.empty()) {
        ImGui::PushTextWrapPos(0.0f);   // a narrow picture at a projector font wraps the note
        ImGui::TextDisabled("%s", note.c_str());
        ImGui::PopTextWrapPos();
        if (step > 1) widget_mark("lines_label_note");
    }
}

}  // namespace attn
