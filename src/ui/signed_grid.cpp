// Drawn with ImGui's draw list (no texture): these grids are at most a few hundred cells.
#include "ui/signed_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/i18n.h"
#include "imgui.h"
#include "ui/colormap.h"
#include "ui/label_thinning.h"

namespace attn {

int show_signed_grid(const SignedGridData& d) {
    if (d.rows <= 0 || d.cols <= 0 || !d.values) return -1;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float line = ImGui::GetTextLineHeightWithSpacing();
    float label_w = 0.0f;
    for (const std::string& l : d.row_labels) label_w = std::max(label_w, ImGui::CalcTextSize(l.c_str()).x);
    label_w += style.ItemSpacing.x;
    const float avail_w = std::max(60.0f, ImGui::GetContentRegionAvail().x - label_w);
    const float cell_w = std::min(avail_w / d.cols, 6.0f * line);
    float cell_h = d.height > 0.0f ? d.height / d.rows : std::min(cell_w, 2.0f * line);
    cell_h = std::max(cell_h, 6.0f);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 grid(origin.x + label_w, origin.y);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text_col = ImGui::GetColorU32(ImGuiCol_Text);

    const int row_step = label_step(cell_h, ImGui::GetTextLineHeight());
    for (int r = 0; r < d.rows; ++r) {
        for (int c = 0; c < d.cols; ++c) {
            const ImVec2 a(grid.x + c * cell_w, grid.y + r * cell_h);
            const float v = d.values[static_cast<size_t>(r) * d.cols + c];
            const ImU32 col = std::isinf(v) && v < 0.0f ? d.masked_color
                              : d.weights_map ? colormap_color(*d.weights_map, d.vmax > 0.0f ? v / d.vmax : 0.0f)
                                              : colormap_signed_color(v, d.vmax);
            dl->AddRectFilled(a, ImVec2(a.x + cell_w, a.y + cell_h), col);
        }
        if (r % row_step == 0 && r < static_cast<int>(d.row_labels.size())) {
            const ImVec2 ts = ImGui::CalcTextSize(d.row_labels[r].c_str());
            dl->AddText(ImVec2(grid.x - style.ItemSpacing.x - ts.x, grid.y + r * cell_h + (cell_h - ts.y) * 0.5f), text_col,
                        d.row_labels[r].c_str());
        }
    }
    const ImVec2 end(grid.x + d.cols * cell_w, grid.y + d.rows * cell_h);
    dl->AddRect(grid, end, ImGui::GetColorU32(ImGuiCol_Border));
    if (d.highlight_row >= 0 && d.highlight_row < d.rows)
        dl->AddRect(ImVec2(grid.x - 1.0f, grid.y + d.highlight_row * cell_h - 1.0f),
                    ImVec2(end.x + 1.0f, grid.y + (d.highlight_row + 1) * cell_h + 1.0f), IM_COL32(255, 200, 0, 255), 0.0f, 0,
                    2.0f);
    if (d.rect) *d.rect = {grid.x, grid.y, end.x - grid.x, end.y - grid.y};

    ImGui::SetCursorScreenPos(grid);
    ImGui::InvisibleButton("##signed_grid", ImVec2(std::max(1.0f, end.x - grid.x), std::max(1.0f, end.y - grid.y)));
    int hovered = -1;
    if (ImGui::IsItemHovered()) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        const int c = std::clamp(static_cast<int>((m.x - grid.x) / cell_w), 0, d.cols - 1);
        const int r = std::clamp(static_cast<int>((m.y - grid.y) / cell_h), 0, d.rows - 1);
        hovered = r * d.cols + c;
        dl->AddRect(ImVec2(grid.x + c * cell_w, grid.y + r * cell_h), ImVec2(grid.x + (c + 1) * cell_w, grid.y + (r + 1) * cell_h),
                    IM_COL32(255, 255, 255, 255), 0.0f, 0, 2.0f);
        std::string tip;
        if (d.tooltip) {
            tip = d.tooltip(r, c);
        } else {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.3f", d.values[hovered]);
            tip = buf;
        }
        ImGui::BeginTooltip();
        ImGui::TextUnformatted(tip.c_str());
        ImGui::EndTooltip();
    }
    const int clicked = hovered >= 0 && ImGui::IsItemClicked() ? hovered : -1;

    // Column labels under the grid, thinned so they never overlap.
    float col_label_w = 0.0f;
    for (const std::string& l : d.col_labels) col_label_w = std::max(col_label_w, ImGui::CalcTextSize(l.c_str()).x);
    const int col_step = label_step(cell_w, col_label_w + style.ItemSpacing.x);
    for (int c = 0; c < d.cols && c < static_cast<int>(d.col_labels.size()); c += col_step) {
        const ImVec2 ts = ImGui::CalcTextSize(d.col_labels[c].c_str());
        dl->AddText(ImVec2(grid.x + (c + 0.5f) * cell_w - ts.x * 0.5f, end.y + style.ItemSpacing.y), text_col,
                    d.col_labels[c].c_str());
    }
    ImGui::SetCursorScreenPos(ImVec2(origin.x, end.y + style.ItemSpacing.y + line));
    if (*d.col_title || *d.row_title) {
        ImGui::TextDisabled(tr("ui.signed_grid.rows_columns"), d.row_title, d.col_title);
    }
    const std::string note = label_thinning_note(row_step, col_step);
    if (!note.empty()) ImGui::TextDisabled("%s", note.c_str());
    if (d.legend) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float w = std::min(240.0f, avail_w), h = ImGui::GetTextLineHeight();
        char lo[32], hi[32];
        std::snprintf(lo, sizeof lo, "%.2g", d.weights_map ? 0.0 : -d.vmax);
        std::snprintf(hi, sizeof hi, "%.2g", d.vmax);
        const float lo_w = ImGui::CalcTextSize(lo).x + style.ItemSpacing.x;
        dl->AddText(p, text_col, lo);
        const int n = 32;
        for (int i = 0; i < n; ++i)
            dl->AddRectFilled(ImVec2(p.x + lo_w + w * i / n, p.y), ImVec2(p.x + lo_w + w * (i + 1) / n + 1.0f, p.y + h),
                              d.weights_map ? colormap_color(*d.weights_map, (i + 0.5f) / n)
                                            : colormap_signed_color(-d.vmax + 2.0f * d.vmax * (i + 0.5f) / n, d.vmax));
        if (!d.weights_map)
            dl->AddText(ImVec2(p.x + lo_w + w * 0.5f - ImGui::CalcTextSize("0").x * 0.5f, p.y + h), text_col, "0");
        dl->AddText(ImVec2(p.x + lo_w + w + style.ItemSpacing.x, p.y), text_col, hi);
        ImGui::Dummy(ImVec2(lo_w + w + style.ItemSpacing.x + ImGui::CalcTextSize(hi).x, 2.0f * h));
        if (*d.legend_note) ImGui::TextWrapped("%s", d.legend_note);
    }
    return clicked;
}

}  // namespace attn
