// The heatmap's view options (heads: one / average of all / average of chosen; words) and the head
// statistics table of the selected layer. Views: they edit the Selection, nothing else.
#pragma once
#include <array>
#include <vector>

#include "analysis/head_patterns.h"
#include "analysis/head_summary.h"
#include "ui/selection.h"

namespace attn {

// `value_weighted`: offer the value-weighted checkbox (the app has the value norms of this attention).
void show_head_options(Selection& selection, int n_head, bool value_weighted = false);

// One row per head of the selected layer: mean entropy (nats, and normalised by ln of the keys each
// row can see) and mean attention distance (tokens; "-" for cross attention). Clicking a row selects
// that head (and shows it alone in the heatmap).
// row_rects (optional, out): each head's row (x, y, w, h), for tests.
// labels (optional): this layer's heads' pattern labels (heads view), shown as a badge column.
void show_head_stats_table(Selection& selection, const std::vector<RowStats>& stats,
                           std::vector<std::array<float, 4>>* row_rects = nullptr,
                           const HeadLabel* labels = nullptr);

// The inspected token's row in every head of the selected layer (part of the inspector, drawn below
// the predictions so Next token stays in view): entropy, normalised entropy, mean distance.
struct InspectorData;
void show_inspector_row_stats(const Selection& selection, const InspectorData& data);

}  // namespace attn
