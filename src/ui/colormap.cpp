// Builds the viridis table by interpolating its nine published anchor colours (viridis(9):
// #440154 ... #fde725) in sRGB. It does not reproduce matplotlib's table bit for bit; the anchors are
// close enough together that the ramp stays monotone in lightness, which is what the heatmap needs.
#include "ui/colormap.h"

#include <algorithm>
#include <cmath>

namespace attn {

static ColormapTable build_viridis() {
    static const uint8_t anchors[9][3] = {
        {0x44, 0x01, 0x54}, {0x47, 0x2d, 0x7b}, {0x3b, 0x52, 0x8b}, {0x2c, 0x72, 0x8e}, {0x21, 0x91, 0x8c},
        {0x28, 0xae, 0x80}, {0x5e, 0xc9, 0x62}, {0xad, 0xdc, 0x30}, {0xfd, 0xe7, 0x25},
    };
    ColormapTable table{};
    for (int i = 0; i < 256; ++i) {
        float x = i / 255.0f * 8.0f;
        int a = std::min(static_cast<int>(x), 7);
        float f = x - a;
        for (int c = 0; c < 3; ++c) {
            float v = anchors[a][c] + (anchors[a + 1][c] - anchors[a][c]) * f;
            table[i * 4 + c] = static_cast<uint8_t>(std::lround(v));
        }
        table[i * 4 + 3] = 255;
    }
    return table;
}

const ColormapTable& colormap_viridis() {
    static const ColormapTable table = build_viridis();
    return table;
}

ImU32 colormap_color(const ColormapTable& table, float v) {
    if (!(v >= 0.0f)) v = 0.0f;   // also catches NaN
    if (v > 1.0f) v = 1.0f;
    int i = static_cast<int>(v * 255.0f + 0.5f);
    return IM_COL32(table[i * 4], table[i * 4 + 1], table[i * 4 + 2], table[i * 4 + 3]);
}

}  // namespace attn
