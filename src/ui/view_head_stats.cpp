// The head statistics table (right panel): per head of the selected layer, how spread out it looks
// (entropy) and how far (mean distance), so "which head looks at the previous token" is a glance.
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/heads_cache.h"
#include "ui/head_options.h"
#include "ui/theme.h"
#include "ui/views.h"

namespace attn {

void show_head_stats_table(Selection& sel, const std::vector<RowStats>& stats,
                           std::vector<std::array<float, 4>>* row_rects, const HeadLabel* labels) {
    if (row_rects) row_rects->clear();
    if (stats.empty()) return;
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextDisabled(tr("ui.head_stats.heads_of_layer"), sel.layer);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", tr("ui.head_stats.means_over_the_rows"));
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("head_stats", labels ? 5 : 4, flags)) return;
    ImGui::TableSetupColumn(tr("ui.columns.head"));
    ImGui::TableSetupColumn(tr("ui.columns.entropy"));
    ImGui::TableSetupColumn(tr("ui.columns.norm"));
    ImGui::TableSetupColumn(tr("ui.columns.distance"));
    if (labels) ImGui::TableSetupColumn(tr("ui.columns.label"));
    ImGui::TableHeadersRow();
    for (int h = 0; h < static_cast<int>(stats.size()); ++h) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        char label[24];
        std::snprintf(label, sizeof label, "H%d##stats", h);
        const bool selected = h == sel.head && sel.head_mode == HeadMode::one;
        if (ImGui::Selectable(label, selected, ImGuiSelectableFlags_SpanAllColumns)) {
            sel.head = h;
            sel.head_mode = HeadMode::one;
        }
        if (row_rects) row_rects->push_back(last_item_rect());
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", stats[h].entropy);
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", stats[h].entropy_norm);
        ImGui::TableNextColumn();
        if (stats[h].mean_distance >= 0.0f) ImGui::Text("%.1f", stats[h].mean_distance);
        else ImGui::TextDisabled("-");
        if (labels) {   // the heads view's pattern, as the grid's badge
            ImGui::TableNextColumn();
            const HeadLabel& l = labels[h];
            const Language lang = current_language();
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(head_label_color(l)), "%s", head_label_badge(l, lang));
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip(tr("ui.head_stats.confidence"), head_label_text(l, lang), l.confidence, head_label_what(l, lang));
        }
    }
    ImGui::EndTable();
}

}  // namespace attn
