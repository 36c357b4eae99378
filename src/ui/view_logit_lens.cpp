// The logit lens: what each residual-stream state would predict if the model stopped there. Rows are
// states (embeddings at the bottom, the model's own output on top, as the flow view stacks layers),
// columns positions; each cell shows its top token shaded by its probability. Draw-list only.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/analysis_views.h"
#include "ui/colormap.h"
#include "ui/draw_text.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

// "emb", "L0", ...: row r of the full lens is the state entering layer r (r = 0: the embeddings), the
// last row the model's logits. The after-attention lens has one row per layer: inside layer r.
std::string state_name(int r, int n_rows, bool mid) {
    if (mid) return trf("pictures.lens.attention", {{"layer", std::to_string(r)}});
    if (r == n_rows - 1) return tr("pictures.lens.output");
    return r == 0 ? tr("pictures.lens.embed") : trf("pictures.lens.after_layer", {{"layer", std::to_string(r - 1)}});
}

ImU32 text_on_prob(float p) { return p > 0.55f ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255); }

}  // namespace

void show_logit_lens(Selection& sel, const LensData& d) {
    const LogitLens* lens = d.lens;
    if (d.grid_rect) *d.grid_rect = {};
    const bool have = lens && lens->n_state > 0 && lens->n_token > 0 && lens->top_k > 0 &&
                      lens->topk_ids.size() == static_cast<size_t>(lens->n_state) * lens->n_token * lens->top_k;
    if (!have) {
        ImGui::TextDisabled("%s", d.hint.empty() ? tr("ui.logit_lens.no_logit_lens_yet") : d.hint.c_str());
        return;
    }
    const bool has_mid = !lens->mid_topk_ids.empty();
    bool mid = d.after_attention && *d.after_attention && has_mid;
    if (d.after_attention && has_mid) {
        ImGui::Checkbox(tr_id("ui.logit_lens.after_attention_before_the"), d.after_attention);
        widget_mark("lens_mid");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("ui.logit_lens.apply_the_final_norm"));
        mid = *d.after_attention;
    }
    const int T = lens->n_token, k = lens->top_k;
    const int rows = mid ? lens->n_state - 1 : lens->n_state;
    const std::vector<int32_t>& ids = mid ? lens->mid_topk_ids : lens->topk_ids;
    const std::vector<float>& probs = mid ? lens->mid_topk_probs : lens->topk_probs;
    auto cell = [&](int r, int t, int j) { return (static_cast<size_t>(r) * T + t) * k + j; };

    const float fs = ImGui::GetFontSize();
    std::vector<std::string> labels = token_labels_for_font(*d.tokens, T, d.piece_style, ImGui::GetFont());
    const float row_label_w = ImGui::CalcTextSize(tr("ui.activations.after_l")).x + fs * 0.6f;
    const bool rank_line = !mid && lens->target_rank.size() == static_cast<size_t>(lens->n_state);
    const float rank_w = rank_line ? std::min(fs * 7.0f, ImGui::GetContentRegionAvail().x * 0.25f) : 0.0f;
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float col_label_h = fs * 1.4f;
    const float cell_w = std::max(3.0f, (avail.x - row_label_w - rank_w - fs) / T);
    const float cell_h = std::clamp((avail.y - col_label_h - fs * 3.0f) / rows, fs * 1.3f, fs * 2.4f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 grid(origin.x + row_label_w, origin.y);
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    const Colormap cmap = sel.colormap;
    // Row r drawn at y from the bottom: the embeddings lowest, as the residual stream rises.
    auto row_y = [&](int r) { return grid.y + (rows - 1 - r) * cell_h; };
    for (int r = 0; r < rows; ++r) {
        const std::string name = state_name(r, rows, mid);
        const ImVec2 ns = ImGui::CalcTextSize(name.c_str());
        dl->AddText(ImVec2(grid.x - fs * 0.3f - ns.x, row_y(r) + (cell_h - ns.y) * 0.5f), text, name.c_str());
        for (int t = 0; t < T; ++t) {
            const float p = probs[cell(r, t, 0)];
            const ImVec2 a(grid.x + t * cell_w, row_y(r)), b(a.x + cell_w - 1.0f, a.y + cell_h - 1.0f);
            dl->AddRectFilled(a, b, colormap_color(colormap_table(cmap), p));
            if (cell_w > fs * 1.8f) {
                const int chars = std::max(1, static_cast<int>(cell_w / (fs * 0.55f)) - 1);
                std::string top = d.piece_of ? label_elide(label_for_font(token_label(d.piece_of(ids[cell(r, t, 0)]),
                                                                                      d.piece_style),
                                                                          ImGui::GetFont()),
                                                           chars)
                                             : std::to_string(ids[cell(r, t, 0)]);
                dl->PushClipRect(a, b, true);
                dl->AddText(ImVec2(a.x + fs * 0.15f, a.y + (cell_h - fs) * 0.5f), text_on_prob(p), top.c_str());
                dl->PopClipRect();
            }
        }
    }
    // The scored position's column and the hovered one.
    auto mark_column = [&](int t, ImU32 col) {
        if (t < 0 || t >= T) return;
        dl->AddRect(ImVec2(grid.x + t * cell_w, grid.y), ImVec2(grid.x + (t + 1) * cell_w - 1.0f, grid.y + rows * cell_h),
                    col, 0.0f, 0, 2.0f);
    };
    mark_column(d.position, theme_accent());
    if (sel.hover_query != d.position) mark_column(sel.hover_query, theme_outline(0.6f));
    for (int t = 0; t < T; ++t) {
        const std::string l = label_elide(labels[static_cast<size_t>(t)], std::max(1, static_cast<int>(cell_w / (fs * 0.55f))));
        dl->PushClipRect(ImVec2(grid.x + t * cell_w, grid.y), ImVec2(grid.x + (t + 1) * cell_w, grid.y + rows * cell_h + col_label_h), true);
        dl->AddText(ImVec2(grid.x + t * cell_w + fs * 0.15f, grid.y + rows * cell_h + fs * 0.2f),
                    t == d.position ? theme_accent() : text, l.c_str());
        dl->PopClipRect();
    }
    ImGui::SetCursorScreenPos(grid);
    ImGui::InvisibleButton("lens_cells", ImVec2(std::max(1.0f, T * cell_w), std::max(1.0f, rows * cell_h)));
    if (d.grid_rect) *d.grid_rect = last_item_rect();
    widget_mark("lens_grid");
    if (ImGui::IsItemHovered()) {
        const ImVec2 mp = ImGui::GetIO().MousePos;
        const int t = static_cast<int>((mp.x - grid.x) / cell_w);
        const int r = rows - 1 - static_cast<int>((mp.y - grid.y) / cell_h);
        if (t >= 0 && t < T && r >= 0 && r < rows) {
            sel.hover_query = t;
            ImGui::BeginTooltip();
            ImGui::Text(tr("ui.logit_lens.position_the_most_likely"), labels[static_cast<size_t>(t)].c_str(), t,
                        state_name(r, rows, mid).c_str(), k);
            for (int j = 0; j < k; ++j) {
                const int32_t id = ids[cell(r, t, j)];
                const std::string piece =
                    d.piece_of ? label_for_font(token_label(d.piece_of(id), d.piece_style), ImGui::GetFont()) : "";
                ImGui::Text(tr("ui.logit_lens.id"), probs[cell(r, t, j)] * 100.0f, piece.c_str(), id);
            }
            ImGui::EndTooltip();
        }
    }
    // The final prediction's rank per state, as a line beside the rows (log scale: rank 0 at the right).
    if (rank_line) {
        const float x0 = grid.x + T * cell_w + fs * 0.8f, x1 = x0 + rank_w - fs * 1.5f;
        int worst = 1;
        for (int32_t r : lens->target_rank) worst = std::max(worst, static_cast<int>(r));
        const float lmax = std::log1p(static_cast<float>(worst));
        auto px = [&](int rank) { return x1 - (x1 - x0) * (lmax > 0.0f ? std::log1p(static_cast<float>(rank)) / lmax : 0.0f); };
        dl->AddLine(ImVec2(x1, grid.y), ImVec2(x1, grid.y + rows * cell_h), theme_outline(0.3f));
        ImVec2 prev;
        for (int r = 0; r < rows; ++r) {
            const ImVec2 p(px(lens->target_rank[static_cast<size_t>(r)]), row_y(r) + cell_h * 0.5f);
            if (r > 0) dl->AddLine(prev, p, theme_accent(), 2.0f);
            dl->AddCircleFilled(p, fs * 0.22f, theme_accent());
            char rank[16];
            std::snprintf(rank, sizeof rank, "#%d", lens->target_rank[static_cast<size_t>(r)] + 1);
            dl->AddText(ImVec2(x1 + fs * 0.2f, p.y - fs * 0.5f), text, rank);
            prev = p;
        }
        dl->AddText(ImVec2(x0 - fs * 0.4f, grid.y + rows * cell_h + fs * 0.2f), text, tr("ui.logit_lens.rank_of"));
        dl->AddText(ImVec2(x0 - fs * 0.4f, grid.y + rows * cell_h + fs * 1.2f), theme_accent(),
                    label_elide("'" + d.target_label + "'", 9).c_str());
    }
    ImGui::SetCursorScreenPos(ImVec2(origin.x, grid.y + rows * cell_h + col_label_h + (rank_line ? fs * 1.2f : 0.0f)));
    ImGui::TextDisabled(tr("ui.logit_lens.each_cell_that_state"), k);
}

}  // namespace attn
