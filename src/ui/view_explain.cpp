// PLACEHOLDER (replaced by the helper who owns this view): the smallest view the UI tests accept.
#include "imgui.h"
#include "ui/app.h"
#include "ui/study_views.h"

namespace attn {

void app_explain_frame(App&) {}

void show_explain_view(App& app, PieceStyle) {
    ImGui::TextWrapped("The explanation view is being built.");
    if (!app.picture_only) ImGui::Button("Run");
}

}  // namespace attn
