// The flow graph's edges worth drawing: Ahat weight >= threshold, or, when `importance`
// (rollout_importance, (L+1, T)) is given, importance(layer, to) * weight >= min_importance (the lit paths
// ignore the threshold). At most max_edges survive, lit edges first, then the heaviest. Sorted so lit
// edges come last (drawn on top), each group by ascending importance / weight.
//
// At T = 1024 Ahat is 100 MB of doubles, and one pass over it is 16 ms on its own. So the view keeps the
// edges at or above its threshold (the candidates), gathered a step at a time while Ahat is made
// (flow_state_step), and a new focus token scans only the rows a lit path can pass.
//
//   std::vector<FlowEdge> edges = flow_edges(ahat, 0.1f, importance, 0.005f, 6000, &dropped);
//   for (int l = 1; l <= L; ++l) flow_candidates_add(ahat, l, 0.1f, &candidates);
//   edges = flow_edges_from(candidates, ahat, 0.1f, importance, 0.005f, 6000, &dropped);   // the same edges
#pragma once
#include <cstddef>
#include <vector>

#include "analysis/rollout.h"
#include "ui/flow_state.h"

namespace attn {

std::vector<FlowEdge> flow_edges(const ResidualAttention& ahat, float threshold, const std::vector<double>& importance,
                                 float min_importance, size_t max_edges, size_t* n_dropped = nullptr);

// Appends the edges into Ahat layer `layer` (1..L, as FlowEdge::layer) of weight >= threshold, unlit: into
// every output node of that layer, or into rows [row_begin, row_end) only (a layer's rows added in order
// give the same list as the whole layer).
void flow_candidates_add(const ResidualAttention& ahat, int layer, float threshold, std::vector<FlowEdge>* candidates);
void flow_candidates_add(const ResidualAttention& ahat, int layer, float threshold, std::vector<FlowEdge>* candidates,
                         int row_begin, int row_end);

// flow_edges from the candidates of every layer at this threshold: the same edges, in the same order up to
// ties of equal rank.
std::vector<FlowEdge> flow_edges_from(const std::vector<FlowEdge>& candidates, const ResidualAttention& ahat,
                                      float threshold, const std::vector<double>& importance, float min_importance,
                                      size_t max_edges, size_t* n_dropped = nullptr);

}  // namespace attn
