// Attention flow (Abnar & Zuidema 2020): the layered graph with a node (l, i) per layer l = 0..L and
// token i, an edge (l-1, i) -> (l, k) with capacity Ahat_l[k][i] wherever that is > 0, and
// flow[j][i] = the maximum flow from input node (0, i) to output node (L, j). Exact max flow (Dinic, in
// doubles), not an approximation; rollout (rollout.h) is the cheap path-product counterpart.
//
//   ResidualAttention ahat = residual_attention(trace.attentions);
//   std::vector<double> f = attention_flow(ahat);           // (T, T) all pairs: T^2 max flows
//   std::vector<double> row = attention_flow_row(ahat, j);  // (T) one output token: T max flows
//   AttentionFlowSolver solver = attention_flow_solver(ahat);  // or one pair at a time, e.g. a few
//   double f_ij = attention_flow_between(solver, i, j);        // per frame in an interactive view
#pragma once
#include <cstddef>
#include <vector>

#include "analysis/rollout.h"

namespace attn {

// The flow network in compressed adjacency form plus the scratch one max flow needs. Built once per
// attention; every query resets only the scratch. About 32 bytes per edge (L*T^2 edges non-causal,
// about half that causal).
struct AttentionFlowSolver {
    int n_layer = 0, n_token = 0;
    std::vector<int> first;        // (V+1): node u's arcs are [first[u], first[u+1]); V = (L+1) T
    std::vector<int> arc_to;       // (2E) head node of each arc
    std::vector<int> arc_edge;     // (2E) the edge an arc belongs to: e forward, ~e (negative) its reverse
    std::vector<double> capacity;  // (E) Ahat_l[k][i] of edge (l-1, i) -> (l, k)
    // Scratch for one max flow.
    std::vector<double> flow;      // (E)
    std::vector<int> level, next_arc, path;
    std::vector<int> touched;      // edges whose flow this query moved off 0 (reset by the next)
    // The nodes that have a path to output node reaches_sink over the network's edges (1) or not (0),
    // kept from query to query: only they can carry flow to it, so the search skips the rest.
    std::vector<char> reaches;
    int reaches_sink = -1;

    size_t n_edges() const { return capacity.size(); }
};

// The number of edges the network for `ahat` would have (to decide whether building it is affordable).
size_t attention_flow_edge_count(const ResidualAttention& ahat);
// The same for one layer's edges (layer `layer` of ahat, from layer - 1's nodes): the whole count is their sum.
size_t attention_flow_edge_count(const ResidualAttention& ahat, int layer);
// And for the rows [row_begin, row_end) of that layer (its edges into those output nodes).
size_t attention_flow_edge_count(const ResidualAttention& ahat, int layer, int row_begin, int row_end);
AttentionFlowSolver attention_flow_solver(const ResidualAttention& ahat);
// The same solver built in steps (the same arrays, so the same flows), for a caller that spreads a long
// trace over frames (the network of a T = 512 trace takes 50 ms): begin, count the edges of every
// layer's rows, offsets, fill every layer's rows (each pass in layer and row order), end.
//   attention_flow_solver_begin(ahat, &s);
//   for (l = 1..L) for (row ranges in order) attention_flow_solver_count(ahat, l, r0, r1, &s);
//   attention_flow_solver_offsets(&s);
//   for (l = 1..L) for (row ranges in order) attention_flow_solver_fill(ahat, l, r0, r1, &s);
//   attention_flow_solver_end(&s);
void attention_flow_solver_begin(const ResidualAttention& ahat, AttentionFlowSolver* s);
void attention_flow_solver_count(const ResidualAttention& ahat, int layer, int row_begin, int row_end,
                                 AttentionFlowSolver* s);
void attention_flow_solver_offsets(AttentionFlowSolver* s);
void attention_flow_solver_fill(const ResidualAttention& ahat, int layer, int row_begin, int row_end,
                                AttentionFlowSolver* s);
void attention_flow_solver_end(AttentionFlowSolver* s);
// Max flow from input token i (node (0, i)) to output token j (node (L, j)); 0 for out-of-range tokens.
double attention_flow_between(AttentionFlowSolver& solver, int input_token, int output_token);

// (T): [i] = max flow from input token i to output token j.
std::vector<double> attention_flow_row(const ResidualAttention& ahat, int j);
// (T, T): [j][i] = max flow from input token i to output token j (the reference's layout).
std::vector<double> attention_flow(const ResidualAttention& ahat);

}  // namespace attn
