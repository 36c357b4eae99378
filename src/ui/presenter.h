// Presenter mode: the explorer as a classroom projector shows it. Large type built into the atlas at
// its real size (not scaled up, which blurs), a high-contrast theme, and only the views a lecture
// needs; the interventions, the heads table and the analysis views are hidden until it is turned off.
//
//   app_set_presenter(app, true);            // P, the toolbar's Presenter button, or present=1 in a link
//   presenter_font_size(1280, 720);          // 28: readable from the back row
//   if (!presenter_shows_view(v)) ...        // the view switch skips it
#pragma once
#include "imgui.h"
#include "ui/selection.h"

namespace attn {

struct App;

// The one table of the views presenter mode keeps (the view switch, the shortcuts and links read it).
inline constexpr MainView kPresenterViews[] = {MainView::heatmap, MainView::grid, MainView::lines, MainView::flow,
                                               MainView::lesson};
bool presenter_shows_view(MainView view);

// The body text size for a window: 28 px at 1280x720, growing with the window, never under 26.
float presenter_font_size(float width, float height);

// High-contrast colours over ImGui's dark or light ones: pure black or white backgrounds, text of the
// opposite extreme, so every pair of text and its background has a contrast ratio of 7:1 or more.
void presenter_style_colors(ImGuiStyle& style, bool light);

// The WCAG 2 contrast ratio of two colours (1 to 21); `fg` is blended over `bg` by its alpha first.
float contrast_ratio(const ImVec4& fg, const ImVec4& bg);
// The lowest contrast between the style's text colours and the backgrounds they are drawn on.
float style_min_text_contrast(const ImGuiStyle& style);

// Turns presenter mode on or off: the font follows the window at presenter size (the user's own size
// comes back when it is turned off), the style switches, and a hidden view gives way to the heatmap.
void app_set_presenter(App& app, bool on);

}  // namespace attn
