// Keyboard shortcuts: dispatch from kShortcuts and the help window that lists them. The actions are
// the app's own setters (app_set_font_size, app_set_theme), so a key does exactly what its button does.
#include "ui/shortcuts.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "core/i18n.h"
#include "ui/app.h"
#include "ui/presenter.h"

namespace attn {

namespace {

void shortcut_apply(App& app, ShortcutAction action, int n_layer, int n_head) {
    Selection& sel = app.selection;
    switch (action) {
    case ShortcutAction::head_prev: sel.head = std::max(0, sel.head - 1); break;
    case ShortcutAction::head_next: sel.head = std::min(std::max(0, n_head - 1), sel.head + 1); break;
    case ShortcutAction::layer_prev: sel.layer = std::max(0, sel.layer - 1); break;
    case ShortcutAction::layer_next: sel.layer = std::min(std::max(0, n_layer - 1), sel.layer + 1); break;
    case ShortcutAction::font_bigger: app_set_font_size(app, app.font_size + 2.0f); break;
    case ShortcutAction::font_smaller: app_set_font_size(app, app.font_size - 2.0f); break;
    case ShortcutAction::view_heatmap: app.main_view = MainView::heatmap; break;
    case ShortcutAction::view_grid: app.main_view = MainView::grid; break;
    case ShortcutAction::view_lines: app.main_view = MainView::lines; break;
    case ShortcutAction::view_flow: app.main_view = MainView::flow; break;
    case ShortcutAction::view_attributions: app.main_view = MainView::attributions; break;
    case ShortcutAction::view_lens: app.main_view = MainView::lens; break;
    case ShortcutAction::view_activations: app.main_view = MainView::activations; break;
    case ShortcutAction::view_heads: app.main_view = MainView::heads; break;
    case ShortcutAction::view_similarity: app.main_view = MainView::similarity; break;
    case ShortcutAction::view_patching: app.main_view = MainView::patching; break;
    case ShortcutAction::view_checks: app.main_view = MainView::checks; break;
    case ShortcutAction::view_explain: app.main_view = MainView::explain; break;
    case ShortcutAction::toggle_theme: app_set_theme(app, app.theme == Theme::dark ? Theme::light : Theme::dark); break;
    case ShortcutAction::toggle_presenter: app_set_presenter(app, !app.presenter); break;
    case ShortcutAction::unpin:
        if (app.help_open)
            app.help_open = false;   // Esc closes the help first, so the pin survives a look at it
        else
            app.selection.pinned_query = -1;
        break;
    case ShortcutAction::help: app.help_open = !app.help_open; break;
    }
}

}  // namespace

void app_handle_shortcuts(App& app, int n_layer, int n_head) {
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || ImGui::IsAnyItemActive()) return;
    for (const Shortcut& s : kShortcuts) {
        if (s.key != ImGuiKey_COUNT && ImGui::IsKeyPressed(ImGui::GetKeyIndex(s.key), s.key != ImGuiKey_Escape))
            shortcut_apply(app, s.action, n_layer, n_head);
    }
    // Characters, not key codes: "+" and "?" sit on different keys per layout.
    for (ImWchar c : io.InputQueueCharacters)
        for (const Shortcut& s : kShortcuts)
            if (c != 0 && c < 128 && std::strchr(s.chars, static_cast<char>(c)))
                shortcut_apply(app, s.action, n_layer, n_head);
}

// A named key ("Left", "Esc") in the current language; typed characters ("+", "C") are shown as they are.
const char* shortcut_keys_label(const Shortcut& s) {
    if (s.key == ImGuiKey_COUNT) return s.keys;
    std::string key = "ui.keys.";
    for (const char* c = s.keys; *c; ++c) key += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
    return tr(key.c_str());
}

void show_shortcut_help(bool* open) {
    if (!*open) return;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    // Never larger than the window: at projector font sizes the list scrolls instead of running off.
    ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(vp->Size.x * 0.9f, vp->Size.y * 0.9f));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove;
    if (ImGui::Begin(tr_id("ui.shortcuts.keyboard_shortcuts"), open, flags)) {
        if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
            for (const Shortcut& s : kShortcuts) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(shortcut_keys_label(s));
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(tr(s.what));
            }
            ImGui::EndTable();
        }
        ImGui::TextDisabled("%s", tr("ui.shortcuts.keys_work_whenever_no"));
        if (ImGui::Button(tr_id("ui.shortcuts.close"))) *open = false;
    }
    ImGui::End();
}

}  // namespace attn
