// The flow view's caches for a new attention: begun at once, Ahat then made a layer at a time.
#include "ui/flow_state.h"

#include <algorithm>

#include "ui/flow_edges.h"

namespace attn {

namespace {

// The max-flow network costs about 32 bytes per edge; past this (T=512 non-causal at 12 layers) the
// view shows rollout instead.
constexpr size_t kMaxFlowEdges = 1600000;
// Candidate edges kept between frames (20 bytes each); a threshold near 0 at T = 1024 would keep all
// 12.6 M, and the view then passes over ahat at each change instead.
constexpr size_t kMaxCandidates = size_t{1} << 20;

}  // namespace

void flow_state_begin(FlowViewState& s, uint64_t key, const AttentionTensor& attention) {
    if (s.key == key) return;
    s.key = key;
    residual_attention_begin(attention, &s.ahat);
    s.ahat_done = 0;
    s.edge_count = 0;
    s.flow_fits = false;
    s.solver = AttentionFlowSolver{};
    s.solver_built = false;
    s.flow_rows.clear();
    s.job_token = -1;
    s.job_row.clear();
    s.importance_token = -1;
    s.importance.clear();
    s.candidates.clear();
    s.candidates_threshold = -1.0f;
    s.edges.clear();
    s.edges_token = -2;
    if (s.pinned >= s.ahat.n_token) s.pinned = -1;
}

void flow_state_step(FlowViewState& s, const AttentionTensor& attention) {
    if (flow_state_ready(s)) return;
    residual_attention_layer(attention, s.ahat_done, &s.ahat);
    s.edge_count += attention_flow_edge_count(s.ahat, s.ahat_done);   // a layer a step, not all in the last
    if (++s.ahat_done == s.ahat.n_layer) s.flow_fits = s.edge_count <= kMaxFlowEdges;
    flow_state_candidates(s);   // this layer's, while it is still in cache
}

bool flow_state_candidates(FlowViewState& s) {
    if (s.threshold > s.candidates_threshold && s.candidates_threshold >= 0.0f && !s.candidates_over) {
        // A higher threshold keeps a subset: the slider moving up costs no pass over ahat.
        const float t = s.threshold;
        s.candidates.erase(std::remove_if(s.candidates.begin(), s.candidates.end(),
                                          [t](const FlowEdge& e) { return !(e.weight >= t); }),
                           s.candidates.end());
        s.candidates_threshold = t;
    }
    if (s.candidates_threshold != s.threshold) {
        s.candidates.clear();
        s.candidates_threshold = s.threshold;
        s.candidates_layers = 0;
        s.candidates_over = false;
    }
    while (!s.candidates_over && s.candidates_layers < s.ahat_done) {
        flow_candidates_add(s.ahat, ++s.candidates_layers, s.threshold, &s.candidates);
        if (s.candidates.size() > kMaxCandidates) {
            s.candidates_over = true;
            std::vector<FlowEdge>().swap(s.candidates);
        }
    }
    return !s.candidates_over && s.candidates_layers == s.ahat.n_layer && s.ahat.n_layer > 0;
}

}  // namespace attn
