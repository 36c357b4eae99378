// Vector pictures of the main views for papers, written from the data the views draw (no ImGui): the
// title, every token label as <text> (the full label, UTF-8, escaped), the cells as one <rect> per
// cell carrying data-q/data-k/data-weight (above kSvgMaxCellRects cells, one embedded pixelated PNG of
// the cells instead), the head grid's tiles as one embedded PNG per head (cells only), the colorbar as
// <rect>s from the same colormap table, and lines and flow edges as <line>s with stroke-opacity =
// weight. Always on white, for print.
#pragma once
#include <string>
#include <vector>

#include "model/trace.h"
#include "ui/colormap.h"
#include "ui/picture_title.h"
#include "ui/selection.h"
#include "ui/token_label.h"

namespace attn {

constexpr int kSvgMaxCellRects = 128 * 128;

struct SvgInput {
    MainView view = MainView::heatmap;
    const AttentionTensor* attention = nullptr;   // the shown kind's tensor
    const TokenSeq* queries = nullptr;
    const TokenSeq* keys = nullptr;
    PieceStyle piece_style = PieceStyle::plain;
    int layer = 0, head = 0;
    const float* matrix = nullptr;   // heatmap: (T, S) to draw instead of the head (a head average)
    Colormap colormap = Colormap::viridis;
    bool auto_scale = false;
    PictureTitle title;
    std::vector<char> heads_on;   // lines: the heads drawn (empty: the selected head)
    bool keys_left = false;       // lines: cross attention puts the source (keys) on the left
    float flow_threshold = 0.1f;  // flow: edges below are left out (unless on the pinned token's paths)
    int flow_pinned = -1;         // flow: the token whose paths are lit
    bool bad_values = false;      // the trace holds NaN/Inf: heatmap and grid colorbars say what the bad colour means
};

// The SVG document, or "" when there is nothing to draw (no attention, or flow of cross attention).
std::string svg_picture(const SvgInput& in);

}  // namespace attn
