// The head grid's thumbnails of one attention tensor: every head's max-pooled texels (heatmap_cells at
// most kGridTileCells a side) and its largest weight (heatmap_max, the grid's auto scale), made a few
// heads at a time. A new T = 1024 trace reads 144 maps of 4 MB to make them, about 0.2 s on one core:
// too long for one frame, so the app makes them within its frame budget (app_grid.h) and the grid draws
// the heads made so far. Pure functions over the tensor; no GL and no drawing.
//
//   GridTiles tiles;
//   grid_tiles_begin(tiles, attention, key);
//   while (!tiles.complete()) grid_tiles_step(tiles, attention, 4);
//   const float* t = grid_tile(tiles, l * H + h);   // (tiles.rows, tiles.cols) texels
#pragma once
#include <cstdint>
#include <vector>

#include "model/trace.h"

namespace attn {

// Thumbnails are max-pooled to at most this many texels a side: tiles about 60 pixels wide cannot show
// more, 144 tiles at T = 1024 would otherwise upload 144 x 4 MB, and max (not mean) pooling keeps a
// sharp one-key head visible.
constexpr int kGridTileCells = 64;

struct GridTiles {
    uint64_t key = 0;                   // which attention they show (the caller's key); 0: none yet
    int heads_total = 0;                // L x H
    int heads_done = 0;                 // heads made so far, layer-major (l * H + h)
    int rows = 0, cols = 0;             // every tile's texel grid
    std::vector<float> texels;          // heads_done tiles of rows x cols: heatmap_cells' texels
    std::vector<float> head_max;        // heads_done values: heatmap_max of each head
    bool causal = false;                // the tensor's mask (already in the texels: -1 where masked)
    bool complete() const { return heads_done >= heads_total; }
};

// Starts over for attention `a` under `key`: no head made yet (every head when `a` is empty, which has
// none).
void grid_tiles_begin(GridTiles& tiles, const AttentionTensor& a, uint64_t key);
// Makes the next `heads` heads' tiles (fewer at the end). `a` must be the tensor begin was given.
void grid_tiles_step(GridTiles& tiles, const AttentionTensor& a, int heads);
// Head i's texels (rows x cols), or null while it is not made yet.
const float* grid_tile(const GridTiles& tiles, int i);

}  // namespace attn
