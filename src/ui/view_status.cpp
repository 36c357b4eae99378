// The status bar: one line naming the model, its size, the last trace time and the last error.
#include <cstdio>

#include "imgui.h"
#include "ui/theme.h"
#include "ui/views.h"

namespace attn {

void show_status_bar(const StatusData& d) {
    // A link's request for a model from disk comes first: it explains why another model is showing.
    if (!d.link_warning.empty()) {
        ImGui::TextColored(theme_error(), "%s", d.link_warning.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", d.link_warning.c_str());
        ImGui::SameLine();
        ImGui::TextDisabled("|");
        ImGui::SameLine();
    }
    if (d.model_name.empty()) {
        ImGui::TextDisabled("no model loaded");
    } else {
        char params[32];
        if (d.n_params >= 1000000)
            std::snprintf(params, sizeof params, "%.1fM params", d.n_params / 1e6);
        else
            std::snprintf(params, sizeof params, "%.0fK params", d.n_params / 1e3);
        ImGui::Text("model %s (%s): %d layers, %d heads, %s", d.model_name.c_str(), d.architecture.c_str(),
                    d.n_layer, d.n_head, params);
        if (d.random_weights) {
            ImGui::SameLine();
            ImGui::TextColored(theme_error(), "random weights: patterns mean nothing");
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("This model predicts a near-uniform next token on a probe text (entropy >= 0.9 ln V):\n"
                                  "its weights are random (a test model). Its attention patterns carry no meaning.");
        }
    }

    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    if (d.trace_ms >= 0.0 && d.n_target_token > 0)
        ImGui::Text("%d source + %d target tokens, trace %.2f ms", d.n_token, d.n_target_token, d.trace_ms);
    else if (d.trace_ms >= 0.0)
        ImGui::Text("%d tokens, trace %.2f ms", d.n_token, d.trace_ms);
    else
        ImGui::TextDisabled("no trace");
    if (!d.notice.empty() && d.error.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("|");
        ImGui::SameLine();
        ImGui::TextUnformatted(d.notice.c_str());
    }
    if (!d.error.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("|");
        ImGui::SameLine();
        ImGui::TextColored(theme_error(), "%s", d.error.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", d.error.c_str());
    }
}

}  // namespace attn
