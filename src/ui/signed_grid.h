// A small grid of signed values on the diverging colormap (blue < 0 < red), with row and column
// labels and a hover tooltip: the patching view's layer x position and layer x head maps, and the
// heatmap's "change" picture under interventions (after - before), and the lesson's matrices.
#pragma once
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "ui/colormap.h"

namespace attn {

struct SignedGridData {
    int rows = 0, cols = 0;
    const float* values = nullptr;          // (rows, cols), row 0 drawn at the top
    float vmax = 1.0f;                      // the scale: -vmax .. vmax
    std::vector<std::string> row_labels;    // rows (left)
    std::vector<std::string> col_labels;    // cols (below; thinned when narrow)
    const char* row_title = "";
    const char* col_title = "";
    float height = 0.0f;                    // 0: a square-ish size from the width
    std::function<std::string(int row, int col)> tooltip;   // hover text; unset: the value
    std::array<float, 4>* rect = nullptr;   // out: the cells' rect (x, y, w, h)
    bool legend = true;                     // a colour bar with -vmax, 0, vmax under the grid
    int highlight_row = -1;                 // a row outlined (the lesson's query); -1 none
    // Set: the values are weights in [0, vmax] on this sequential map (the attention's own) instead of
    // signed ones, and -inf cells (masked scores) take masked_color. Unset: -inf cells do too.
    const ColormapTable* weights_map = nullptr;
    ImU32 masked_color = IM_COL32(128, 128, 128, 255);
    const char* legend_note = "";           // what the colours mean, after the bar
};

// Draws the grid; returns the clicked cell's row * cols + col, or -1.
int show_signed_grid(const SignedGridData& data);

}  // namespace attn
