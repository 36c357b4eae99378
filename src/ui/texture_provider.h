// The seam between views and the renderer: views ask for a colour-mapped heatmap texture and get an
// ImTextureID to draw with ImGui::Image. The GL implementation lives in src/platform; the smoke test
// passes a null one. Views never see GL.
#pragma once
#include <cstdint>

#include "imgui.h"
#include "ui/colormap.h"

namespace attn {

struct HeatmapImage {
    const float* values = nullptr;   // (rows, cols) row-major probabilities in [0, 1]
    int rows = 0;                    // T: queries
    int cols = 0;                    // S: keys
    bool causal = false;             // cells with col > row + (cols - rows) are masked (future tokens)
    uint64_t key = 0;                // changes whenever the values do (trace version, layer, head)
    Colormap colormap = Colormap::viridis;
    float vmax = 1.0f;               // value shown at the top of the map: cells show v / vmax, clamped
    // > 0: at most this many texels a side, max-pooled (thumbnails; see heatmap_cells.h). 0: one per cell.
    int max_side = 0;
    // true: `values` are already heatmap_cells' texels (rows x cols; -1 masked, -2 bad), as the head grid's
    // tiles (grid_tiles.h) are: uploaded as they are, and causal and max_side are not applied again.
    bool texels = false;
};

// Texture slots (one reusable texture each): 0 the main heatmap, 8 the inspector's strips, 64 the
// head grid's hover preview, 65 + layer * n_head + head its tiles.
constexpr int kSlotHeatmap = 0, kSlotInspector = 8, kSlotGridPreview = 64, kSlotGridTiles = 65;
// 40: the similarity view's JSD matrix.
constexpr int kSlotSimilarity = 40;

class TextureProvider {
public:
    virtual ~TextureProvider() = default;
    // One texel per cell (or per pooled block), coloured with image.colormap over [0, image.vmax],
    // masked cells in colormap_masked_rgba. The values are re-uploaded only when image.key (or the
    // shape or pooling) changes, and re-coloured when the colormap or vmax change.
    virtual ImTextureID heatmap_texture(int slot, const HeatmapImage& image) = 0;
    // Changes whenever a texture's texels or colours changed: a frame whose draw lists are the same as the
    // last one's still shows something new then (the page skips drawing frames that show nothing new).
    virtual uint64_t generation() const { return 0; }
};

// True when cell (row, col) of a causal image is a future token (so its zero is a mask, not a weight).
inline bool heatmap_cell_masked(const HeatmapImage& image, int row, int col) {
    return image.causal && col > row + (image.cols - image.rows);
}

}  // namespace attn
