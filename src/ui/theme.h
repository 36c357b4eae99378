// Colours views draw with beyond ImGui's own style, picked for the theme in use so highlights keep
// their contrast on a light background (a projector) as on a dark one. The theme is read from the
// current style's window background, so views need no extra state.
#pragma once
#include "imgui.h"

namespace attn {

inline bool theme_is_light() {
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    return 0.2126f * bg.x + 0.7152f * bg.y + 0.0722f * bg.z > 0.5f;
}

// The highlight for "this one" (hovered token, selected head, greedy pick): warm yellow on dark,
// deep orange on light.
inline ImVec4 theme_accent_vec() {
    return theme_is_light() ? ImVec4(0.80f, 0.36f, 0.0f, 1.0f) : ImVec4(1.0f, 0.84f, 0.35f, 1.0f);
}
inline ImU32 theme_accent() { return ImGui::ColorConvertFloat4ToU32(theme_accent_vec()); }

// Thin outlines over pictures (hovered row and column): white on dark, black on light.
inline ImU32 theme_outline(float alpha) {
    const float v = theme_is_light() ? 0.0f : 1.0f;
    return ImGui::ColorConvertFloat4ToU32(ImVec4(v, v, v, alpha));
}

inline ImVec4 theme_error() { return theme_is_light() ? ImVec4(0.75f, 0.1f, 0.1f, 1.0f) : ImVec4(1.0f, 0.42f, 0.38f, 1.0f); }
inline ImVec4 theme_warning() { return theme_is_light() ? ImVec4(0.7f, 0.4f, 0.0f, 1.0f) : ImVec4(1.0f, 0.75f, 0.3f, 1.0f); }

}  // namespace attn
