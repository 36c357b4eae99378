// The left panel's "Train a model" section: the task picker, start / pause / resume / reset, the speed,
// the step counter and steps per second, the loss and accuracy curves as they grow (from the trainer's
// own log, the data loss.png is drawn from), the live induction score, and the way back to the model
// that was loaded before. Draws and answers; app_train.cpp does the work after the frame.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "imgui.h"
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
    std::snprintf(overlay, sizeof overlay, "loss %.3f", loss.back());
    const float top = *std::max_element(loss.begin(), loss.end());
    ImGui::PlotLines("##train_loss", loss.data(), static_cast<int>(loss.size()), 0, overlay, 0.0f, top, ImVec2(width, height));
    widget_mark("train_loss");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Cross-entropy per scored word of each batch, from step 1 (left) to now.");
    const bool use_held_out = held_out.size() >= 2;
    const std::vector<float>& acc = use_held_out ? held_out : batch;
    if (use_held_out)
        std::snprintf(overlay, sizeof overlay, "held-out accuracy %.1f%%", 100.0f * acc.back());
    else if (held_out.size() == 1)   // one measurement is a number, not yet a curve
        std::snprintf(overlay, sizeof overlay, "batch accuracy %.1f%% (held-out %.1f%%)", 100.0f * acc.back(),
                      100.0f * held_out.back());
    else
        std::snprintf(overlay, sizeof overlay, "batch accuracy %.1f%%", 100.0f * acc.back());
    ImGui::PlotLines("##train_accuracy", acc.data(), static_cast<int>(acc.size()), 0, overlay, 0.0f, 1.0f, ImVec2(width, height));
    widget_mark("train_accuracy");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(use_held_out ? "The task's accuracy on freshly generated held-out examples, measured every few hundred steps (0 to 100%%)."
                                       : "The share of scored words the batch got right (0 to 100%%); held-out accuracy follows once measured twice.");
}

}  // namespace

TrainPanelAnswer show_train_panel(const TrainPanelView& v) {
    TrainPanelAnswer a;
    ImGui::Spacing();
    if (v.open) ImGui::SetNextItemOpen(true);
    const bool open = ImGui::CollapsingHeader("Train a model##train");
    widget_mark("train_panel");
    if (!open) return a;
    const float width = std::max(1.0f, ImGui::GetContentRegionAvail().x);
    ImGui::TextDisabled("Trains a small model from scratch, here, and shows its heads as they form.");
    ImGui::SetNextItemWidth(std::min(width, ImGui::CalcTextSize("translate").x * 2.5f));
    const char* current = v.tasks.empty() ? "" : v.tasks[static_cast<size_t>(v.task_index)].c_str();
    if (ImGui::BeginCombo("task##train_task", current)) {
        for (size_t i = 0; i < v.tasks.size(); ++i)
            if (ImGui::Selectable(v.tasks[i].c_str(), static_cast<int>(i) == v.task_index)) a.task = v.tasks[i];
        ImGui::EndCombo();
    }
    widget_mark("train_task");
    if (ImGui::Button(v.has_trainer ? "Start over" : "Start")) a.action = TrainAction::start;
    widget_mark("train_start");
    if (v.has_trainer) {
        ImGui::SameLine();
        if (v.running) {
            if (ImGui::Button("Pause")) a.action = TrainAction::pause;
            widget_mark("train_pause");
        } else if (!v.finished) {
            if (ImGui::Button("Resume")) a.action = TrainAction::resume;
            widget_mark("train_resume");
        }
        ImGui::SameLine();
        if (ImGui::Button("Reset")) a.action = TrainAction::reset;
        widget_mark("train_reset");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fresh weights from the same seed, at step 0 (paused).");
    }
    ImGui::SetNextItemWidth(std::min(width, ImGui::CalcTextSize("flat out").x * 2.5f));
    if (ImGui::BeginCombo("speed##train_speed", kTrainSpeeds[v.speed].label)) {
        for (int i = 0; i < kTrainSpeedCount; ++i)
            if (ImGui::Selectable(kTrainSpeeds[i].label, i == v.speed)) a.speed = i;
        ImGui::EndCombo();
    }
    widget_mark("train_speed");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("How much of each frame training may use (%.0f ms now); faster training, slower drawing.",
                          kTrainSpeeds[v.speed].slice_ms);
    if (v.has_trainer) {
        ImGui::Text("step %d / %d   %.1f steps/s%s", v.step, v.total_steps, v.steps_per_second,
                    v.finished ? "   finished" : v.running ? "" : "   paused");
        if (v.log) show_curves(*v.log, width);
        if (v.induction_score >= 0.0f)
            ImGui::Text("best induction score: %.2f (layer %d, head %d)", v.induction_score, v.induction_layer,
                        v.induction_head);
        if (v.following) {
            ImGui::TextDisabled("The explorer shows this model at step %d.", v.shown_step);
        } else {
            if (ImGui::SmallButton("Show the model in training")) a.action = TrainAction::show_model;
            widget_mark("train_show");
        }
        if (!v.previous_name.empty()) {
            if (ImGui::SmallButton(("Back to " + v.previous_name).c_str())) a.action = TrainAction::back;
            widget_mark("train_back");
        }
        if (v.can_save) {
            if (ImGui::Button("Save model")) a.action = TrainAction::save;
            widget_mark("train_save");
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("The folder tools/train writes (weights, tokenizer, model card, log, loss curve).");
        }
    }
    if (!v.saved_to.empty()) ImGui::TextDisabled("%s", v.saved_to.c_str());
    if (!v.error.empty()) ImGui::TextColored(theme_error(), "%s", v.error.c_str());
    else if (!v.notice.empty() && v.saved_to.empty()) ImGui::TextDisabled("%s", v.notice.c_str());
    return a;
}

}  // namespace attn
