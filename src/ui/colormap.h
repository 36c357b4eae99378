// Colormaps as 256-entry RGBA8 tables: the renderer uploads them as a lookup texture and the colorbar
// draws from the same table, so the legend can never disagree with the picture.
//
//   Colormap c = Colormap::viridis;
//   colormap_from_name("magma", &c);               // false for an unknown name, c unchanged
//   ImU32 col = colormap_color(colormap_table(c), 0.62f);
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "imgui.h"

namespace attn {

// The perceptually uniform maps the chooser offers; viridis is the default. Every map goes dark to
// light as the weight grows (greys included: see colormap.cpp), so switching maps never flips what
// "bright" means.
enum class Colormap { viridis, plasma, magma, inferno, cividis, greys };
constexpr Colormap kColormaps[] = {Colormap::viridis, Colormap::plasma,  Colormap::magma,
                                   Colormap::inferno, Colormap::cividis, Colormap::greys};

// "viridis", "plasma", "magma", "inferno", "cividis", "greys": the names the CLI and page API use.
const char* colormap_name(Colormap c);
// False (and *out unchanged) when `name` is none of colormap_name's names.
bool colormap_from_name(const std::string& name, Colormap* out);

using ColormapTable = std::array<uint8_t, 256 * 4>;   // (256, RGBA)

const ColormapTable& colormap_table(Colormap c);
inline const ColormapTable& colormap_viridis() { return colormap_table(Colormap::viridis); }
// Colour of value v in [0, 1] (clamped), as ImGui packs it; NaN and infinity get colormap_bad_color().
ImU32 colormap_color(const ColormapTable& table, float v);

// Signed scores (attributions, contrastive differences): matplotlib's "RdBu_r", blue for negative,
// near-white at 0, red for positive. Kept out of kColormaps: a diverging map would misread attention
// weights, which are never negative.
const ColormapTable& colormap_diverging();
// Colour of a signed value on the diverging map, -vmax..vmax (clamped); vmax <= 0 gives the centre.
inline ImU32 colormap_signed_color(float v, float vmax) {
    return colormap_color(colormap_diverging(), vmax > 0.0f ? 0.5f + 0.5f * v / vmax : 0.5f);
}

// Future (masked) cells of causal attention. A flat neutral grey where the map has no greys near it
// (UI.md: "visibly different from a zero weight"); cividis and greys pass through grey, so theirs is a
// muted red instead. Every table entry is at least 20 CIE76 units away (tested).
std::array<uint8_t, 4> colormap_masked_rgba(Colormap c);
inline ImU32 colormap_masked_color(Colormap c) {
    std::array<uint8_t, 4> m = colormap_masked_rgba(c);
    return IM_COL32(m[0], m[1], m[2], m[3]);
}

// NaN or infinity (a trace gone bad, analysis/nonfinite.h): one magenta for every map, far from every
// table entry and from the masked colours (tested), so a bad cell never reads as a weight.
constexpr std::array<uint8_t, 4> kColormapBadRgba = {255, 0, 255, 255};
inline ImU32 colormap_bad_color() { return IM_COL32(255, 0, 255, 255); }

}  // namespace attn
