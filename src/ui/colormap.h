// Colormaps as 256-entry RGBA8 tables: the renderer uploads them as a lookup texture and the colorbar
// draws from the same table, so the legend can never disagree with the picture.
#pragma once
#include <array>
#include <cstdint>

#include "imgui.h"

namespace attn {

using ColormapTable = std::array<uint8_t, 256 * 4>;   // (256, RGBA)

const ColormapTable& colormap_viridis();
// Colour of value v in [0, 1] (clamped), as ImGui packs it.
ImU32 colormap_color(const ColormapTable& table, float v);

// Future (masked) cells of causal attention: a flat neutral grey that no viridis entry comes near.
constexpr uint8_t kMaskedRgba[4] = {96, 96, 96, 255};

}  // namespace attn
