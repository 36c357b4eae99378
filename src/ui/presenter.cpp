// Presenter mode (see presenter.h): its view table, font size, colours and the switch.
#include "ui/presenter.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "ui/app.h"

namespace attn {

bool presenter_shows_view(MainView view) {
    for (MainView v : kPresenterViews)
        if (v == view) return true;
    return false;
}

float presenter_font_size(float width, float height) {
    // 28 px at 720 rows is about what a 16 px font is on a laptop seen from 60 cm, seen from 10 m on a
    // 3 m screen; the narrower of width and height decides, so a tall portrait window gets no giant type.
    const float grow = std::max(1.0f, std::min(width / 1280.0f, height / 720.0f));
    return std::clamp(std::round(28.0f * grow), 26.0f, 48.0f);
}

void presenter_style_colors(ImGuiStyle& style, bool light) {
    ImVec4* c = style.Colors;
    const float bg = light ? 1.0f : 0.0f, fg = light ? 0.0f : 1.0f;
    // Greys for controls: far enough from the background to show a button's edge, far enough from the
    // text to keep 7:1 with it.
    auto grey = [](float v) { return ImVec4(v, v, v, 1.0f); };
    const float frame = light ? 0.90f : 0.14f, hover = light ? 0.80f : 0.26f, active = light ? 0.72f : 0.34f;
    c[ImGuiCol_Text] = grey(fg);
    c[ImGuiCol_TextDisabled] = grey(light ? 0.22f : 0.80f);
    for (ImGuiCol i : {ImGuiCol_WindowBg, ImGuiCol_ChildBg, ImGuiCol_PopupBg, ImGuiCol_MenuBarBg, ImGuiCol_TitleBg,
                       ImGuiCol_TitleBgActive, ImGuiCol_TitleBgCollapsed, ImGuiCol_ScrollbarBg, ImGuiCol_TableRowBg})
        c[i] = grey(bg);
    c[ImGuiCol_TableRowBgAlt] = grey(frame);
    c[ImGuiCol_Border] = grey(light ? 0.35f : 0.70f);
    for (ImGuiCol i : {ImGuiCol_FrameBg, ImGuiCol_Button, ImGuiCol_Header, ImGuiCol_Tab, ImGuiCol_TableHeaderBg})
        c[i] = grey(frame);
    for (ImGuiCol i : {ImGuiCol_FrameBgHovered, ImGuiCol_ButtonHovered, ImGuiCol_HeaderHovered, ImGuiCol_TabHovered})
        c[i] = grey(hover);
    for (ImGuiCol i : {ImGuiCol_FrameBgActive, ImGuiCol_ButtonActive, ImGuiCol_HeaderActive, ImGuiCol_TabActive})
        c[i] = grey(active);
    // The accent marks (check marks, slider grabs, the selection): saturated, but still 7:1 on the frame.
    const ImVec4 accent = light ? ImVec4(0.55f, 0.18f, 0.0f, 1.0f) : ImVec4(1.0f, 0.85f, 0.2f, 1.0f);
    c[ImGuiCol_CheckMark] = c[ImGuiCol_SliderGrab] = c[ImGuiCol_SliderGrabActive] = accent;
    c[ImGuiCol_ScrollbarGrab] = c[ImGuiCol_ScrollbarGrabHovered] = c[ImGuiCol_ScrollbarGrabActive] = grey(light ? 0.45f : 0.60f);
    c[ImGuiCol_Separator] = grey(light ? 0.35f : 0.70f);
    c[ImGuiCol_TextSelectedBg] = light ? ImVec4(1.0f, 0.85f, 0.3f, 1.0f) : ImVec4(0.1f, 0.25f, 0.6f, 1.0f);
    style.FrameBorderSize = 1.0f;   // buttons keep an outline on a projector that washes greys out
}

namespace {

float linear(float c) { return c <= 0.03928f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }
float luminance(const ImVec4& c) { return 0.2126f * linear(c.x) + 0.7152f * linear(c.y) + 0.0722f * linear(c.z); }

}  // namespace

float contrast_ratio(const ImVec4& fg, const ImVec4& bg) {
    const ImVec4 mixed(fg.x * fg.w + bg.x * (1 - fg.w), fg.y * fg.w + bg.y * (1 - fg.w), fg.z * fg.w + bg.z * (1 - fg.w), 1.0f);
    const float a = luminance(mixed), b = luminance(bg);
    return (std::max(a, b) + 0.05f) / (std::min(a, b) + 0.05f);
}

float style_min_text_contrast(const ImGuiStyle& style) {
    const ImVec4* c = style.Colors;
    const ImVec4 window = c[ImGuiCol_WindowBg];
    auto over_window = [&](ImVec4 v) {   // a translucent control colour as it shows over the window
        return ImVec4(v.x * v.w + window.x * (1 - v.w), v.y * v.w + window.y * (1 - v.w), v.z * v.w + window.z * (1 - v.w), 1.0f);
    };
    float lowest = contrast_ratio(c[ImGuiCol_TextDisabled], window);
    for (ImGuiCol bg : {ImGuiCol_WindowBg, ImGuiCol_ChildBg, ImGuiCol_PopupBg, ImGuiCol_FrameBg, ImGuiCol_FrameBgHovered,
                        ImGuiCol_FrameBgActive, ImGuiCol_Button, ImGuiCol_ButtonHovered, ImGuiCol_ButtonActive,
                        ImGuiCol_Header, ImGuiCol_HeaderHovered, ImGuiCol_HeaderActive})
        lowest = std::min(lowest, contrast_ratio(c[ImGuiCol_Text], over_window(c[bg])));
    return lowest;
}

void app_set_presenter(App& app, bool on) {
    if (on == app.presenter) return;
    app.presenter = on;
    if (on) {
        app.presenter_saved_font = app.font_size;
        app.presenter_saved_chosen = app.font_chosen;
        app.font_chosen = false;   // app_frame sizes the font from the window, at presenter size
        if (!presenter_shows_view(app.main_view)) app.main_view = MainView::heatmap;
    } else {
        app.font_chosen = app.presenter_saved_chosen;
        if (app.font_chosen && app.presenter_saved_font != app.font_size) {
            app.font_size = app.presenter_saved_font;
            app.fonts_dirty = true;
        }
    }
    app_style_apply(app, ImGui::GetStyle());
}

}  // namespace attn
