// Panel geometry and the window-driven default font size; app_frame reads both every frame.
#include "ui/app_layout.h"

#include <algorithm>
#include <cmath>

namespace attn {

AppLayout app_layout(const LayoutInput& in) {
    AppLayout lay;
    const float W = in.width, H = in.height, fs = in.font_size;
    lay.status_h = in.frame_height + in.window_padding_y * 2.0f;
    const int rows = std::max(1, in.toolbar_rows);
    lay.toolbar_h = rows * in.frame_height + (rows - 1) * in.item_spacing_y + in.window_padding_y * 2.0f;
    lay.main_h = std::max(1.0f, H - lay.status_h - lay.toolbar_h);
    // Side panels widen with the font (a text box needs some 15 characters a line to be usable) but
    // never past half the window.
    lay.left_w = std::clamp(W * 0.28f, std::min(W * 0.5f, std::max(260.0f, fs * 13.0f)), std::max(420.0f, fs * 16.0f));
    lay.right_w = in.has_right_panel
                      ? std::clamp(W * 0.22f, std::min(W * 0.25f, std::max(200.0f, fs * 11.0f)), std::max(340.0f, fs * 14.0f))
                      : 0.0f;
    lay.stacked = lay.right_w > 0.0f && W - lay.left_w - lay.right_w < fs * kMinMainWidthInFonts;
    if (lay.stacked) lay.right_w = 0.0f;
    lay.main_x = lay.left_w;
    lay.main_w = std::max(1.0f, W - lay.left_w - lay.right_w);
    lay.input_h = lay.stacked ? std::floor(lay.main_h * 0.58f) : lay.main_h;
    return lay;
}

float app_auto_font_size(float base, float width, float height) {
    const float grow = std::max(1.0f, std::min(width / 1280.0f, height / 720.0f));
    const float size = std::clamp(base * grow, 12.0f, std::max(base, 28.0f));
    return std::max(12.0f, 2.0f * std::floor(size * 0.5f));
}

}  // namespace attn
