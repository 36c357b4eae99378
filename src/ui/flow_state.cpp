// The flow view's caches for a new attention: begun at once, Ahat then made a few rows at a time.
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

// Rows of Ahat a step makes: step_probs attention probabilities' worth (every head's row is read).
int rows_per_step(const FlowViewState& s, const AttentionTensor& attention, int T) {
    const size_t row = static_cast<size_t>(std::max(1, attention.n_head)) * std::max(1, T);
    return static_cast<int>(std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(T), s.step_probs / row)));
}

// The next rows of the network's build: counted for every layer, then filled (the same order as
// attention_flow_solver, so the same network).
void solver_build_step(FlowViewState& s, int rows) {
    using Pass = FlowViewState::SolverPass;
    const int T = s.ahat.n_token, L = s.ahat.n_layer;
    if (s.solver_pass == Pass::none) {
        attention_flow_solver_begin(s.ahat, &s.solver);
        s.solver_pass = Pass::count;
        s.solver_layer = 1;
        s.solver_rows = 0;
    }
    const int begin = s.solver_rows, end = std::min(T, begin + rows);
    if (s.solver_pass == Pass::count) attention_flow_solver_count(s.ahat, s.solver_layer, begin, end, &s.solver);
    else attention_flow_solver_fill(s.ahat, s.solver_layer, begin, end, &s.solver);
    s.solver_rows = end;
    if (end < T) return;
    s.solver_rows = 0;
    if (++s.solver_layer <= L) return;
    s.solver_layer = 1;
    if (s.solver_pass == Pass::count) {
        attention_flow_solver_offsets(&s.solver);
        s.solver_pass = Pass::fill;
    } else {
        attention_flow_solver_end(&s.solver);
        s.solver_pass = Pass::built;
    }
}

}  // namespace

void flow_state_begin(FlowViewState& s, uint64_t key, const AttentionTensor& attention) {
    if (s.key == key) return;
    s.key = key;
    residual_attention_begin(attention, &s.ahat);
    s.ahat_done = 0;
    s.ahat_rows = 0;
    s.edge_count = 0;
    s.flow_fits = false;
    s.solver = AttentionFlowSolver{};
    s.solver_pass = FlowViewState::SolverPass::none;
    s.solver_layer = 1;
    s.solver_rows = 0;
    s.flow_rows.clear();
    s.job_token = -1;
    s.job_row.clear();
    s.focus = -1;
    s.focus_frames = 0;
    s.importance_token = -1;
    s.importance.clear();
    s.candidates.clear();
    s.candidates_threshold = -1.0f;
    s.candidates_layers = 0;
    s.candidates_rows = 0;
    s.edges.clear();
    s.edges_token = -2;
    if (s.pinned >= s.ahat.n_token) s.pinned = -1;
}

void flow_state_step(FlowViewState& s, const AttentionTensor& attention) {
    if (flow_state_ready(s)) return;
    const int T = s.ahat.n_token, l = s.ahat_done;
    const int begin = s.ahat_rows, end = std::min(T, begin + rows_per_step(s, attention, T));
    residual_attention_rows(attention, l, begin, end, &s.ahat);
    s.edge_count += attention_flow_edge_count(s.ahat, l, begin, end);   // a step's rows, not all in the last
    s.ahat_rows = end;
    if (end == T) {
        s.ahat_rows = 0;
        if (++s.ahat_done == s.ahat.n_layer) s.flow_fits = s.edge_count <= kMaxFlowEdges;
    }
    flow_state_candidates(s);   // these rows', while they are still in cache
}

void flow_state_focus(FlowViewState& s, int token) {
    s.focus_frames = token == s.focus ? s.focus_frames + 1 : 1;
    s.focus = token;
}

int flow_state_row_wanted(const FlowViewState& s) {
    if (!flow_state_ready(s) || !s.flow_fits || s.focus < 0 || s.focus >= s.ahat.n_token) return -1;
    if (s.focus != s.pinned && s.focus_frames < 2) return -1;
    return s.flow_rows.count(s.focus) ? -1 : s.focus;
}

void flow_state_row_step(FlowViewState& s, int j) {
    if (s.flow_rows.count(j)) return;
    const int T = s.ahat.n_token;
    if (s.solver_pass != FlowViewState::SolverPass::built) {
        // step_probs / T rows a step: a pass reads each row of Ahat once, where making it read every head's.
        solver_build_step(s, std::max(1, static_cast<int>(std::min<size_t>(T, s.step_probs / std::max(1, T)))));
        return;
    }
    if (s.job_token != j) {
        s.job_token = j;
        s.job_next = 0;
        s.job_row.assign(T, 0.0);
    }
    if (s.job_next < T) {
        s.job_row[s.job_next] = attention_flow_between(s.solver, s.job_next, j);
        ++s.job_next;
    }
    if (s.job_next < T) return;
    s.flow_rows[j] = std::move(s.job_row);
    s.job_token = -1;
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
        s.candidates_rows = 0;
        s.candidates_over = false;
    }
    // Up to what is made: the rest of each made layer, then the rows made of the next.
    while (!s.candidates_over && (s.candidates_layers < s.ahat_done ||
                                  (s.candidates_layers == s.ahat_done && s.candidates_rows < s.ahat_rows))) {
        const int end = s.candidates_layers < s.ahat_done ? s.ahat.n_token : s.ahat_rows;
        flow_candidates_add(s.ahat, s.candidates_layers + 1, s.threshold, &s.candidates, s.candidates_rows, end);
        if (end == s.ahat.n_token) {
            ++s.candidates_layers;
            s.candidates_rows = 0;
        } else {
            s.candidates_rows = end;
        }
        if (s.candidates.size() > kMaxCandidates) {
            s.candidates_over = true;
            std::vector<FlowEdge>().swap(s.candidates);
        }
    }
    return !s.candidates_over && s.candidates_layers == s.ahat.n_layer && s.ahat.n_layer > 0;
}

}  // namespace attn
