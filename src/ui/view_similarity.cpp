// PLACEHOLDER (replaced by the helper who owns this view): the smallest view the UI tests accept.
#include "imgui.h"
#include "ui/app.h"
#include "ui/study_views.h"

namespace attn {

void show_similarity_view(App& app, const AttentionView&, PieceStyle) {
    ImGui::TextWrapped("The similarity view is being built.");
    if (!app.picture_only) ImGui::Button("Run");
}

}  // namespace attn
