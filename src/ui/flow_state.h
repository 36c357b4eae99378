// What the flow view keeps between frames: the threshold slider, the pinned output token, and caches
// keyed by the trace version (Ahat per layer, node importances, the max-flow rows computed so far, a
// few sources per frame). Owned by the App so the view itself stays a function of its inputs.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "analysis/attention_flow.h"
#include "analysis/rollout.h"

namespace attn {

// One edge of the flow graph as the view draws it: (layer-1, from) -> (layer, to).
struct FlowEdge {
    float weight;       // Ahat_layer[to][from]
    float importance;   // with an output token in focus: importance(layer, to) * weight; else 0
    int layer, from, to;
};

struct FlowViewState {
    float threshold = 0.1f;   // edges with a lower Ahat weight are hidden (unless on a lit path)
    int pinned = -1;          // output token clicked to keep its paths lit; -1 none

    // Caches, all for `key` (the trace version and which attention kind is shown).
    uint64_t key = ~0ull;
    ResidualAttention ahat;                  // (L, T, T)
    int ahat_done = 0;                       // layers of ahat made so far (flow_state_step)
    int ahat_rows = 0;                       // and rows of the next layer (a long trace's layer takes steps)
    // Attention probabilities a step reads: 128 rows at 12 heads and T = 1024, about 2-4 ms (a whole
    // layer, 30 ms, was the longest frame of a new trace); a small trace makes a layer a step.
    size_t step_probs = size_t{12} * 128 * 1024;
    size_t edge_count = 0;                   // the max-flow network's edges in those layers
    bool flow_fits = false;                  // the max-flow network is small enough to build
    // The max-flow network, built in steps once a row is first wanted: each layer's rows counted, then
    // filled, in order (solver_layer 1..L, solver_rows), then built.
    enum class SolverPass { none, count, fill, built } solver_pass = SolverPass::none;
    int solver_layer = 1, solver_rows = 0;
    AttentionFlowSolver solver;
    std::map<int, std::vector<double>> flow_rows;   // output token -> (T) finished max-flow row
    int job_token = -1;                      // the row being computed, a source a step (app_flow_frame)
    int job_next = 0;
    std::vector<double> job_row;
    int focus = -1;                          // the output token the view had in focus last frame
    int focus_frames = 0;                    // how many frames in a row it has
    int importance_token = -1;
    std::vector<double> importance;          // (L+1, T) rollout_importance for importance_token
    // The edges at or above candidates_threshold in the first candidates_layers layers of ahat and the
    // first candidates_rows rows of the next, unlit (ui/flow_edges.h): gathered a step at a time as ahat
    // is made, so a new focus token or edge cap does not pass over all of ahat again. Given up
    // (candidates_over) past about a million edges.
    std::vector<FlowEdge> candidates;
    float candidates_threshold = -1.0f;
    int candidates_layers = 0;
    int candidates_rows = 0;
    bool candidates_over = false;
    // The edges drawn last frame and what they were chosen with.
    std::vector<FlowEdge> edges;
    size_t edges_dropped = 0;
    float edges_threshold = -1.0f;
    int edges_token = -2;
    size_t edges_cap = 0;
};

// Starts the caches over for the attention `key` names: Ahat sized and zeroed with no layer made yet,
// nothing solved, the pin dropped when past the new tokens. Nothing happens when they describe `key`.
void flow_state_begin(FlowViewState& s, uint64_t key, const AttentionTensor& attention);
// Makes Ahat's next rows from `attention` (the tensor begin was given): a whole layer when T is small, a
// few milliseconds' worth of a layer's rows when it is large; after the last, flow_fits is set.
void flow_state_step(FlowViewState& s, const AttentionTensor& attention);
inline bool flow_state_ready(const FlowViewState& s) { return s.ahat_done >= s.ahat.n_layer; }
// The view's output token in focus this frame (hovered, else pinned; -1 none).
void flow_state_focus(FlowViewState& s, int token);
// The output token whose max-flow row is wanted and not finished: the pinned one, or one the pointer has
// rested on for two frames (a pointer sweeping the tokens, a new one each frame, starts no row: a source
// can take 10 ms at T = 1024); -1 when none, or Ahat is not made or too large for max flow (flow_fits).
int flow_state_row_wanted(const FlowViewState& s);
// One step of output token j's max-flow row: a few rows of the network's build while it is not built
// (once per trace), then one source; a finished row moves to flow_rows. The row's progress: job_next / T
// while job_token == j.
void flow_state_row_step(FlowViewState& s, int j);
// Brings the candidates to the current threshold over the layers (and rows) made so far (a higher threshold filters
// them; a lower one gathers every layer again); true when they cover all of ahat and can stand in for a
// pass over it.
bool flow_state_candidates(FlowViewState& s);

}  // namespace attn
