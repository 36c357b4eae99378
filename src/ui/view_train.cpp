// The left panel's "Train a model" section: the task picker, start / pause / resume / reset, the speed,
// the step counter and steps per second, the loss and accuracy curves as they grow (from the trainer's
// own log, the data loss.png is drawn from), the live induction score, and the way back to the model
// that was loaded before. Draws and answers; app_train.cpp does the work after the frame.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/theme.h"
#include "ui/train_state.h"
#include "ui/widget_marks.h"

namespace attn {
namespace {

// The loss per step, and the held-out accuracy where the trainer measured it (else the batch accuracy,
// so a short run has a curve from its first steps).
void show_curves(const std::vector<TrainLogRow>& log, float width) {
    if (log.empty()) return;
    std::vector<float> loss, held_out, batch;
    loss.reserve(log.size());
    for (const TrainLogRow& r : log) {
        loss.push_back(static_cast<float>(r.loss));
        batch.push_back(static_cast<float>(r.train_accuracy));
        if (r.held_out_accuracy >= 0.0) held_out.push_back(static_cast<float>(r.held_out_accuracy));
    }
    const float height = ImGui::GetTextLineHeight() * 4.0f;
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, tr("ui.train.loss"), loss.back());
    const float top = *std::max_element(loss.begin(), loss.end());
    ImGui::PlotLines("##train_loss", loss.data(), static_cast<int>(loss.size()), 0, overlay, 0.0f, top, ImVec2(width, height));
    widget_mark("train_loss");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.train.cross_entropy_per_scored"));
    const bool use_held_out = held_out.size() >= 2;
    const std::vector<float>& acc = use_held_out ? held_out : batch;
    if (use_held_out)
        std::snprintf(overlay, sizeof overlay, tr("ui.train.held_out_accuracy"), 100.0f * acc.back());
    else if (held_out.size() == 1)   // one measurement is a number, not yet a curve
        std::snprintf(overlay, sizeof overlay, tr("ui.train.batch_accuracy_held_out"), 100.0f * acc.back(),
                      100.0f * held_out.back());
    else
        std::snprintf(overlay, sizeof overlay, tr("ui.train.batch_accuracy"), 100.0f * acc.back());
    ImGui::PlotLines("##train_accuracy", acc.data(), static_cast<int>(acc.size()), 0, overlay, 0.0f, 1.0f, ImVec2(width, height));
    widget_mark("train_accuracy");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(use_held_out ? tr("ui.train.the_task_s_accuracy")
                                       : tr("ui.train.the_share_of_scored"));
}

}  // namespace

TrainPanelAnswer show_train_panel(const TrainPanelView& v) {
    TrainPanelAnswer a;
    ImGui::Spacing();
    if (v.open) ImGui::SetNextItemOpen(true);
    const bool open = ImGui::CollapsingHeader(tr_id("ui.train.train_a_model"));
    widget_mark("train_panel");
    if (!open) return a;
    const float width = std::max(1.0f, ImGui::GetContentRegionAvail().x);
    ImGui::TextDisabled("%s", tr("ui.train.trains_a_small_model"));
    ImGui::SetNextItemWidth(std::min(width, ImGui::CalcTextSize("translate").x * 2.5f));
    const char* current = v.tasks.empty() ? "" : v.tasks[static_cast<size_t>(v.task_index)].c_str();
    if (ImGui::BeginCombo(tr_id("ui.train.task"), current)) {
        for (size_t i = 0; i < v.tasks.size(); ++i)
            if (ImGui::Selectable(v.tasks[i].c_str(), static_cast<int>(i) == v.task_index)) a.task = v.tasks[i];
        ImGui::EndCombo();
    }
    widget_mark("train_task");
    if (ImGui::Button(v.has_trainer ? tr("ui.train.start_over") : tr("ui.train.start"))) a.action = TrainAction::start;
    widget_mark("train_start");
    if (v.has_trainer) {
        ImGui::SameLine();
        if (v.running) {
            if (ImGui::Button(tr_id("ui.train.pause"))) a.action = TrainAction::pause;
            widget_mark("train_pause");
        } else if (!v.finished) {
            if (ImGui::Button(tr_id("ui.train.resume"))) a.action = TrainAction::resume;
            widget_mark("train_resume");
        }
        ImGui::SameLine();
        if (ImGui::Button(tr_id("ui.train.reset"))) a.action = TrainAction::reset;
        widget_mark("train_reset");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("ui.train.fresh_weights_from_the"));
    }
    ImGui::SetNextItemWidth(std::min(width, ImGui::CalcTextSize(tr("ui.train.speed_3")).x * 2.5f));
    // A speed's name in the current language: ui.train.speed_<index> (kTrainSpeeds' order).
    auto speed_label = [](int i) { return tr(("ui.train.speed_" + std::to_string(i)).c_str()); };
    if (ImGui::BeginCombo(tr_id("ui.train.speed"), speed_label(v.speed))) {
        for (int i = 0; i < kTrainSpeedCount; ++i)
            if (ImGui::Selectable(speed_label(i), i == v.speed)) a.speed = i;
        ImGui::EndCombo();
    }
    widget_mark("train_speed");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(tr("ui.train.how_much_of_each"),
                          kTrainSpeeds[v.speed].slice_ms);
    if (v.has_trainer) {
        ImGui::Text(tr("ui.train.step_steps_s"), v.step, v.total_steps, v.steps_per_second,
                    v.finished ? tr("ui.train.finished") : v.running ? "" : tr("ui.train.paused"));
        if (v.log) show_curves(*v.log, width);
        if (v.induction_score >= 0.0f)
            ImGui::Text(tr("ui.train.best_induction_score_layer"), v.induction_score, v.induction_layer,
                        v.induction_head);
        if (v.following) {
            ImGui::TextDisabled(tr("ui.train.the_explorer_shows_this"), v.shown_step);
        } else {
            if (ImGui::SmallButton(tr_id("ui.train.show_the_model_in"))) a.action = TrainAction::show_model;
            widget_mark("train_show");
        }
        if (!v.previous_name.empty()) {
            if (ImGui::SmallButton(trf("pictures.train.back_to", {{"name", v.previous_name}}).c_str())) a.action = TrainAction::back;
            widget_mark("train_back");
        }
        if (v.can_save) {
            if (ImGui::Button(tr_id("ui.train.save_model"))) a.action = TrainAction::save;
            widget_mark("train_save");
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", tr("ui.train.the_folder_tools_train"));
        }
    }
    if (!v.saved_to.empty()) ImGui::TextDisabled("%s", v.saved_to.c_str());
    if (!v.error.empty()) ImGui::TextColored(theme_error(), "%s", v.error.c_str());
    else if (!v.notice.empty() && v.saved_to.empty()) ImGui::TextDisabled("%s", v.notice.c_str());
    return a;
}

}  // namespace attn
