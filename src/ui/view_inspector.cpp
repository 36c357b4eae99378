// The token inspector (top of the right panel): which token is in focus (pinned, hovered, or the last)
// and where it looks in every layer and head. Its attention rows are stacked into one small heatmap,
// one strip per head (rows L0 H0, L0 H1, ..., columns = keys), drawn as a texture like the heatmap.
// Why strips and not a table of top keys: at 12 x 12 heads a table is 144 lines of text, while strips
// show the whole row of every head in a glance, and a key that every head attends to (the first token,
// the previous token) reads as a vertical stripe. The exact numbers are one hover away.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "analysis/head_average.h"
#include "analysis/head_summary.h"
#include "core/i18n.h"
#include "imgui.h"
#include "ui/draw_text.h"
#include "ui/head_options.h"
#include "ui/heatmap_cells.h"
#include "ui/theme.h"
#include "ui/views.h"

namespace attn {

namespace {


// The (up to) three keys `row` weighs most, strongest first.
std::vector<int> top_keys(const float* row, int n_key) {
    std::vector<int> order(static_cast<size_t>(n_key));
    for (int s = 0; s < n_key; ++s) order[static_cast<size_t>(s)] = s;
    const size_t k = static_cast<size_t>(std::min(3, n_key));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                      [row](int x, int y) { return row[x] > row[y]; });
    order.resize(k);
    return order;
}

// One line per key, "  'the'  0.62", so nothing wraps mid-number in a narrow panel.
void top_keys_lines(const float* row, int n_key, const std::vector<std::string>& labels) {
    for (int s : top_keys(row, n_key))
        ImGui::Text("   %.2f  '%s'", row[s], label_elide(labels[static_cast<size_t>(s)], 16).c_str());
}

}  // namespace

void show_inspector(Selection& sel, const InspectorData& d) {
    ImGui::TextDisabled("%s", tr("ui.inspector.token"));
    const AttentionTensor* a = d.attention;
    if (!a || a->empty() || a->n_query == 0 || a->n_key == 0 || !d.queries || !d.keys) {
        ImGui::TextWrapped("%s", tr("ui.inspector.type_some_text_the"));
        return;
    }
    const int T = a->n_query, L = a->n_layer, H = a->n_head;
    const int q = selection_focus_query(sel, T);
    // A causal query sees keys up to itself only: the strips stop there instead of showing masked cells.
    const int K = a->causal ? std::min(a->n_key, q + 1 + (a->n_key - T)) : a->n_key;
    const ImFont* font = ImGui::GetFont();
    std::vector<std::string> keys = token_labels_for_font(*d.keys, a->n_key, d.piece_style, font);
    std::string label = d.queries == d.keys ? keys[static_cast<size_t>(q)]
                                            : token_labels_for_font(*d.queries, T, d.piece_style, font)[static_cast<size_t>(q)];

    ImGui::PushStyleColor(ImGuiCol_Text, theme_accent());
    ImGui::TextWrapped("'%s'", label_elide(label, 24).c_str());
    ImGui::PopStyleColor();
    const int id = q < static_cast<int>(d.queries->ids.size()) ? d.queries->ids[static_cast<size_t>(q)] : -1;
    ImGui::Text(tr("ui.common.id_position"), id, q);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    if (sel.pinned_query == q)
        ImGui::TextWrapped("%s", tr("ui.inspector.pinned_esc_or_click"));
    else if (sel.hover_query == q)
        ImGui::TextWrapped("%s", tr("ui.inspector.under_the_mouse_click"));
    else
        ImGui::TextWrapped("%s", tr("ui.inspector.the_last_token_click"));
    ImGui::PopStyleColor();

    // Strips: (L * H, K), gathered from the (L, H, T, S) tensor; a few thousand floats per frame.
    std::vector<float> strips(static_cast<size_t>(L) * H * K);
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h)
            std::copy_n(a->head(l, h) + static_cast<size_t>(q) * a->n_key, K,
                        strips.data() + (static_cast<size_t>(l) * H + h) * K);
    HeatmapImage image;
    image.values = strips.data();
    image.rows = L * H;
    image.cols = K;
    image.key = (d.trace_version << 24) ^ static_cast<uint64_t>(q);
    image.colormap = sel.colormap;
    if (sel.auto_scale) image.vmax = std::max(heatmap_max(image), 1e-6f);

    ImGui::Spacing();
    ImGui::TextDisabled("%s", tr("ui.inspector.its_row_in_every"));
    const float fs = ImGui::GetFontSize();
    char buf[32];
    std::snprintf(buf, sizeof buf, "L%d", L - 1);
    const float label_w = ImGui::CalcTextSize(buf).x + fs * 0.4f;
    const float avail_h = ImGui::GetContentRegionAvail().y;
    const float row_h = std::clamp(std::min(avail_h * 0.4f, fs * 14.0f) / (L * H), 2.0f, fs * 0.8f);
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 p0(origin.x + label_w, origin.y);
    ImVec2 size(std::max(8.0f, ImGui::GetContentRegionAvail().x - label_w), row_h * L * H);
    ImGui::SetCursorScreenPos(p0);
    if (d.textures)
        ImGui::Image(d.textures->heatmap_texture(kSlotInspector, image), size);
    else
        ImGui::Dummy(size);
    const bool hovered = ImGui::IsItemHovered();

    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled), bg = ImGui::GetColorU32(ImGuiCol_WindowBg);
    const int layer_step = row_h * H >= fs * 0.9f ? 1 : static_cast<int>(fs * 0.9f / (row_h * H)) + 1;
    for (int l = 0; l < L; ++l) {
        const float y = p0.y + l * H * row_h;
        if (l > 0 && row_h * H >= 6.0f) dl->AddLine(ImVec2(p0.x, y), ImVec2(p0.x + size.x, y), bg, 1.0f);   // layer gap
        if (l % layer_step != 0 && l != sel.layer) continue;
        std::snprintf(buf, sizeof buf, "L%d", l);
        dl->AddText(ImVec2(origin.x, y + std::max(0.0f, (H * row_h - fs) * 0.5f)), l == sel.layer ? theme_accent() : dim, buf);
    }
    // The selected head's strip gets an accent frame: it is the row the heatmap shows.
    if (sel.layer < L && sel.head < H) {
        const float y = p0.y + (sel.layer * H + sel.head) * row_h;
        dl->AddRect(ImVec2(p0.x - 1, y - 1), ImVec2(p0.x + size.x + 1, y + row_h + 1), theme_accent(), 0.0f, 0, 1.5f);
    }
    if (hovered) {
        ImVec2 m = ImGui::GetIO().MousePos;
        const int r = std::clamp(static_cast<int>((m.y - p0.y) / row_h), 0, L * H - 1);
        const int s = std::clamp(static_cast<int>((m.x - p0.x) / size.x * K), 0, K - 1);
        const float* row = strips.data() + static_cast<size_t>(r) * K;
        ImGui::BeginTooltip();
        ImGui::Text(tr("ui.inspector.l_h_looks_at"), r / H, r % H, label_elide(label, 14).c_str(),
                    label_elide(keys[static_cast<size_t>(s)], 14).c_str(), row[s]);
        ImGui::TextDisabled("%s", tr("ui.inspector.strongest_keys"));
        top_keys_lines(row, K, keys);
        ImGui::EndTooltip();
    }
    ImGui::SetCursorScreenPos(ImVec2(origin.x, p0.y + size.y + 2.0f));
    ImGui::TextDisabled(tr("ui.inspector.keys_hover_for_numbers"), K - 1);
    if (sel.layer < L && sel.head < H && sel.head_mode != HeadMode::one) {
        // The heatmap shows a head average: so does this line.
        const std::vector<int> used =
            head_average_heads(*a, sel.head_mode == HeadMode::average_chosen ? sel.averaged_heads : std::vector<int>{});
        std::vector<float> avg(static_cast<size_t>(K), 0.0f);
        for (int h : used)
            for (int s = 0; s < K; ++s) avg[s] += strips[(static_cast<size_t>(sel.layer) * H + h) * K + s] / used.size();
        ImGui::TextWrapped(tr("ui.inspector.in_l_the_average"), sel.layer, head_list_text(used).c_str());
        top_keys_lines(avg.data(), K, keys);
    } else if (sel.layer < L && sel.head < H) {
        const float* row = strips.data() + (static_cast<size_t>(sel.layer) * H + sel.head) * K;
        ImGui::Text(tr("ui.inspector.in_l_h_it"), sel.layer, sel.head);
        top_keys_lines(row, K, keys);
    }
    ImGui::Spacing();
    ImGui::Separator();
}

// This token's row in every head of `layer`: entropy (nats, and normalised by ln of the keys it can
// see) and mean distance, so a sharp previous-token head and a spread-out one read apart at once.
void show_inspector_row_stats(const Selection& sel, const InspectorData& d) {
    const AttentionTensor* ap = d.attention;
    if (!ap || ap->empty() || ap->n_query == 0 || sel.layer >= ap->n_layer) return;
    const AttentionTensor& a = *ap;
    const int layer = sel.layer, q = selection_focus_query(sel, a.n_query), selected_head = sel.head;
    const bool same_sequence = d.queries == d.keys;
    ImGui::Spacing();
    ImGui::TextDisabled(tr("ui.inspector.token_s_row_in"), q, layer);
    if (!ImGui::BeginTable("row_stats", 4, ImGuiTableFlags_SizingStretchProp)) return;
    for (const char* name : {"head", "entropy", "norm", "distance"}) ImGui::TableSetupColumn(name);
    ImGui::TableHeadersRow();
    for (int h = 0; h < a.n_head; ++h) {
        const RowStats r = row_stats(a.head(layer, h) + static_cast<size_t>(q) * a.n_key, a.n_key, q, a.causal, same_sequence);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        if (h == selected_head) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(theme_accent()), tr("ui.common.h"), h);
        else ImGui::Text(tr("ui.common.h"), h);
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", r.entropy);
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", r.entropy_norm);
        ImGui::TableNextColumn();
        if (r.mean_distance >= 0.0f) ImGui::Text("%.1f", r.mean_distance);
        else ImGui::TextDisabled("-");
    }
    ImGui::EndTable();
}

}  // namespace attn
