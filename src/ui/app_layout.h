// Where the app's panels go for a window size and font size, and the font size a window gets when
// the user has not chosen one. Pure arithmetic (no ImGui calls), so every size is tested directly.
//
//   AppLayout lay = app_layout(LayoutInput{1280, 720, 28, 40, 8, true, 1});
//   if (lay.stacked) ...   // the inspector sits under the input panel, the picture gets the width
#pragma once

namespace attn {

struct LayoutInput {
    float width = 0.0f, height = 0.0f;   // the window (ImGui's display size)
    float font_size = 16.0f;
    float frame_height = 0.0f;           // ImGui::GetFrameHeight(): one row of buttons
    float window_padding_y = 0.0f;       // style.WindowPadding.y
    float item_spacing_y = 0.0f;
    bool has_right_panel = true;         // a model or trace: the inspector has something to show
    int toolbar_rows = 1;                // 2 when the toolbar's groups do not fit on one line
};

struct AppLayout {
    float toolbar_h = 0.0f, status_h = 0.0f;
    float left_w = 0.0f;                 // the input panel (and, stacked, the inspector under it)
    float right_w = 0.0f;                // the inspector beside the picture; 0 when stacked or absent
    float main_x = 0.0f, main_w = 0.0f, main_h = 0.0f;   // the picture (main view) window
    bool stacked = false;                // the inspector moved under the input panel
    float input_h = 0.0f;                // the input panel's height (main_h unless stacked)
};

// The picture keeps at least this many font heights of width before the inspector moves under the
// input panel (a projector font in a small window would otherwise squeeze it to a strip).
constexpr float kMinMainWidthInFonts = 30.0f;

AppLayout app_layout(const LayoutInput& in);

// The font a window of this size gets while the user has not picked one: `base` (16 px, or the
// platform's scaled default) up to 1280x720, growing with the window to 24 px at 1920x1080 and at most
// 28 px; whole even pixels, so resizing a window rebuilds the atlas only now and then.
float app_auto_font_size(float base, float width, float height);

}  // namespace attn
