// The Lessons panel (lessons_view.h): draws the open page and reports clicks. Every word on it is from
// the string tables (lessons.*) or the lesson file.
#include <algorithm>
#include <string>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/lessons_view.h"
#include "ui/theme.h"
#include "ui/views.h"
#include "ui/widget_marks.h"

namespace attn {

namespace {

ImVec4 right_colour() { return theme_is_light() ? ImVec4(0.05f, 0.5f, 0.15f, 1.0f) : ImVec4(0.45f, 0.9f, 0.5f, 1.0f); }

void set_rect(std::array<float, 4>* out) {
    if (out) *out = last_item_rect();
}

// The exercise's answer buttons: the choices, or one button per head (rows per layer); the answered
// one shows as selected.
void show_answers(const LessonsPanelData& d, LessonsPanelActions& a) {
    if (d.choice_rects) d.choice_rects->clear();
    if (d.head_rects) d.head_rects->clear();
    const float right_edge = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    auto wrap = [&](const std::string& label, bool first) {
        const float w = ImGui::CalcTextSize(label.c_str()).x + ImGui::GetStyle().FramePadding.x * 2.0f;
        if (!first && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w <= right_edge) ImGui::SameLine();
    };
    if (d.kind == ExerciseKind::head) {
        ImGui::TextDisabled("%s", tr("lessons.click_tile"));
        for (int l = 0; l < d.n_layer; ++l)
            for (int h = 0; h < d.n_head; ++h) {
                const int i = l * d.n_head + h;
                const std::string label = head_name(l, h);   // "L1H3", the name the grid and the feedback use
                if (h > 0) wrap(label, false);
                const bool chosen = d.answered && d.chosen == i;
                if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
                const std::string id = label + "##lessons_head" + std::to_string(i);
                if (ImGui::SmallButton(id.c_str())) a.head = i;
                if (chosen) ImGui::PopStyleColor();
                if (d.head_rects) d.head_rects->push_back(last_item_rect());
            }
        return;
    }
    for (size_t i = 0; i < d.choices.size(); ++i) {
        wrap(d.choices[i], i == 0);
        const bool chosen = d.answered && d.chosen == static_cast<int>(i);
        if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        const std::string id = d.choices[i] + "##lessons_choice" + std::to_string(i);
        if (ImGui::Button(id.c_str())) a.choice = static_cast<int>(i);
        if (chosen) ImGui::PopStyleColor();
        if (d.choice_rects) d.choice_rects->push_back(last_item_rect());
    }
}

}  // namespace

LessonsPanelActions show_lessons_panel(const LessonsPanelData& d) {
    LessonsPanelActions a;
    ImGui::Spacing();
    if (d.open >= 0) ImGui::SetNextItemOpen(true, ImGuiCond_Once);
    const bool open = ImGui::CollapsingHeader(tr_id("lessons.title"));
    set_rect(d.header_rect);
    widget_mark("lessons_panel");
    if (!open || !d.has_model) return a;
    if (d.titles.empty()) {
        ImGui::TextDisabled("%s", trf("lessons.none", {{"models", d.available}}).c_str());
        return a;
    }
    const float width = std::max(1.0f, ImGui::GetContentRegionAvail().x);
    if (d.open < 0) {
        for (size_t i = 0; i < d.titles.size(); ++i) {
            ImGui::TextUnformatted(d.titles[i].c_str());
            const std::string id = std::string(tr("lessons.start")) + "##lessons_start" + std::to_string(i);
            if (ImGui::Button(id.c_str())) a.pick = static_cast<int>(i);
            if (i == 0) set_rect(d.start_rect);
            widget_mark("lessons_start");
        }
        ImGui::TextDisabled("%s", trf("lessons.score", {{"right", std::to_string(d.score.right)},
                                                        {"attempted", std::to_string(d.score.attempted)}}).c_str());
        return a;
    }
    if (d.titles.size() > 1) {
        ImGui::SetNextItemWidth(width);
        if (ImGui::BeginCombo("##lessons_pick", d.titles[static_cast<size_t>(d.open)].c_str())) {
            for (size_t i = 0; i < d.titles.size(); ++i)
                if (ImGui::Selectable(d.titles[i].c_str(), static_cast<int>(i) == d.open)) a.pick = static_cast<int>(i);
            ImGui::EndCombo();
        }
    } else {
        ImGui::TextUnformatted(d.titles[static_cast<size_t>(d.open)].c_str());
    }
    // Page navigation first, so it stays in the same place whatever the page says.
    ImGui::BeginDisabled(d.page <= 0);
    if (ImGui::Button(tr_id("lessons.prev"))) a.page_step = -1;
    ImGui::EndDisabled();
    set_rect(d.prev_rect);
    widget_mark("lessons_prev");
    ImGui::SameLine();
    ImGui::TextUnformatted(trf("lessons.page", {{"n", std::to_string(d.page + 1)}, {"total", std::to_string(d.pages)}}).c_str());
    ImGui::SameLine();
    ImGui::BeginDisabled(d.page + 1 >= d.pages);
    if (ImGui::Button(tr_id("lessons.next"))) a.page_step = 1;
    ImGui::EndDisabled();
    set_rect(d.next_rect);
    widget_mark("lessons_next");
    ImGui::SameLine();
    if (ImGui::SmallButton(tr_id("lessons.close"))) a.close = true;

    ImGui::Separator();
    ImGui::PushStyleColor(ImGuiCol_Text, theme_accent_vec());
    ImGui::TextUnformatted(d.page_title.c_str());
    ImGui::PopStyleColor();
    ImGui::TextUnformatted(d.page_text.c_str());
    if (d.can_type) {
        if (ImGui::Button(tr_id("lessons.type_it"))) a.type = true;
        set_rect(d.type_rect);
        widget_mark("lessons_type");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("lessons.type_it_tip"));
    }
    if (d.kind != ExerciseKind::none) {
        ImGui::Spacing();
        ImGui::TextDisabled("%s", tr("lessons.predict"));
        ImGui::TextUnformatted(d.prompt.c_str());
        if (!d.error.empty()) {
            ImGui::TextColored(theme_error(), "%s", trf("lessons.error", {{"error", d.error}}).c_str());
        } else {
            show_answers(d, a);
            if (d.answered) {
                // The verdict in colour, the numbers and the why in the text colour.
                const size_t line = std::min(d.feedback.find('\n'), d.feedback.size());
                ImGui::PushStyleColor(ImGuiCol_Text, d.right ? right_colour() : theme_error());
                ImGui::TextUnformatted(d.feedback.substr(0, line).c_str());
                ImGui::PopStyleColor();
                if (line < d.feedback.size()) ImGui::TextUnformatted(d.feedback.substr(line + 1).c_str());
                // A tile clicked in the grid answers here: bring the verdict into view, or it goes unseen.
                if (d.scroll_to_feedback) ImGui::SetScrollHereY(1.0f);
                widget_mark("lessons_feedback");
            }
        }
    }
    ImGui::Spacing();
    ImGui::TextDisabled("%s", trf("lessons.score", {{"right", std::to_string(d.score.right)},
                                                    {"attempted", std::to_string(d.score.attempted)}}).c_str());
    widget_mark("lessons_score");
    return a;
}

}  // namespace attn
