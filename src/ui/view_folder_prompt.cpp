// The desktop's "Open model..." prompt: a folder path to edit, the folder's sub-folders to step into,
// and Open. GLFW has no native file dialog, and this keeps the desktop free of a GUI toolkit.
#include "imgui.h"
#include "core/i18n.h"
#include "imgui_stdlib.h"
#include "ui/views.h"

namespace attn {

namespace {

std::string parent_of(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    size_t slash = dir.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : dir.substr(0, slash);
}

std::string child_of(const std::string& dir, const std::string& name) {
    return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

}  // namespace

std::string show_folder_prompt(FolderPromptData& d) {
    std::string chosen;
    if (d.open_requested) {
        ImGui::OpenPopup(tr_id("ui.folder_prompt.open_model_folder"));
        d.open_requested = false;
    }
    const float fs = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(ImVec2(fs * 36, fs * 24), ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal(tr_id("ui.folder_prompt.open_model_folder"), nullptr)) return chosen;
    ImGui::TextWrapped("%s", tr("ui.folder_prompt.a_hugging_face_model"));
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputText("##folder", &d.dir);
    std::vector<std::string> subs = d.list_folders ? d.list_folders(d.dir) : std::vector<std::string>{};
    const float footer = ImGui::GetFrameHeightWithSpacing() * 1.5f;
    if (ImGui::BeginChild("folders", ImVec2(0, -footer), true)) {
        if (ImGui::Selectable(tr_id("ui.folder_prompt.up"))) d.dir = parent_of(d.dir);
        for (const std::string& name : subs) {
            const bool is_model = d.is_model_folder && d.is_model_folder(child_of(d.dir, name));
            std::string label = (is_model ? tr("ui.folder_prompt.model") : "") + name + "/";
            if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_AllowDoubleClick)) {
                if (is_model && ImGui::IsMouseDoubleClicked(0))
                    chosen = child_of(d.dir, name);
                else
                    d.dir = child_of(d.dir, name);
            }
        }
    }
    ImGui::EndChild();
    const bool here_is_model = d.is_model_folder && d.is_model_folder(d.dir);
    ImGui::BeginDisabled(!here_is_model);
    if (ImGui::Button(tr_id("ui.folder_prompt.open_this_folder"))) chosen = d.dir;
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button(tr_id("ui.common.cancel")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    if (!here_is_model) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr("ui.folder_prompt.no_config_json_here"));
    }
    if (!chosen.empty()) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return chosen;
}

}  // namespace attn
