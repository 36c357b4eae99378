// Heatmap texels and scale: block max-pooling for thumbnails and the largest-value scan behind auto
// scale. No GL and no ImGui drawing here.
#include "ui/heatmap_cells.h"

#include <algorithm>
#include <cmath>

namespace attn {

namespace {

// The block size (by, bx) and the texel grid, every texel masked until a cell says otherwise.
void cells_begin(const HeatmapImage& image, std::vector<float>* texels, int* rows, int* cols, int* by, int* bx) {
    const int R = std::max(0, image.rows), C = std::max(0, image.cols);
    *by = image.max_side > 0 && R > image.max_side ? (R + image.max_side - 1) / image.max_side : 1;
    *bx = image.max_side > 0 && C > image.max_side ? (C + image.max_side - 1) / image.max_side : 1;
    *rows = (R + *by - 1) / *by;
    *cols = (C + *bx - 1) / *bx;
    texels->assign(static_cast<size_t>(*rows) * *cols, kHeatmapMaskedTexel);
}

}  // namespace

// A block at a time along each row, and a causal row only up to its diagonal: the grid pools 144 heads of
// 1024 x 1024 on a new trace, and the cell-by-cell reference (a mask test and a division per cell) took
// most of that frame.
void heatmap_cells(const HeatmapImage& image, std::vector<float>* texels, int* rows, int* cols) {
    if (image.texels) {
        *rows = std::max(0, image.rows);
        *cols = std::max(0, image.cols);
        texels->assign(image.values, image.values + static_cast<size_t>(*rows) * *cols);
        return;
    }
    int by = 1, bx = 1;
    cells_begin(image, texels, rows, cols, &by, &bx);
    const int R = std::max(0, image.rows), C = std::max(0, image.cols);
    for (int t = 0; t < R; ++t) {
        float* out = texels->data() + static_cast<size_t>(t / by) * *cols;
        const float* in = image.values + static_cast<size_t>(t) * C;
        // heatmap_cell_masked: a causal row's cells past t + (C - R) are masked.
        const int end = image.causal ? std::min(C, std::max(0, t + 1 + (C - R))) : C;
        for (int s0 = 0, b = 0; s0 < end; s0 += bx, ++b) {
            if (out[b] == kHeatmapBadTexel) continue;   // it stays bad
            const int s1 = std::min(end, s0 + bx);
            float m = out[b];
            bool finite = true;
            for (int s = s0; s < s1; ++s) {
                finite &= std::isfinite(in[s]);
                m = std::max(m, in[s]);   // NaN leaves m as it was; `finite` marks the block bad
            }
            out[b] = finite ? m : kHeatmapBadTexel;
        }
    }
}

void heatmap_cells_reference(const HeatmapImage& image, std::vector<float>* texels, int* rows, int* cols) {
    int by = 1, bx = 1;
    cells_begin(image, texels, rows, cols, &by, &bx);
    const int R = std::max(0, image.rows), C = std::max(0, image.cols);
    for (int t = 0; t < R; ++t) {
        float* out = texels->data() + static_cast<size_t>(t / by) * *cols;
        const float* in = image.values + static_cast<size_t>(t) * C;
        for (int s = 0; s < C; ++s) {
            if (heatmap_cell_masked(image, t, s)) continue;
            float& texel = out[s / bx];
            if (!std::isfinite(in[s])) texel = kHeatmapBadTexel;   // and it stays bad
            else if (texel != kHeatmapBadTexel) texel = std::max(texel, in[s]);
        }
    }
}

float heatmap_max(const HeatmapImage& image) {
    float best = 0.0f, best_forced = 0.0f;   // rows with a choice of keys / rows with one key
    bool any_choice = false;
    for (int t = 0; t < image.rows; ++t) {
        const float* in = image.values + static_cast<size_t>(t) * image.cols;
        // Causal rows end at the diagonal: masked cells never count, whatever a tensor stores there.
        const int end = image.causal ? std::min(image.cols, t + 1 + (image.cols - image.rows)) : image.cols;
        any_choice = any_choice || end > 1;
        float& into = end > 1 ? best : best_forced;
        for (int s = 0; s < end; ++s)
            if (std::isfinite(in[s])) into = std::max(into, in[s]);
    }
    return any_choice ? best : best_forced;
}

}  // namespace attn
