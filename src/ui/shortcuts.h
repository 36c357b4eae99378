// The keyboard shortcuts as one table: the key handler dispatches from it, the "?" help lists it, and
// a test checks that README.md's shortcut table says the same, so the three cannot drift apart.
//
//   for (const Shortcut& s : kShortcuts) std::printf("%s: %s\n", s.keys, tr(s.what));
//   app_handle_shortcuts(app, n_layer, n_head);   // once per frame, before the views
//   show_shortcut_help(&app.help_open);           // the "?" window
#pragma once
#include "imgui.h"

namespace attn {

struct App;

enum class ShortcutAction {
    head_prev, head_next, layer_prev, layer_next, font_bigger, font_smaller,
    view_heatmap, view_grid, view_lines, view_flow, view_attributions, view_lens, view_activations,
    view_heads, view_similarity, view_patching, view_checks, view_explain,
    toggle_theme, toggle_presenter, unpin, help,
};

struct Shortcut {
    ShortcutAction action;
    ImGuiKey key;        // a named key (arrows, Esc), or ImGuiKey_COUNT when matched by character
    const char* chars;   // typed characters that trigger it ("+=": "+" needs Shift on most layouts)
    const char* keys;    // how the help and the README write the key
    const char* what;    // the string table key of what it does (English: the words the README uses)
};

inline constexpr Shortcut kShortcuts[] = {
    {ShortcutAction::head_prev, ImGuiKey_LeftArrow, "", "Left", "ui.shortcuts.head_prev"},
    {ShortcutAction::head_next, ImGuiKey_RightArrow, "", "Right", "ui.shortcuts.head_next"},
    {ShortcutAction::layer_prev, ImGuiKey_UpArrow, "", "Up", "ui.shortcuts.layer_prev"},
    {ShortcutAction::layer_next, ImGuiKey_DownArrow, "", "Down", "ui.shortcuts.layer_next"},
    {ShortcutAction::font_bigger, ImGuiKey_COUNT, "+=", "+", "ui.shortcuts.font_bigger"},
    {ShortcutAction::font_smaller, ImGuiKey_COUNT, "-_", "-", "ui.shortcuts.font_smaller"},
    {ShortcutAction::view_heatmap, ImGuiKey_COUNT, "1", "1", "ui.shortcuts.view_heatmap"},
    {ShortcutAction::view_grid, ImGuiKey_COUNT, "2", "2", "ui.shortcuts.view_grid"},
    {ShortcutAction::view_lines, ImGuiKey_COUNT, "3", "3", "ui.shortcuts.view_lines"},
    {ShortcutAction::view_flow, ImGuiKey_COUNT, "4", "4", "ui.shortcuts.view_flow"},
    {ShortcutAction::view_attributions, ImGuiKey_COUNT, "5", "5", "ui.shortcuts.view_attributions"},
    {ShortcutAction::view_lens, ImGuiKey_COUNT, "6", "6", "ui.shortcuts.view_lens"},
    {ShortcutAction::view_activations, ImGuiKey_COUNT, "7", "7", "ui.shortcuts.view_activations"},
    {ShortcutAction::view_heads, ImGuiKey_COUNT, "8", "8", "ui.shortcuts.view_heads"},
    {ShortcutAction::view_similarity, ImGuiKey_COUNT, "9", "9", "ui.shortcuts.view_similarity"},
    {ShortcutAction::view_patching, ImGuiKey_COUNT, "0", "0", "ui.shortcuts.view_patching"},
    {ShortcutAction::view_checks, ImGuiKey_COUNT, "cC", "C", "ui.shortcuts.view_checks"},
    {ShortcutAction::view_explain, ImGuiKey_COUNT, "eE", "E", "ui.shortcuts.view_explain"},
    {ShortcutAction::toggle_theme, ImGuiKey_COUNT, "tT", "T", "ui.shortcuts.toggle_theme"},
    {ShortcutAction::toggle_presenter, ImGuiKey_COUNT, "pP", "P", "present.shortcut"},
    {ShortcutAction::unpin, ImGuiKey_Escape, "", "Esc", "ui.shortcuts.unpin"},
    {ShortcutAction::help, ImGuiKey_COUNT, "?", "?", "ui.shortcuts.help"},
};

// Applies this frame's shortcut keys to the app. Does nothing while a text box has the keyboard, so
// typing "1+1" into the text never switches views.
void app_handle_shortcuts(App& app, int n_layer, int n_head);

// The shortcut list as a window over the views (opened by "?" or the toolbar's "?" button; Esc, the
// Close button or "?" again closes it). Draws nothing when *open is false.
void show_shortcut_help(bool* open);

}  // namespace attn
