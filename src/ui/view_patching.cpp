// PLACEHOLDER (replaced by the helper who owns this view): the smallest view the UI tests accept.
#include "imgui.h"
#include "ui/app.h"
#include "ui/study_views.h"

namespace attn {

void app_interventions_frame(App&) {}

void show_patching_view(App& app, PieceStyle) {
    ImGui::TextWrapped("The patching view is being built.");
    if (!app.picture_only) ImGui::Button("Run");
}

}  // namespace attn
