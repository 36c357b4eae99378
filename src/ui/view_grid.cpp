// The head grid (model view): every layer x head of the shown attention as a thumbnail, so a student
// can spot the previous-token, first-token and diagonal heads at a glance and click one open. Tiles
// are TextureProvider images like the heatmap (one slot each); this file lays them out, labels them
// and handles hover and click. It computes nothing about the heads: tiles and scale come made (grid_tiles.h).
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/colorbar.h"
#include "ui/grid_tiles.h"
#include "ui/heads_cache.h"
#include "ui/heatmap_cells.h"
#include "ui/theme.h"
#include "ui/views.h"

namespace attn {

namespace {

// Heads a check passes: an outline that differs from the selection's accent and the hover's text colour.
constexpr ImU32 kHighlightColor = IM_COL32(60, 220, 110, 255);

// The tiles and the preview share texture keys with the heatmap's, so opening a tile reuses nothing stale.
uint64_t tile_key(const GridData& d, int layer, int head) {
    return (d.trace_version << 24) ^ (static_cast<uint64_t>(layer) << 12) ^ static_cast<uint64_t>(head);
}

// Head (layer, head) at full resolution: the hover preview.
HeatmapImage head_image(const AttentionTensor& a, int layer, int head, const Selection& sel, const GridData& d) {
    HeatmapImage image;
    image.values = a.head(layer, head);
    image.rows = a.n_query;
    image.cols = a.n_key;
    image.causal = a.causal;
    image.key = tile_key(d, layer, head);
    image.colormap = sel.colormap;
    if (sel.auto_scale) {
        const float* made = d.tiles ? grid_tile(*d.tiles, layer * a.n_head + head) : nullptr;
        image.vmax = std::max(made ? d.tiles->head_max[static_cast<size_t>(layer) * a.n_head + head] : heatmap_max(image), 1e-6f);
    }
    return image;
}

// Head i's thumbnail from the tiles made so far; no values when it is not made yet.
HeatmapImage tile_image(const GridTiles* tiles, int i, uint64_t key, const Selection& sel) {
    HeatmapImage image;
    image.values = tiles ? grid_tile(*tiles, i) : nullptr;
    if (!image.values) return image;
    image.texels = true;
    image.rows = tiles->rows;
    image.cols = tiles->cols;
    image.key = key;
    image.colormap = sel.colormap;
    if (sel.auto_scale) image.vmax = std::max(tiles->head_max[static_cast<size_t>(i)], 1e-6f);
    return image;
}

}  // namespace

bool show_grid(Selection& sel, const GridData& d) {
    const AttentionTensor* a = d.attention;
    if (d.tile_rects) d.tile_rects->clear();
    if (!a || a->empty() || a->n_query == 0 || a->n_key == 0) {
        ImGui::TextDisabled("%s", tr("ui.grid.head_grid"));
        ImGui::TextWrapped("%s", tr("ui.common.no_attention_to_show"));
        return false;
    }
    selection_clamp(sel, a->n_layer, a->n_head);
    const int L = a->n_layer, H = a->n_head;

    // A picture has the caption for a title and a colorbar instead of the controls and the hint.
    if (!d.picture) {
        ImGui::Text(tr("ui.grid.layers_x_heads"), d.title, *d.title ? " \xE2\x80\x94 " : "", L, H);
        {
            float controls_w = scale_controls_width();
            float right = ImGui::GetWindowContentRegionMax().x;
            if (right - ImGui::GetItemRectMax().x + ImGui::GetWindowPos().x > controls_w + ImGui::GetFontSize())
                ImGui::SameLine(right - controls_w);
            show_scale_controls(sel);
        }
        if (d.tiles && !d.tiles->complete())
            ImGui::TextDisabled("%s", trf("ui.grid.drawing_tiles", {{"done", std::to_string(d.tiles->heads_done)},
                                                                     {"total", std::to_string(d.tiles->heads_total)}}).c_str());
        else
            ImGui::TextDisabled("%s", tr("ui.grid.each_tile_is_one"));
    }

    const float fs = ImGui::GetFontSize();
    char buf[32];
    std::snprintf(buf, sizeof buf, "L%d", L - 1);
    const float label_w = ImGui::CalcTextSize(buf).x + fs * 0.5f, label_h = fs * 1.3f;
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    const float bar_w = d.picture ? colorbar_width() + fs : 0.0f;
    avail.x -= bar_w;
    const float pitch = std::max(4.0f, std::min((avail.x - label_w) / H, (avail.y - label_h) / L));
    const float gap = std::clamp(pitch * 0.06f, 1.0f, 6.0f), tile = pitch - gap;
    const ImVec2 grid(origin.x + label_w, origin.y + label_h);
    // Labels thin out when tiles get smaller than the text, but "L0"/"H0" and the selection always show.
    const int label_step = pitch >= fs * 1.1f ? 1 : static_cast<int>(fs * 1.1f / pitch) + 1;

    const bool has_importance = d.head_importance && d.head_importance->size() == static_cast<size_t>(L) * H;
    float importance_max = 0.0f;
    if (has_importance)
        for (float v : *d.head_importance) importance_max = std::max(importance_max, v);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    for (int l = 0; l < L; ++l) {
        if (l % label_step != 0 && l != sel.layer) continue;
        std::snprintf(buf, sizeof buf, "L%d", l);
        ImVec2 ts = ImGui::CalcTextSize(buf);
        dl->AddText(ImVec2(grid.x - fs * 0.3f - ts.x, grid.y + l * pitch + (tile - ts.y) * 0.5f), l == sel.layer && !d.picture ? theme_accent() : dim,
                    buf);
    }
    for (int h = 0; h < H; ++h) {
        if (h % label_step != 0 && h != sel.head) continue;
        std::snprintf(buf, sizeof buf, "H%d", h);
        ImVec2 ts = ImGui::CalcTextSize(buf);
        dl->AddText(ImVec2(grid.x + h * pitch + (tile - ts.x) * 0.5f, grid.y - label_h + (label_h - ts.y) * 0.5f),
                    h == sel.head && !d.picture ? theme_accent() : dim, buf);
    }

    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            ImVec2 p0(grid.x + h * pitch, grid.y + l * pitch), p1(p0.x + tile, p0.y + tile);
            const HeatmapImage image = tile_image(d.tiles, l * H + h, tile_key(d, l, h), sel);
            if (d.textures && image.values)
                dl->AddImage(d.textures->heatmap_texture(kSlotGridTiles + l * H + h, image), p0, p1);
            else
                dl->AddRectFilled(p0, p1, IM_COL32(40, 40, 40, 255));   // not made yet
            if (d.tile_rects) d.tile_rects->push_back({p0.x, p0.y, tile, tile});
            const size_t idx = static_cast<size_t>(l) * H + h;
            if (d.highlighted && idx < d.highlighted->size() && (*d.highlighted)[idx])
                dl->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1), kHighlightColor, 0.0f, 0,
                            std::clamp(tile * 0.06f, 2.0f, 4.0f));
            if (d.head_labels && idx < d.head_labels->size()) {
                // The badge's text shrinks with the tile; below a readable size a coloured corner says it.
                const float badge_fs = std::min(fs * 0.75f, tile * 0.28f);
                const HeadLabel& label = (*d.head_labels)[idx];
                // Top right: over a causal map's masked corner, so it hides no weight there.
                if (badge_fs >= 7.0f) {
                    const float w = head_badge_size(label, badge_fs).x;
                    draw_head_badge(dl, ImVec2(std::max(p0.x, p1.x - w - 1), p0.y + 1), label, badge_fs);
                } else {
                    dl->AddTriangleFilled(ImVec2(p1.x, p0.y), ImVec2(p1.x, p0.y + tile * 0.35f),
                                          ImVec2(p1.x - tile * 0.35f, p0.y), head_label_color(label));
                }
            }
            // Head importance: a bar along the tile's bottom edge, as long as this head's share of the most
            // important head's |d score / d gate|.
            if (importance_max > 0.0f) {
                const float f = (*d.head_importance)[static_cast<size_t>(l) * H + h] / importance_max;
                const float bh = std::max(2.0f, tile * 0.08f);
                dl->AddRectFilled(ImVec2(p0.x, p1.y - bh), ImVec2(p1.x, p1.y), IM_COL32(0, 0, 0, 160));
                dl->AddRectFilled(ImVec2(p0.x, p1.y - bh), ImVec2(p0.x + std::max(1.0f, tile * f), p1.y), theme_accent());
            }
        }

    ImGui::SetCursorScreenPos(grid);
    ImGui::InvisibleButton("##tiles", ImVec2(std::max(1.0f, H * pitch), std::max(1.0f, L * pitch)));
    const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
    ImVec2 m = ImGui::GetIO().MousePos;
    // Clamped as floats: with no mouse (a picture, a page without a pointer) MousePos is -FLT_MAX, and
    // converting a float outside int's range is undefined (clang's UBSan caught it).
    const int hl = static_cast<int>(std::clamp((m.y - grid.y) / pitch, 0.0f, static_cast<float>(L - 1)));
    const int hh = static_cast<int>(std::clamp((m.x - grid.x) / pitch, 0.0f, static_cast<float>(H - 1)));

    // The selected head: a thick accent frame outside the tile so it never hides the tile's edge cells
    // (not in a picture of every head, where it would single one out for no reason).
    ImVec2 s0(grid.x + sel.head * pitch, grid.y + sel.layer * pitch);
    if (!d.picture) dl->AddRect(ImVec2(s0.x - 2, s0.y - 2), ImVec2(s0.x + tile + 2, s0.y + tile + 2), theme_accent(), 0.0f, 0, 3.0f);

    bool opened = false;
    if (hovered) {
        ImVec2 h0(grid.x + hh * pitch, grid.y + hl * pitch);
        dl->AddRect(ImVec2(h0.x - 1, h0.y - 1), ImVec2(h0.x + tile + 1, h0.y + tile + 1), text, 0.0f, 0, 1.5f);
        HeatmapImage image = head_image(*a, hl, hh, sel, d);   // full resolution for the bigger preview
        ImGui::BeginTooltip();
        ImGui::Text(tr("ui.common.l_h"), hl, hh);
        ImGui::SameLine();
        ImGui::TextDisabled(tr("ui.grid.layer_head"), hl, hh);
        const float side = std::clamp(fs * 14.0f, tile, ImGui::GetIO().DisplaySize.y * 0.5f);
        if (d.textures) ImGui::Image(d.textures->heatmap_texture(kSlotGridPreview, image), ImVec2(side, side));
        ImGui::TextDisabled(tr("ui.grid.largest_weight_click_to"), heatmap_max(image));
        const size_t hi = static_cast<size_t>(hl) * H + hh;
        if (d.head_labels && hi < d.head_labels->size()) {
            const HeadLabel& lab = (*d.head_labels)[hi];
            const HeadPatternInfo& info = head_pattern_info(lab.pattern);
            ImGui::PushStyleColor(ImGuiCol_Text, head_pattern_color(lab.pattern));
            ImGui::Text("%s", head_pattern_label(info.pattern, current_language()));
            ImGui::PopStyleColor();
            ImGui::SameLine();
            ImGui::Text(tr("ui.common.confidence"), lab.confidence);
            ImGui::TextUnformatted(head_pattern_what(info.pattern, current_language()));
        }
        if (d.highlighted && hi < d.highlighted->size() && (*d.highlighted)[hi]) ImGui::TextUnformatted(tr("ui.grid.passes_the_last_check"));
        if (has_importance) {
            const size_t i = static_cast<size_t>(hl) * H + hh;
            ImGui::Text(tr("ui.grid.importance_d_score_d"), (*d.head_importance)[i]);
            if (d.head_ablation && d.head_ablation->size() == d.head_importance->size())
                ImGui::Text(tr("ui.grid.score_drop_with_the"), (*d.head_ablation)[i]);
        }
        ImGui::EndTooltip();
        if (clicked) {
            sel.layer = hl;
            sel.head = hh;
            opened = true;
        }
    }
    // Auto scale stretches each tile to its own largest weight, so the bar then reads 0 to "max".
    if (d.picture) {
        const float bar_h = std::max(L * pitch - gap, fs * 6.0f);
        const ImVec2 bar(grid.x + H * pitch + fs, grid.y);
        draw_colorbar(dl, bar, bar_h, -1.0f, a->causal, sel.colormap, 1.0f, d.bad_values);
        if (sel.auto_scale)
            dl->AddText(ImVec2(bar.x, bar.y + bar_h + colorbar_legend_height(a->causal, d.bad_values) + fs * 0.4f), dim,
                        tr("ui.grid.each_head_s_max"));
    }

    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(label_w + H * pitch + bar_w, label_h + L * pitch));
    return opened;
}

}  // namespace attn
