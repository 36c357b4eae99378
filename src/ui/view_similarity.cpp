// The similarity view (key 9): which heads do the same job on this input. The Jensen-Shannon divergence
// between every pair of heads' maps as a matrix, the heads laid out in 2-D by classical MDS (similar heads
// close, coloured by pattern), and the heads of the selected layer side by side with their labels.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/analysis_views.h"
#include "ui/app.h"
#include "ui/colormap.h"
#include "ui/heads_cache.h"
#include "ui/study_views.h"
#include "ui/scatter_pick.h"
#include "ui/theme.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

void head_name(char* buf, size_t n, int i, int H) { std::snprintf(buf, n, tr("ui.similarity.l_h"), i / H, i % H); }

void open_head(App& app, int layer, int head) {
    app.selection.layer = layer;
    app.selection.head = head;
    app.selection.head_mode = HeadMode::one;
    app.main_view = MainView::heatmap;
}

void show_matrix(App& app, const HeadSimilarity& sim, int H, float side) {
    const float fs = ImGui::GetFontSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float label_w = ImGui::CalcTextSize("L00").x + fs * 0.4f, label_h = fs * 1.2f;
    const ImVec2 p0(origin.x + label_w, origin.y + label_h);
    const float cell_side = std::max(1.0f, side - label_w);
    const ImVec2 p1(p0.x + cell_side, p0.y + cell_side);
    const int n = sim.n, L = n / std::max(1, H);
    HeatmapImage image;
    image.values = sim.jsd.data();
    image.rows = image.cols = n;
    image.key = app.heads.similarity_key * 2654435761ull + 17;
    image.colormap = app.selection.colormap;
    // The colours span 0 to the largest divergence on this input (ln 2 would leave most models' heads dark).
    float top = 1e-6f;
    for (float v : sim.jsd) top = std::max(top, v);
    image.vmax = top;
    if (app.config.textures) dl->AddImage(app.config.textures->heatmap_texture(kSlotSimilarity, image), p0, p1);
    else dl->AddRectFilled(p0, p1, IM_COL32(40, 40, 40, 255));
    // Layer blocks: a line where each layer starts, its name at the left and the top.
    const float cell = cell_side / n;
    const int step = std::max(1, static_cast<int>(std::ceil(fs * 1.2f / std::max(1e-3f, cell * H))));
    char buf[48];
    for (int l = 0; l < L; ++l) {
        const float off = l * H * cell;
        if (l > 0) {
            dl->AddLine(ImVec2(p0.x + off, p0.y), ImVec2(p0.x + off, p1.y), IM_COL32(0, 0, 0, 150));
            dl->AddLine(ImVec2(p0.x, p0.y + off), ImVec2(p1.x, p0.y + off), IM_COL32(0, 0, 0, 150));
        }
        if (l % step) continue;
        std::snprintf(buf, sizeof buf, "L%d", l);
        dl->AddText(ImVec2(origin.x, p0.y + off), dim, buf);
        dl->AddText(ImVec2(p0.x + off, origin.y), dim, buf);
    }
    if (!app.picture_only) {
        ImGui::SetCursorScreenPos(p0);
        ImGui::InvisibleButton("##jsd_matrix", ImVec2(cell_side, cell_side));
        if (ImGui::IsItemHovered()) {
            const ImVec2 m = ImGui::GetIO().MousePos;
            const int a = std::clamp(static_cast<int>((m.y - p0.y) / cell), 0, n - 1);
            const int b = std::clamp(static_cast<int>((m.x - p0.x) / cell), 0, n - 1);
            char na[16], nb[16];
            head_name(na, sizeof na, a, H);
            head_name(nb, sizeof nb, b, H);
            const int bad = sim.bad[a] ? a : sim.bad[b] ? b : -1;
            if (bad >= 0) {
                ImGui::SetTooltip(tr("ui.similarity.vs_bad_values"), na, nb, head_label_text(bad_values_label(), current_language()),
                                  head_label_what(bad_values_label(), current_language()));
            } else {
                ImGui::SetTooltip(tr("ui.similarity.vs_jsd_nats_the"), na, nb,
                                  sim.jsd[static_cast<size_t>(a) * n + b], std::log(2.0));
            }
        }
    }
    std::snprintf(buf, sizeof buf, tr("ui.similarity.jsd_to_nats"), top);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    const float bar_w = std::max(fs * 2.0f, cell_side - ts.x - fs);
    for (int i = 0; i < 32; ++i)   // a small colour scale under the matrix: dark = similar
        dl->AddRectFilled(ImVec2(p0.x + bar_w * i / 32, p1.y + fs * 0.3f), ImVec2(p0.x + bar_w * (i + 1) / 32, p1.y + fs * 1.1f),
                          colormap_color(colormap_table(app.selection.colormap), i / 31.0f));
    dl->AddText(ImVec2(p0.x + bar_w + fs * 0.5f, p1.y + fs * 0.2f), dim, buf);
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(side, side + label_h + fs * 1.3f));
}

void show_layout(App& app, const HeadSimilarity& sim, const HeadsState& hs, ImVec2 size) {
    const float fs = ImGui::GetFontSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const int n = sim.n, H = std::max(1, hs.n_head);
    dl->AddText(origin, dim, tr("ui.similarity.mds_layout_close_similar"));
    const float pad = fs * 1.2f;
    // Room on the right for the names beside the rightmost dots.
    const float names_w = hs.similarity_names ? ImGui::CalcTextSize("L00H00").x : 0.0f;
    const ImVec2 p0(origin.x + pad, origin.y + fs * 1.6f),
        p1(origin.x + std::max(pad * 3, size.x - pad * 1.5f - names_w), origin.y + size.y - pad);
    dl->AddRect(ImVec2(p0.x - pad * 0.5f, p0.y - pad * 0.5f), ImVec2(p1.x + pad * 0.5f + names_w, p1.y + pad * 0.5f), dim);
    // Heads with bad values have no coordinates (NaN): they are not drawn, and a line in the bad colour says how many.
    const int n_bad = static_cast<int>(std::count(sim.bad.begin(), sim.bad.end(), 1));
    if (n_bad > 0) {
        char note[128];
        std::snprintf(note, sizeof note, tr("ui.similarity.bad_heads_not_placed"), n_bad);
        dl->AddText(ImVec2(origin.x + ImGui::CalcTextSize(tr("ui.similarity.mds_layout_close_similar")).x + fs, origin.y),
                    colormap_bad_color(), note);
    }
    float lo[2] = {1e30f, 1e30f}, hi[2] = {-1e30f, -1e30f};
    for (int i = 0; i < n; ++i) {
        if (sim.bad[i]) continue;
        for (int k = 0; k < 2; ++k) {
            lo[k] = std::min(lo[k], sim.layout[2 * i + k]);
            hi[k] = std::max(hi[k], sim.layout[2 * i + k]);
        }
    }
    // One scale for both axes: distances on screen stay proportional to the divergences.
    const float span = std::max({hi[0] - lo[0], hi[1] - lo[1], 1e-6f});
    const float scale = std::min(p1.x - p0.x, p1.y - p0.y) / span;
    const ImVec2 centre((p0.x + p1.x) * 0.5f, (p0.y + p1.y) * 0.5f);
    const float r = std::clamp(fs * 0.3f, 3.0f, 8.0f);
    std::vector<ImVec2> at(n, ImVec2(-1e9f, -1e9f));   // far off: scatter_pick never finds an unplaced head
    app.widgets.similarity_dots.assign(n, {});
    for (int i = 0; i < n; ++i) {
        if (sim.bad[i]) continue;
        at[i] = ImVec2(centre.x + (sim.layout[2 * i] - (lo[0] + hi[0]) * 0.5f) * scale,
                       centre.y - (sim.layout[2 * i + 1] - (lo[1] + hi[1]) * 0.5f) * scale);
        app.widgets.similarity_dots[i] = {at[i].x - r, at[i].y - r, 2 * r, 2 * r};
    }
    const bool names = hs.similarity_names && n <= 256;
    char buf[16];
    for (int i = 0; i < n; ++i) {
        if (sim.bad[i]) continue;
        const HeadLabel label = i < static_cast<int>(hs.labels.size()) ? hs.labels[i] : HeadLabel{};
        dl->AddCircleFilled(at[i], r, head_label_color(label));
        dl->AddCircle(at[i], r, IM_COL32(0, 0, 0, 200));
        if (names) {
            head_name(buf, sizeof buf, i, H);
            dl->AddText(ImVec2(at[i].x + r + 2, at[i].y - fs * 0.5f), dim, buf);
        }
    }
    const int selected = app.selection.layer * H + app.selection.head;
    if (!app.picture_only && selected >= 0 && selected < n && !sim.bad[selected]) dl->AddCircle(at[selected], r + 4.0f, theme_accent(), 0, 2.5f);
    if (!app.picture_only) {
        ImGui::SetCursorScreenPos(ImVec2(p0.x - pad * 0.5f, p0.y - pad * 0.5f));
        ImGui::InvisibleButton("##similarity_layout", ImVec2(std::max(1.0f, p1.x - p0.x + pad), std::max(1.0f, p1.y - p0.y + pad)));
        if (ImGui::IsItemHovered()) {
            const int best = scatter_pick(at, ImGui::GetIO().MousePos, std::max(r * 1.8f, fs * 0.6f));
            if (best >= 0) {
                dl->AddCircle(at[best], r + 3.0f, text, 0, 1.5f);
                head_name(buf, sizeof buf, best, H);
                const HeadLabel* l = best < static_cast<int>(hs.labels.size()) ? &hs.labels[best] : nullptr;
                ImGui::SetTooltip(tr("ui.similarity.confidence_click_to_open"), buf,
                                  l ? head_label_text(*l, current_language()) : "-", l ? l->confidence : 0.0f);
                if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) open_head(app, best / H, best % H);
            }
        }
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(size);
}

// The heads of the selected layer as thumbnails (the grid's textures and keys, so nothing is re-sent).
void show_layer_side_by_side(App& app, const AttentionView& view, const HeadsState& hs, ImVec2 size) {
    const AttentionTensor* a = view.attention;
    app.widgets.layer_heads.clear();
    if (!a || a->empty()) return;
    const float fs = ImGui::GetFontSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const int l = std::clamp(app.selection.layer, 0, a->n_layer - 1), H = a->n_head;
    char buf[64];
    std::snprintf(buf, sizeof buf, tr("ui.similarity.heads_of_layer_side"), l);
    ImGui::TextDisabled("%s", buf);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float gap = fs * 0.4f;
    const float tile = std::max(fs * 2.0f, std::min({(size.x - gap * H) / H, size.y - fs * 2.6f, fs * 12.0f}));
    const uint64_t key = shown_attention_key(app);
    for (int h = 0; h < H; ++h) {
        const ImVec2 p0(origin.x + h * (tile + gap), origin.y), p1(p0.x + tile, p0.y + tile);
        HeatmapImage image;
        image.values = a->head(l, h);
        image.rows = a->n_query;
        image.cols = a->n_key;
        image.causal = a->causal;
        image.key = (key << 24) ^ (static_cast<uint64_t>(l) << 12) ^ static_cast<uint64_t>(h);
        image.colormap = app.selection.colormap;
        image.max_side = 64;
        if (app.config.textures) dl->AddImage(app.config.textures->heatmap_texture(kSlotGridTiles + l * H + h, image), p0, p1);
        else dl->AddRectFilled(p0, p1, IM_COL32(40, 40, 40, 255));
        if (!app.picture_only && h == app.selection.head)
            dl->AddRect(ImVec2(p0.x - 2, p0.y - 2), ImVec2(p1.x + 2, p1.y + 2), theme_accent(), 0.0f, 0, 3.0f);
        app.widgets.layer_heads.push_back({p0.x, p0.y, tile, tile});
        const size_t i = static_cast<size_t>(l) * H + h;
        std::snprintf(buf, sizeof buf, "H%d", h);
        dl->AddText(ImVec2(p0.x, p1.y + fs * 0.2f), dim, buf);
        if (i < hs.labels.size()) {
            const float bx = p0.x + ImGui::CalcTextSize(buf).x + fs * 0.3f;
            draw_head_badge(dl, ImVec2(bx, p1.y + fs * 0.2f), hs.labels[i], fs * 0.8f);
        }
        if (!app.picture_only) {
            ImGui::SetCursorScreenPos(p0);
            ImGui::PushID(h);
            if (ImGui::InvisibleButton("##layer_head", ImVec2(tile, tile))) open_head(app, l, h);
            if (ImGui::IsItemHovered() && i < hs.labels.size())
                ImGui::SetTooltip(tr("ui.similarity.l_h_confidence"), l, h, head_label_text(hs.labels[i], current_language()),
                                  hs.labels[i].confidence, head_label_what(hs.labels[i], current_language()));
            ImGui::PopID();
        }
    }
    ImGui::SetCursorScreenPos(origin);
    ImGui::Dummy(ImVec2(std::max(1.0f, H * (tile + gap)), tile + fs * 1.6f));
}

}  // namespace

void show_similarity_view(App& app, const AttentionView& view, PieceStyle) {
    app.widgets.similarity_dots.clear();
    HeadsState& hs = app_heads_current(app);
    const HeadSimilarity& sim = app_heads_similarity(app);
    if (hs.stats.empty() || sim.n == 0) {
        app.widgets.layer_heads.clear();
        ImGui::TextDisabled("%s", tr("ui.similarity.head_similarity"));
        if (!show_heads_pending(app)) ImGui::TextWrapped("%s", tr("ui.common.no_attention_to_show"));
        return;
    }
    const float fs = ImGui::GetFontSize();
    if (!app.picture_only) {
        ImGui::TextUnformatted(tr("ui.similarity.which_heads_do_the"));
        same_line_if_fits(ImGui::CalcTextSize("(?)").x);
        ImGui::TextDisabled("(?)");
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("ui.similarity.jensen_shannon_divergence_between"));
        same_line_if_fits(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(tr("ui.similarity.names")).x);
        ImGui::Checkbox(tr_id("ui.similarity.names"), &hs.similarity_names);
        widget_mark("similarity_names");
    }
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float strip_h = std::min(fs * 9.0f, avail.y * 0.32f);
    const float top_h = std::max(fs * 8.0f, avail.y - strip_h - fs * 1.5f);
    const float side = std::min(top_h - fs * 2.5f, avail.x * 0.48f);
    const ImVec2 row = ImGui::GetCursorScreenPos();
    show_matrix(app, sim, hs.n_head, side);
    ImGui::SetCursorScreenPos(ImVec2(row.x + side + fs, row.y));
    show_layout(app, sim, hs, ImVec2(std::max(fs * 8.0f, avail.x - side - fs), top_h));
    ImGui::SetCursorScreenPos(ImVec2(row.x, row.y + top_h + fs * 0.3f));
    show_layer_side_by_side(app, view, hs, ImVec2(avail.x, strip_h));
}

}  // namespace attn
