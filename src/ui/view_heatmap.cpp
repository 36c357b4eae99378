// The attention heatmap of one head: rows are queries (the token looking), columns are keys (the
// token looked at). The cells are one texture from the TextureProvider; this file only lays out
// labels, the colorbar, hover highlights and the tooltip. It never draws a rect per cell (that
// overflows 16-bit indices at 128x128 and is slow). Clicking a row pins it (the inspector follows it).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/colorbar.h"
#include "ui/colormap.h"
#include "ui/draw_text.h"
#include "ui/heatmap_cells.h"
#include "ui/label_thinning.h"
#include "ui/theme.h"
#include "ui/token_hint.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {


struct Layout {
    ImVec2 grid;          // top-left of the cell grid
    float cell_w = 1.0f;  // cell size in pixels: square, except that rows keep a readable minimum
    float cell_h = 1.0f;  // height when there are few of them (a one-token target is not a hairline)
    float row_label_w = 0.0f;
    float col_label_h = 0.0f;
    int row_step = 1;     // draw every n-th row / column label when cells are smaller than the text
    int col_step = 1;
};

}  // namespace

void show_scale_controls(Selection& sel) {
    // Small and quiet: a narrow combo and a checkbox on thin, dimmed frames, so the picture stays the focus.
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 1.0f));
    ImVec4 frame = ImGui::GetStyleColorVec4(ImGuiCol_FrameBg);
    frame.w *= 0.6f;
    ImGui::PushStyleColor(ImGuiCol_FrameBg, frame);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.5f);
    if (ImGui::BeginCombo("##colormap", colormap_name(sel.colormap))) {
        for (Colormap c : kColormaps) {
            // A swatch of the ramp beside each name, drawn from the table the texture uses.
            ImVec2 p = ImGui::GetCursorScreenPos();
            float h = ImGui::GetTextLineHeight(), w = h * 3.0f;
            const ColormapTable& table = colormap_table(c);
            ImDrawList* dl = ImGui::GetWindowDrawList();
            for (int i = 0; i < 8; ++i)
                dl->AddRectFilled(ImVec2(p.x + w * i / 8, p.y + 2), ImVec2(p.x + w * (i + 1) / 8, p.y + h - 2),
                                  colormap_color(table, (i + 0.5f) / 8));
            ImGui::Dummy(ImVec2(w, h));
            ImGui::SameLine();
            if (ImGui::Selectable(colormap_name(c), c == sel.colormap)) sel.colormap = c;
        }
        ImGui::EndCombo();
    }
    widget_mark("colormap");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.heatmap.colormap"));
    ImGui::SameLine();
    ImGui::Checkbox(tr_id("ui.heatmap.auto_scale"), &sel.auto_scale);
    widget_mark("auto_scale");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(sel.auto_scale ? tr("ui.heatmap.colours_span_to_this")
                                         : tr("ui.heatmap.colours_span_a_fixed"));
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
}

float scale_controls_width() {
    const ImGuiStyle& st = ImGui::GetStyle();
    return ImGui::GetFontSize() * 5.5f + st.ItemSpacing.x + ImGui::GetFrameHeight() + st.ItemInnerSpacing.x +
           ImGui::CalcTextSize(tr("ui.heatmap.auto_scale")).x;
}

void show_heatmap(Selection& sel, const HeatmapData& d) {
    const AttentionTensor* attn = d.attention;
    if (!attn || attn->empty() || attn->n_query == 0 || attn->n_key == 0 || !d.queries || !d.keys) {
        ImGui::TextDisabled("%s", tr("ui.common.attention"));
        ImGui::TextWrapped("%s", tr("ui.common.no_attention_to_show"));
        return;
    }
    selection_clamp(sel, attn->n_layer, attn->n_head);
    const int T = attn->n_query, S = attn->n_key;
    const float* probs = d.matrix ? d.matrix : attn->head(sel.layer, sel.head);   // (T, S)
    char head_name[96];
    if (d.matrix && d.heads_label) std::snprintf(head_name, sizeof head_name, "%s", d.heads_label);
    else std::snprintf(head_name, sizeof head_name, tr("ui.heatmap.head"), sel.head);

    const char* axes_hint = d.keys != d.queries && d.keys->size() != 0
                                ? tr("ui.heatmap.rows_target_token_looking")
                                : tr("ui.heatmap.rows_the_token_looking");
    // A picture's caption already names the layer and head; it has no controls and no hints.
    if (!d.picture) {
        // Title and axis hint wrap rather than run under the window's edge at projector font sizes.
        ImGui::PushTextWrapPos(0.0f);
        ImGui::Text(tr("ui.heatmap.layer"), d.title, *d.title ? " \xE2\x80\x94 " : "", sel.layer, head_name);
        widget_mark("heatmap_title");
        // The colormap controls close the title line on the right (or take their own line when narrow).
        {
            float controls_w = scale_controls_width();
            float right = ImGui::GetWindowContentRegionMax().x;
            if (right - ImGui::GetItemRectMax().x + ImGui::GetWindowPos().x > controls_w + ImGui::GetFontSize())
                ImGui::SameLine(right - controls_w);
            show_scale_controls(sel);
        }
        // The axis hint takes its own line under the title when it fits on one; at a projector font it
        // would wrap over several lines the map needs, and the corner names ("key →", "query ↓") with
        // this hint on hover say the same.
        // It also gives way in a short window, where each line is a row of cells less.
        const ImVec2 room = ImGui::GetContentRegionAvail();
        if (ImGui::CalcTextSize(axes_hint).x <= room.x && room.y >= ImGui::GetFontSize() * 18.0f) {
            ImGui::TextDisabled("%s", axes_hint);
            widget_mark("heatmap_axes");
        }
        ImGui::PopTextWrapPos();
    }

    const ImFont* font = ImGui::GetFont();
    std::vector<std::string> rows = token_labels_for_font(*d.queries, T, d.piece_style, font);
    std::vector<std::string> cols = d.keys == d.queries ? rows : token_labels_for_font(*d.keys, S, d.piece_style, font);

    const float fs = ImGui::GetFontSize();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    // At least 12 lines tall: in a small window at a projector font the map keeps a readable size
    // and the window scrolls, rather than shrinking to a hairline.
    avail.y = std::max(avail.y, fs * 12.0f);
    Layout lay;
    lay.row_label_w = labels_widest(rows) + fs * 0.5f;
    lay.col_label_h = labels_widest(cols) + fs * 0.5f;
    {   // room in the corner for the axis names (see below), however short the labels
        lay.row_label_w = std::max(lay.row_label_w, ImGui::CalcTextSize(tr("ui.heatmap.query")).x + fs * 0.7f);
        lay.col_label_h = std::max(lay.col_label_h, fs * 2.7f);
    }
    float bar_w = colorbar_width();   // bar, ticks and the mask legend
    float fit_w = (avail.x - lay.row_label_w - bar_w) / S;
    float fit_h = (avail.y - lay.col_label_h - fs * 3.0f) / T;   // room for the thinning note below
    // Square cells when they fit; otherwise the cramped side gives way, within limits: many columns and
    // few rows (cross attention with a one-token target) get rows as tall as a label line instead of a
    // strip as thin as the columns are wide, and a short, wide view (a projector font) gets columns up
    // to twice as wide as the rows are tall, so their labels need not be thinned.
    const float square = std::max(1.0f, std::min({fit_w, fit_h, fs * 3.0f}));
    lay.cell_h = std::max(square, std::min(fit_h, fs * 1.5f));
    lay.cell_w = std::max(square, std::min({fit_w, fs * 3.0f, lay.cell_h * 2.0f}));
    lay.row_step = label_step(lay.cell_h, fs * 0.9f);
    lay.col_step = label_step(lay.cell_w, fs * 0.9f);
    lay.grid = ImVec2(origin.x + lay.row_label_w, origin.y + lay.col_label_h);
    ImVec2 grid_size(S * lay.cell_w, T * lay.cell_h);

    // Cells: one texture, uploaded only when the trace, layer or head changes.
    HeatmapImage image;
    image.values = probs;
    image.rows = T;
    image.cols = S;
    image.causal = attn->causal;
    image.key = (d.trace_version << 24) ^ (static_cast<uint64_t>(sel.layer) << 12) ^ static_cast<uint64_t>(sel.head);
    image.colormap = sel.colormap;
    // Auto scale: the brightest cell is this head's largest weight. A 256 x 256 scan per frame is cheap.
    if (sel.auto_scale) image.vmax = std::max(heatmap_max(image), 1e-6f);
    ImGui::SetCursorScreenPos(lay.grid);
    if (d.textures) {
        ImTextureID tex = d.textures->heatmap_texture(d.texture_slot, image);
        ImGui::Image(tex, grid_size);
    } else {
        ImGui::Dummy(grid_size);
    }
    bool grid_hovered = ImGui::IsItemHovered();
    if (d.grid_rect) *d.grid_rect = {lay.grid.x, lay.grid.y, grid_size.x, grid_size.y};

    ImGuiIO& io = ImGui::GetIO();
    int hq = -1, hk = -1;
    if (grid_hovered) {
        hk = std::clamp(static_cast<int>((io.MousePos.x - lay.grid.x) / lay.cell_w), 0, S - 1);
        hq = std::clamp(static_cast<int>((io.MousePos.y - lay.grid.y) / lay.cell_h), 0, T - 1);
    } else if (ImGui::IsWindowHovered() && io.MousePos.x >= origin.x && io.MousePos.x < lay.grid.x &&
               io.MousePos.y >= lay.grid.y && io.MousePos.y < lay.grid.y + grid_size.y) {
        hq = std::clamp(static_cast<int>((io.MousePos.y - lay.grid.y) / lay.cell_h), 0, T - 1);   // row label
    }
    if (hq >= 0) sel.hover_query = hq;
    if (hk >= 0) sel.hover_key = hk;
    if (hq >= 0 && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) selection_toggle_pin(sel, hq);
    const int pinned = sel.pinned_query < T ? sel.pinned_query : -1;

    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    ImU32 accent = theme_accent();
    for (int t = 0; t < T; ++t) {
        bool hot = t == sel.hover_query || t == d.highlight_query || t == pinned;
        if (t % lay.row_step != 0 && !hot) continue;
        std::string l = label_elide(rows[t], kLabelMaxChars);
        ImVec2 size = ImGui::CalcTextSize(l.c_str());
        ImVec2 pos(lay.grid.x - fs * 0.3f - size.x, lay.grid.y + (t + 0.5f) * lay.cell_h - size.y * 0.5f);
        dl->AddText(pos, hot ? accent : text, l.c_str());
    }
    for (int s = 0; s < S; ++s) {
        bool hot = s == sel.hover_key || (d.keys == d.queries && s == d.highlight_query);
        if (s % lay.col_step != 0 && !hot) continue;
        std::string l = label_elide(cols[s], kLabelMaxChars);
        float x = lay.grid.x + (s + 0.5f) * lay.cell_w - fs * 0.5f;
        draw_text_vertical(dl, ImVec2(x, lay.grid.y - fs * 0.3f), hot ? accent : text, l);
    }

    // The axes are named in the empty corner above the row labels, on screen too: at a projector font
    // the hint line above gives way to them, and hovering them shows it.
    {
        const char* names[2] = {tr("pictures.axis.key"), tr("ui.heatmap.query")};   // key →, query ↓
        for (int i = 0; i < 2; ++i) {
            ImVec2 size = ImGui::CalcTextSize(names[i]);
            ImVec2 pos(lay.grid.x - fs * 0.6f - size.x, lay.grid.y - fs * (2.5f - 1.2f * i));
            if (pos.x < origin.x || pos.y < origin.y) continue;
            dl->AddText(pos, ImGui::GetColorU32(ImGuiCol_TextDisabled), names[i]);
            if (!d.picture && ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(pos, ImVec2(pos.x + size.x, pos.y + size.y)))
                ImGui::SetTooltip("%s", axes_hint);
        }
    }

    // The pinned row keeps a bold accent outline; hover outlines stay thin and white so both read at once.
    if (pinned >= 0) {
        float y = lay.grid.y + pinned * lay.cell_h;
        dl->AddRect(ImVec2(lay.grid.x - 1, y - 1), ImVec2(lay.grid.x + grid_size.x + 1, y + lay.cell_h + 1), accent, 0.0f, 0,
                    2.0f);
    }
    // Hover: outline the query's row and the key's column so the eye can follow both axes.
    float hovered_value = -1.0f;
    if (sel.hover_query >= 0 && sel.hover_query < T) {
        float y = lay.grid.y + sel.hover_query * lay.cell_h;
        dl->AddRect(ImVec2(lay.grid.x, y), ImVec2(lay.grid.x + grid_size.x, y + lay.cell_h), theme_outline(0.55f));
    }
    if (sel.hover_key >= 0 && sel.hover_key < S) {
        float x = lay.grid.x + sel.hover_key * lay.cell_w;
        dl->AddRect(ImVec2(x, lay.grid.y), ImVec2(x + lay.cell_w, lay.grid.y + grid_size.y), theme_outline(0.55f));
    }
    if (grid_hovered) {
        bool masked = heatmap_cell_masked(image, hq, hk);
        float w = probs[static_cast<size_t>(hq) * S + hk];
        hovered_value = masked ? -1.0f : w;
        ImVec2 c0(lay.grid.x + hk * lay.cell_w, lay.grid.y + hq * lay.cell_h);
        dl->AddRect(c0, ImVec2(c0.x + lay.cell_w, c0.y + lay.cell_h), accent, 0.0f, 0, 2.0f);
        ImGui::BeginTooltip();
        if (masked)
            ImGui::Text(tr("ui.heatmap.cannot_look_at_it"), rows[hq].c_str(), cols[hk].c_str());
        else
            ImGui::Text(tr("ui.heatmap.looks_at_layer"), rows[hq].c_str(), cols[hk].c_str(), w,
                        sel.layer, head_name);
        if (d.query_notes && hq < static_cast<int>(d.query_notes->size()))
            ImGui::TextDisabled("'%s': %s", rows[hq].c_str(), (*d.query_notes)[hq].c_str());
        if (d.key_notes && hk < static_cast<int>(d.key_notes->size()) && (d.key_notes != d.query_notes || hk != hq))
            ImGui::TextDisabled("'%s': %s", cols[hk].c_str(), (*d.key_notes)[hk].c_str());
        ImGui::TextDisabled(tr("ui.heatmap.query_key_click_to"), hq, hk, hq == pinned ? tr("ui.heatmap.unpin") : tr("ui.heatmap.pin"));
        show_token_hints({&rows[hq], &cols[hk]}, d.piece_style);
        ImGui::EndTooltip();
    } else if (hq >= 0) {
        ImGui::BeginTooltip();
        ImGui::Text(tr("ui.heatmap.query_click_to"), hq, rows[hq].c_str(), hq == pinned ? tr("ui.heatmap.unpin") : tr("ui.heatmap.pin"));
        show_token_hints({&rows[hq]}, d.piece_style);
        ImGui::EndTooltip();
    }

    float bar_h = std::max(grid_size.y, std::min(fs * 10.0f, avail.y - lay.col_label_h - fs * 3.0f));
    draw_colorbar(dl, ImVec2(lay.grid.x + grid_size.x + fs * 1.2f, lay.grid.y), bar_h, hovered_value, attn->causal,
                  image.colormap, image.vmax, d.bad_values);

    // Thinned labels say so, in the room left under the map, so a missing label never reads as a bug.
    if (lay.row_step > 1 || lay.col_step > 1) {
        const std::string note = label_thinning_note(lay.row_step, lay.col_step);
        ImGui::SetCursorScreenPos(ImVec2(origin.x, lay.grid.y + grid_size.y + fs * 0.4f));
        // Wrapped at the map's right edge (at least 12 fonts wide), clear of the colorbar's mask legend.
        ImGui::PushTextWrapPos(std::min(std::max(lay.grid.x + grid_size.x, origin.x + fs * 12.0f) - ImGui::GetWindowPos().x,
                                        ImGui::GetWindowContentRegionMax().x));
        ImGui::TextDisabled("%s", note.c_str());
        ImGui::PopTextWrapPos();
        widget_mark("heatmap_label_note");
    }
    // Tell the window how much room all of this took (labels and colorbar are draw-list only).
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(lay.row_label_w + grid_size.x + bar_w, lay.col_label_h + std::max(grid_size.y, bar_h) + fs * 2.5f));
}

}  // namespace attn
