// The Activations view: how big the residual stream is at each token and layer, or how much of what
// each layer adds comes from attention rather than the MLP; a click asks the app for that cell's top
// MLP neurons, listed underneath. Draw-list only.
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

// Attention's share of what layer l adds at token t: 1 all attention, 0 all MLP.
float attn_share(const ActivationSummary& s, int l, int t) {
    const size_t i = static_cast<size_t>(l) * s.n_token + t;
    const float a = s.attn_norm[i], m = s.mlp_norm[i];
    return a + m > 0.0f ? a / (a + m) : 0.5f;
}

}  // namespace

std::array<int, 2> show_activations(Selection& sel, const ActivationsData& d) {
    std::array<int, 2> clicked{-1, -1};
    if (d.grid_rect) *d.grid_rect = {};
    const ActivationSummary* s = d.summary;
    const bool have = s && s->n_layer > 0 && s->n_token > 0 &&
                      s->hidden_norm.size() == static_cast<size_t>(s->n_layer + 1) * s->n_token;
    if (!have) {
        ImGui::TextDisabled("%s", d.hint.empty() ? tr("ui.activations.no_activations_yet") : d.hint.c_str());
        return clicked;
    }
    const bool has_parts = s->attn_norm.size() == static_cast<size_t>(s->n_layer) * s->n_token &&
                           s->mlp_norm.size() == s->attn_norm.size();
    ActivationMode mode = d.mode ? *d.mode : ActivationMode::hidden_norm;
    if (!has_parts) mode = ActivationMode::hidden_norm;
    if (d.mode) {
        int m = static_cast<int>(mode);
        ImGui::RadioButton(tr_id("ui.activations.hidden_state_norm"), &m, static_cast<int>(ActivationMode::hidden_norm));
        widget_mark("act_hidden");
        if (has_parts) {
            same_line_if_fits(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                              ImGui::CalcTextSize(tr("ui.activations.attention_vs_mlp")).x);
            ImGui::RadioButton(tr_id("ui.activations.attention_vs_mlp"), &m, static_cast<int>(ActivationMode::attn_vs_mlp));
            widget_mark("act_parts");
        }
        *d.mode = mode = static_cast<ActivationMode>(m);
    }
    const bool parts = mode == ActivationMode::attn_vs_mlp;
    const int T = s->n_token, rows = parts ? s->n_layer : s->n_layer + 1;
    float vmax = 0.0f;
    if (!parts)
        for (float v : s->hidden_norm) vmax = std::max(vmax, v);

    const float fs = ImGui::GetFontSize();
    std::vector<std::string> labels = token_labels_for_font(*d.tokens, T, d.piece_style, ImGui::GetFont());
    const float row_label_w = ImGui::CalcTextSize(tr("ui.activations.after_l")).x + fs * 0.6f;
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float cell_w = std::max(3.0f, (avail.x - row_label_w - fs) / T);
    const float cell_h = std::clamp((avail.y * 0.6f - fs * 2.0f) / rows, fs * 1.1f, fs * 2.4f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 grid(origin.x + row_label_w, origin.y);
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    auto row_y = [&](int r) { return grid.y + (rows - 1 - r) * cell_h; };   // layer 0 at the bottom
    auto row_name = [&](int r) {
        if (parts) return "L" + std::to_string(r);
        return r == 0 ? std::string(tr("pictures.lens.embed")) : trf("pictures.lens.after_layer", {{"layer", std::to_string(r - 1)}});
    };
    auto value = [&](int r, int t) {
        return parts ? attn_share(*s, r, t) : s->hidden_norm[static_cast<size_t>(r) * T + t];
    };
    for (int r = 0; r < rows; ++r) {
        const std::string name = row_name(r);
        const ImVec2 ns = ImGui::CalcTextSize(name.c_str());
        dl->AddText(ImVec2(grid.x - fs * 0.3f - ns.x, row_y(r) + (cell_h - ns.y) * 0.5f), text, name.c_str());
        for (int t = 0; t < T; ++t) {
            const float v = value(r, t);
            // Shares on the diverging map (red: attention, blue: MLP), norms on the sequential one.
            const ImU32 col = parts ? colormap_signed_color(2.0f * v - 1.0f, 1.0f)
                                    : colormap_color(colormap_table(sel.colormap), vmax > 0.0f ? v / vmax : 0.0f);
            const ImVec2 a(grid.x + t * cell_w, row_y(r));
            dl->AddRectFilled(a, ImVec2(a.x + cell_w - 1.0f, a.y + cell_h - 1.0f), col);
        }
    }
    // The clicked cell (its neurons are listed below).
    const int cell_row = parts ? d.cell_layer : d.cell_layer + 1;
    if (d.cell_token >= 0 && d.cell_token < T && cell_row >= 0 && cell_row < rows) {
        const ImVec2 a(grid.x + d.cell_token * cell_w, row_y(cell_row));
        dl->AddRect(a, ImVec2(a.x + cell_w - 1.0f, a.y + cell_h - 1.0f), theme_accent(), 0.0f, 0, 2.5f);
    }
    for (int t = 0; t < T; ++t) {
        const std::string l = label_elide(labels[static_cast<size_t>(t)], std::max(1, static_cast<int>(cell_w / (fs * 0.55f))));
        dl->PushClipRect(ImVec2(grid.x + t * cell_w, grid.y), ImVec2(grid.x + (t + 1) * cell_w, grid.y + rows * cell_h + fs * 1.4f), true);
        dl->AddText(ImVec2(grid.x + t * cell_w + fs * 0.1f, grid.y + rows * cell_h + fs * 0.2f),
                    t == sel.hover_query ? theme_accent() : text, l.c_str());
        dl->PopClipRect();
    }
    ImGui::SetCursorScreenPos(grid);
    ImGui::InvisibleButton("act_cells", ImVec2(std::max(1.0f, T * cell_w), std::max(1.0f, rows * cell_h)));
    if (d.grid_rect) *d.grid_rect = last_item_rect();
    widget_mark("act_grid");
    if (ImGui::IsItemHovered()) {
        const ImVec2 mp = ImGui::GetIO().MousePos;
        const int t = static_cast<int>((mp.x - grid.x) / cell_w);
        const int r = rows - 1 - static_cast<int>((mp.y - grid.y) / cell_h);
        if (t >= 0 && t < T && r >= 0 && r < rows) {
            sel.hover_query = t;
            const size_t i = static_cast<size_t>(parts ? r : r - 1) * T + t;
            if (parts)
                ImGui::SetTooltip(tr("ui.activations.layer_attention_adds_the"),
                                  labels[static_cast<size_t>(t)].c_str(), r, s->attn_norm[i], s->mlp_norm[i],
                                  value(r, t) * 100.0f);
            else
                ImGui::SetTooltip(tr("ui.activations.h"), labels[static_cast<size_t>(t)].c_str(), row_name(r).c_str(),
                                  value(r, t), r > 0 ? tr("ui.activations.click_for_that_layer") : "");
            if (ImGui::IsItemClicked() && (parts || r > 0)) clicked = {parts ? r : r - 1, t};
        }
    }
    ImGui::SetCursorScreenPos(ImVec2(origin.x, grid.y + rows * cell_h + fs * 1.6f));
    ImGui::TextDisabled(parts ? tr("ui.activations.red_attention_adds_more")
                              : tr("ui.activations.brighter_a_larger_hidden"),
                        vmax);
    if (d.cell_layer >= 0 && d.cell_token >= 0 && d.cell_token < T) {
        ImGui::Text(tr("ui.activations.top_mlp_neurons_of"), labels[static_cast<size_t>(d.cell_token)].c_str(), d.cell_layer);
        if (!d.neurons_error.empty()) ImGui::TextColored(theme_error(), "%s", d.neurons_error.c_str());
        if (d.neurons && !d.neurons->empty()) {
            float nmax = 0.0f;
            for (const Neuron& n : *d.neurons) nmax = std::max(nmax, std::fabs(n.value));
            const float bar_w = std::min(fs * 16.0f, ImGui::GetContentRegionAvail().x - fs * 10.0f);
            for (const Neuron& n : *d.neurons) {
                ImGui::Text("#%-6d %+8.3f", n.index, n.value);
                ImGui::SameLine();
                const ImVec2 p = ImGui::GetCursorScreenPos();
                const float w = nmax > 0.0f ? bar_w * std::fabs(n.value) / nmax : 0.0f;
                ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + fs * 0.2f), ImVec2(p.x + std::max(1.0f, w), p.y + fs),
                                                          colormap_signed_color(n.value, nmax));
                ImGui::Dummy(ImVec2(bar_w, fs));
            }
        }
    } else {
        ImGui::TextDisabled("%s", tr("ui.activations.click_a_cell_to"));
    }
    return clicked;
}

}  // namespace attn
