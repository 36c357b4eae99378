// The seam between views and the renderer: views ask for a colour-mapped heatmap texture and get an
// ImTextureID to draw with ImGui::Image. The GL implementation lives in src/platform; the smoke test
// passes a null one. Views never see GL.
#pragma once
#include <cstdint>

#include "imgui.h"

namespace attn {

struct HeatmapImage {
    const float* values = nullptr;   // (rows, cols) row-major probabilities on a fixed [0, 1] scale
    int rows = 0;                    // T: queries
    int cols = 0;                    // S: keys
    bool causal = false;             // cells with col > row + (cols - rows) are masked (future tokens)
    uint64_t key = 0;                // changes whenever the values do (trace version, layer, head)
};

class TextureProvider {
public:
    virtual ~TextureProvider() = default;
    // One texel per cell, viridis-coloured, masked cells flat grey. `slot` names a reusable texture
    // (one per on-screen heatmap); it is re-uploaded only when image.key changes.
    virtual ImTextureID heatmap_texture(int slot, const HeatmapImage& image) = 0;
};

// True when cell (row, col) of a causal image is a future token (so its zero is a mask, not a weight).
inline bool heatmap_cell_masked(const HeatmapImage& image, int row, int col) {
    return image.causal && col > row + (image.cols - image.rows);
}

}  // namespace attn
