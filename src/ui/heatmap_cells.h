// What a heatmap texture holds, as pure functions the GL provider and the tests share: the texels
// (masked cells marked, optionally max-pooled down to a thumbnail) and the largest unmasked value
// (auto scale).
//
//   std::vector<float> texels; int rows = 0, cols = 0;
//   heatmap_cells(image, &texels, &rows, &cols);   // (rows, cols); -1 where masked, -2 where NaN/Inf
//   float vmax = heatmap_max(image);               // auto scale: the brightest cell shows this
#pragma once
#include <cstdint>
#include <vector>

#include "model/trace.h"
#include "ui/texture_provider.h"

namespace attn {

// The texels to upload for `image`: one per cell, or with image.max_side > 0 and a longer side, one
// per block of ceil(rows / max_side) x ceil(cols / max_side) cells holding the block's largest
// unmasked value. Max, not mean: a head that puts 0.9 on one key in 256 must still light up its
// thumbnail, and a mean would wash it out to 0.06. A block is masked (-1) only when all its cells are.
// A NaN or infinite value makes its texel (its whole block) kHeatmapBadTexel, drawn in the bad colour.
// An image of texels already (image.texels) is copied as it is.
constexpr float kHeatmapMaskedTexel = -1.0f;
constexpr float kHeatmapBadTexel = -2.0f;
void heatmap_cells(const HeatmapImage& image, std::vector<float>* texels, int* rows, int* cols);
// The same, cell by cell: the scalar reference heatmap_cells is tested against.
void heatmap_cells_reference(const HeatmapImage& image, std::vector<float>* texels, int* rows, int* cols);

// Auto scale's top: the largest unmasked value in the rows that see more than one key (0 for an empty
// image). Rows that see one key only (the first row of causal attention) hold 1 by construction: they
// carry no information, and counting them would pin every decoder head's auto scale at 1. When no row
// has a choice (one key), the largest value of all. NaN and infinity are left out.
float heatmap_max(const HeatmapImage& image);

}  // namespace attn
