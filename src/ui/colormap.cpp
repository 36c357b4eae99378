// Builds each table by interpolating 17 published anchor colours in sRGB: matplotlib's own table
// entries 0, 16, 32, ..., 240, 255 (what cmap(np.linspace(0, 1, 17)) returns), placed at those same
// indices, so those 17 entries match matplotlib exactly and the rest stay within a few levels of it.
// Anchors this close keep every ramp monotone in lightness (tested), which is what a heatmap needs.
//
// Greys runs black -> white, matplotlib's "Greys_r", not "Greys" (white -> black): every other map
// here is dark at 0, and on the app's dark theme a mostly-zero attention matrix should stay dark with
// the strong weights lit, whichever map is chosen.
#include "ui/colormap.h"

#include <algorithm>
#include <cmath>

namespace attn {

namespace {

using Anchors = uint32_t[17];   // 0xRRGGBB at table indices 0, 16, ..., 240, 255

// matplotlib 3.6 _cm_listed.py / _cm.py (Greys is ColorBrewer's 9-class ramp, sampled by matplotlib).
const Anchors kViridis = {0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d, 0x2c728e, 0x26828e, 0x21918c,
                          0x1fa088, 0x28ae80, 0x3fbc73, 0x5ec962, 0x84d44b, 0xaddc30, 0xd8e219, 0xfde725};
const Anchors kPlasma = {0x0d0887, 0x310597, 0x4c02a1, 0x6600a7, 0x7e03a8, 0x9511a1, 0xaa2395, 0xbc3587, 0xcc4778,
                         0xda5a6a, 0xe66c5c, 0xf0804e, 0xf89540, 0xfdac33, 0xfdc527, 0xf8df25, 0xf0f921};
const Anchors kMagma = {0x000004, 0x0a0822, 0x1d1147, 0x36106b, 0x51127c, 0x6a1c81, 0x832681, 0x9c2e7f, 0xb73779,
                        0xd0416f, 0xe75263, 0xf56b5c, 0xfc8961, 0xfea772, 0xfec488, 0xfde2a3, 0xfcfdbf};
const Anchors kInferno = {0x000004, 0x0b0724, 0x210c4a, 0x3d0965, 0x57106e, 0x71196e, 0x8a226a, 0xa32c61, 0xbc3754,
                          0xd24644, 0xe45a31, 0xf1731d, 0xf98e09, 0xfcac11, 0xf9cb35, 0xf2ea69, 0xfcffa4};
const Anchors kCividis = {0x00224e, 0x002e6a, 0x1a386f, 0x32436d, 0x434e6c, 0x535a6d, 0x61656f, 0x6f7073, 0x7d7c78,
                          0x8c8878, 0x9b9476, 0xaba072, 0xbcae6c, 0xcdbb63, 0xdec958, 0xf0d846, 0xfee838};
// Greys_r: matplotlib's Greys at indices 255, 239, ..., 15, 0.
const Anchors kGreys = {0x000000, 0x111111, 0x242424, 0x3a3a3a, 0x515151, 0x626262, 0x727272, 0x848484, 0x959595,
                        0xa9a9a9, 0xbdbdbd, 0xcbcbcb, 0xd9d9d9, 0xe4e4e4, 0xf0f0f0, 0xf7f7f7, 0xffffff};

const uint32_t* anchors_of(Colormap c) {
    switch (c) {
    case Colormap::plasma: return kPlasma;
    case Colormap::magma: return kMagma;
    case Colormap::inferno: return kInferno;
    case Colormap::cividis: return kCividis;
    case Colormap::greys: return kGreys;
    case Colormap::viridis: break;
    }
    return kViridis;
}

ColormapTable table_build(const uint32_t* anchors) {
    ColormapTable table{};
    for (int a = 0; a < 16; ++a) {
        const int i0 = a * 16, i1 = a == 15 ? 255 : (a + 1) * 16;
        for (int i = i0; i <= i1; ++i) {
            const float f = static_cast<float>(i - i0) / static_cast<float>(i1 - i0);
            for (int c = 0; c < 3; ++c) {
                const int shift = 16 - 8 * c;
                const float v0 = static_cast<float>((anchors[a] >> shift) & 0xff);
                const float v1 = static_cast<float>((anchors[a + 1] >> shift) & 0xff);
                table[static_cast<size_t>(i) * 4 + c] = static_cast<uint8_t>(std::lround(v0 + (v1 - v0) * f));
            }
            table[static_cast<size_t>(i) * 4 + 3] = 255;
        }
    }
    return table;
}

}  // namespace

const char* colormap_name(Colormap c) {
    switch (c) {
    case Colormap::plasma: return "plasma";
    case Colormap::magma: return "magma";
    case Colormap::inferno: return "inferno";
    case Colormap::cividis: return "cividis";
    case Colormap::greys: return "greys";
    case Colormap::viridis: break;
    }
    return "viridis";
}

bool colormap_from_name(const std::string& name, Colormap* out) {
    for (Colormap c : kColormaps)
        if (name == colormap_name(c)) {
            *out = c;
            return true;
        }
    return false;
}

const ColormapTable& colormap_table(Colormap c) {
    constexpr size_t n = sizeof kColormaps / sizeof *kColormaps;
    static const std::array<ColormapTable, n> tables = [] {
        std::array<ColormapTable, n> t{};
        for (size_t i = 0; i < n; ++i) t[i] = table_build(anchors_of(kColormaps[i]));   // enum order
        return t;
    }();
    return tables[static_cast<int>(c)];
}

// ColorBrewer's 11-class RdBu, reversed (blue first), spread evenly over the table as matplotlib's
// LinearSegmentedColormap.from_list does with these same colours.
const ColormapTable& colormap_diverging() {
    static const ColormapTable table = [] {
        const uint32_t rdbu_r[11] = {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
                                     0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f};
        ColormapTable t{};
        for (int i = 0; i < 256; ++i) {
            const float x = static_cast<float>(i) / 255.0f * 10.0f;
            const int a = std::min(9, static_cast<int>(x));
            const float f = x - static_cast<float>(a);
            for (int c = 0; c < 3; ++c) {
                const int shift = 16 - 8 * c;
                const float v0 = static_cast<float>((rdbu_r[a] >> shift) & 0xff);
                const float v1 = static_cast<float>((rdbu_r[a + 1] >> shift) & 0xff);
                t[static_cast<size_t>(i) * 4 + c] = static_cast<uint8_t>(std::lround(v0 + (v1 - v0) * f));
            }
            t[static_cast<size_t>(i) * 4 + 3] = 255;
        }
        return t;
    }();
    return table;
}

std::array<uint8_t, 4> colormap_masked_rgba(Colormap c) {
    if (c == Colormap::cividis || c == Colormap::greys) return {110, 40, 40, 255};
    return {96, 96, 96, 255};
}

ImU32 colormap_color(const ColormapTable& table, float v) {
    if (!std::isfinite(v)) return colormap_bad_color();
    if (v < 0.0f) v = 0.0f;
    if (v > 1.0f) v = 1.0f;
    int i = static_cast<int>(v * 255.0f + 0.5f);
    return IM_COL32(table[i * 4], table[i * 4 + 1], table[i * 4 + 2], table[i * 4 + 3]);
}

}  // namespace attn
