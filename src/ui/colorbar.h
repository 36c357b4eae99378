// The colorbar beside heatmaps and the head grid: the colormap's ramp from the same table the cells
// use (so the legend cannot disagree with the picture), ticks from 0 to vmax, a marker at the hovered
// value, for causal attention a swatch saying what the masked grey means, and when the trace went bad
// one saying what the bad colour means. Draw-list only.
#pragma once
#include "imgui.h"
#include "ui/colormap.h"

namespace attn {

// hovered_value < 0: no marker. `vmax` < 1 only with auto scale. bad_values: the trace holds NaN or
// infinity, so a swatch of the bad colour (colormap_bad_color) says what it means.
void draw_colorbar(ImDrawList* dl, ImVec2 top_left, float height, float hovered_value, bool causal, Colormap colormap,
                   float vmax, bool bad_values = false);
// The height the swatches under the bar take (0 without any).
float colorbar_legend_height(bool causal, bool bad_values);
// The width the bar, its tick labels and the mask legend take at the current font.
float colorbar_width();

}  // namespace attn
