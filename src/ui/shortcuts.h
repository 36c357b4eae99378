// The keyboard shortcuts as one table: the key handler dispatches from it, the "?" help lists it, and
// a test checks that README.md's shortcut table says the same, so the three cannot drift apart.
//
//   for (const Shortcut& s : kShortcuts) std::printf("%s: %s\n", s.keys, s.what);
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
    const char* what;    // what it does, in the words the help and the README use
};

inline constexpr Shortcut kShortcuts[] = {
    {ShortcutAction::head_prev, ImGuiKey_LeftArrow, "", "Left", "previous head"},
    {ShortcutAction::head_next, ImGuiKey_RightArrow, "", "Right", "next head"},
    {ShortcutAction::layer_prev, ImGuiKey_UpArrow, "", "Up", "previous layer"},
    {ShortcutAction::layer_next, ImGuiKey_DownArrow, "", "Down", "next layer"},
    {ShortcutAction::font_bigger, ImGuiKey_COUNT, "+=", "+", "bigger text (for projectors)"},
    {ShortcutAction::font_smaller, ImGuiKey_COUNT, "-_", "-", "smaller text"},
    {ShortcutAction::view_heatmap, ImGuiKey_COUNT, "1", "1", "heatmap view"},
    {ShortcutAction::view_grid, ImGuiKey_COUNT, "2", "2", "head grid view"},
    {ShortcutAction::view_lines, ImGuiKey_COUNT, "3", "3", "lines (head) view"},
    {ShortcutAction::view_flow, ImGuiKey_COUNT, "4", "4", "flow view"},
    {ShortcutAction::view_attributions, ImGuiKey_COUNT, "5", "5", "attributions view"},
    {ShortcutAction::view_lens, ImGuiKey_COUNT, "6", "6", "logit lens view"},
    {ShortcutAction::view_activations, ImGuiKey_COUNT, "7", "7", "activations view"},
    {ShortcutAction::view_heads, ImGuiKey_COUNT, "8", "8", "heads view (table and map)"},
    {ShortcutAction::view_similarity, ImGuiKey_COUNT, "9", "9", "head similarity view"},
    {ShortcutAction::view_patching, ImGuiKey_COUNT, "0", "0", "activation patching view"},
    {ShortcutAction::view_checks, ImGuiKey_COUNT, "cC", "C", "checks view"},
    {ShortcutAction::view_explain, ImGuiKey_COUNT, "eE", "E", "explanation view"},
    {ShortcutAction::toggle_theme, ImGuiKey_COUNT, "tT", "T", "dark / light theme"},
    {ShortcutAction::toggle_presenter, ImGuiKey_COUNT, "pP", "P", "presenter mode (large type, high contrast)"},
    {ShortcutAction::unpin, ImGuiKey_Escape, "", "Esc", "unpin the pinned token (first closes this help)"},
    {ShortcutAction::help, ImGuiKey_COUNT, "?", "?", "show these shortcuts"},
};

// Applies this frame's shortcut keys to the app. Does nothing while a text box has the keyboard, so
// typing "1+1" into the text never switches views.
void app_handle_shortcuts(App& app, int n_layer, int n_head);

// The shortcut list as a window over the views (opened by "?" or the toolbar's "?" button; Esc, the
// Close button or "?" again closes it). Draws nothing when *open is false.
void show_shortcut_help(bool* open);

}  // namespace attn
