// The heatmap's view options on one quiet line: which heads (the selected one, the average of all, or
// the average of a chosen set, with a checkbox per head) and whether sub-word pieces merge into words.
#include <algorithm>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/head_options.h"

namespace attn {

namespace {

const char* const kHeadModeKeys[] = {"ui.head_options.one_head", "ui.head_options.average_of_all", "ui.head_options.average_of_chosen"};

}  // namespace

void show_head_options(Selection& sel, int n_head, bool value_weighted) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", tr("ui.head_options.heads"));
    ImGui::SameLine();
    const char* const labels[] = {tr(kHeadModeKeys[0]), tr(kHeadModeKeys[1]), tr(kHeadModeKeys[2])};
    ImGui::SetNextItemWidth(ImGui::CalcTextSize(labels[2]).x + ImGui::GetFrameHeight() * 1.5f);
    int mode = static_cast<int>(sel.head_mode);
    if (ImGui::Combo("##heads", &mode, labels, 3)) {
        sel.head_mode = static_cast<HeadMode>(mode);
        // Choosing starts from the selected head, so the picture does not jump.
        if (sel.head_mode == HeadMode::average_chosen && sel.averaged_heads.empty()) sel.averaged_heads = {sel.head};
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", tr("ui.head_options.averaging_every_head_s"));
    ImGui::SameLine();
    ImGui::Checkbox(tr_id("ui.head_options.words"), &sel.words);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", tr("ui.head_options.merge_sub_word_pieces"));
    // Only on the same line: at projector fonts in a small window the heatmap keeps the room instead.
    const float vw_w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(tr("ui.head_options.value_weighted")).x;
    if (value_weighted && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + vw_w <=
                              ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x) {
        ImGui::SameLine();
        ImGui::Checkbox(tr_id("ui.head_options.value_weighted"), &sel.value_weighted);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("ui.head_options.each_weight_times_the"));
    }
    if (sel.head_mode != HeadMode::average_chosen) return;
    for (int h = 0; h < n_head; ++h) {
        const bool on = std::find(sel.averaged_heads.begin(), sel.averaged_heads.end(), h) != sel.averaged_heads.end();
        char label[16];
        std::snprintf(label, sizeof label, "H%d", h);
        bool value = on;
        // Wrap instead of running off a narrow window.
        const float w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
        if (h == 0 || ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w < ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
            ImGui::SameLine();
        if (ImGui::Checkbox(label, &value)) {
            if (value) sel.averaged_heads.push_back(h);
            else sel.averaged_heads.erase(std::remove(sel.averaged_heads.begin(), sel.averaged_heads.end(), h),
                                          sel.averaged_heads.end());
            std::sort(sel.averaged_heads.begin(), sel.averaged_heads.end());
        }
    }
}

}  // namespace attn
