// The head grid's thumbnails a head at a time: heatmap_cells and heatmap_max per head, appended.
#include "ui/grid_tiles.h"

#include <algorithm>

#include "ui/heatmap_cells.h"

namespace attn {

namespace {

HeatmapImage head_image(const AttentionTensor& a, int i) {
    HeatmapImage image;
    image.values = a.head(i / a.n_head, i % a.n_head);
    image.rows = a.n_query;
    image.cols = a.n_key;
    image.causal = a.causal;
    image.max_side = kGridTileCells;
    return image;
}

}  // namespace

void grid_tiles_begin(GridTiles& tiles, const AttentionTensor& a, uint64_t key) {
    tiles.key = key;
    tiles.heads_total = a.empty() || a.n_query <= 0 || a.n_key <= 0 ? 0 : a.n_layer * a.n_head;
    tiles.heads_done = 0;
    tiles.rows = tiles.cols = 0;
    tiles.texels.clear();
    tiles.head_max.clear();
    tiles.causal = a.causal;
}

void grid_tiles_step(GridTiles& tiles, const AttentionTensor& a, int heads) {
    std::vector<float> texels;
    for (int k = 0; k < heads && !tiles.complete(); ++k) {
        const HeatmapImage image = head_image(a, tiles.heads_done);
        heatmap_cells(image, &texels, &tiles.rows, &tiles.cols);
        if (tiles.texels.empty()) tiles.texels.reserve(texels.size() * static_cast<size_t>(tiles.heads_total));
        tiles.texels.insert(tiles.texels.end(), texels.begin(), texels.end());
        tiles.head_max.push_back(heatmap_max(image));
        ++tiles.heads_done;
    }
}

const float* grid_tile(const GridTiles& tiles, int i) {
    if (i < 0 || i >= tiles.heads_done) return nullptr;
    return tiles.texels.data() + static_cast<size_t>(i) * tiles.rows * tiles.cols;
}

}  // namespace attn
