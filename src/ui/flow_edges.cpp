#include "ui/flow_edges.h"

#include "ui/keep_strongest.h"

namespace attn {

namespace {

// Lit edges rank above every unlit one (importance in [0,1] shifted past any weight).
bool lower_rank(const FlowEdge& a, const FlowEdge& b) {
    auto rank = [](const FlowEdge& e) { return e.importance > 0.0f ? 2.0f + e.importance : e.weight; };
    return rank(a) < rank(b);
}

// The lit-path test of one edge: importance(layer, to) * weight as a float, and whether it counts.
bool on_path(double above, double weight, float min_importance, float* importance) {
    *importance = static_cast<float>(above * weight);
    return *importance > 0.0f && *importance >= min_importance;
}

// Whether row (layer, to) can hold a lit edge: its importance times a weight (at most 1: Ahat's rows are
// distributions) reaches min_importance only if the importance itself does.
bool row_can_be_lit(double above, float min_importance) {
    return above != 0.0 && !(static_cast<float>(above) < min_importance);
}

}  // namespace

std::vector<FlowEdge> flow_edges(const ResidualAttention& ahat, float threshold, const std::vector<double>& importance,
                                 float min_importance, size_t max_edges, size_t* n_dropped) {
    std::vector<FlowEdge> candidates;
    for (int l = 1; l <= ahat.n_layer; ++l) flow_candidates_add(ahat, l, threshold, &candidates);
    return flow_edges_from(candidates, ahat, threshold, importance, min_importance, max_edges, n_dropped);
}

void flow_candidates_add(const ResidualAttention& ahat, int layer, float threshold, std::vector<FlowEdge>* candidates) {
    flow_candidates_add(ahat, layer, threshold, candidates, 0, ahat.n_token);
}

void flow_candidates_add(const ResidualAttention& ahat, int layer, float threshold, std::vector<FlowEdge>* candidates,
                         int row_begin, int row_end) {
    const int T = ahat.n_token;
    const double* a = ahat.layer(layer - 1);
    for (int k = row_begin; k < row_end; ++k) {
        const double* row = a + static_cast<size_t>(k) * T;
        for (int i = 0; i < T; ++i) {
            const float w = static_cast<float>(row[i]);
            if (w > 0.0f && w >= threshold) candidates->push_back({w, 0.0f, layer, i, k});
        }
    }
}

std::vector<FlowEdge> flow_edges_from(const std::vector<FlowEdge>& candidates, const ResidualAttention& ahat,
                                      float threshold, const std::vector<double>& importance, float min_importance,
                                      size_t max_edges, size_t* n_dropped) {
    std::vector<FlowEdge> edges;
    if (n_dropped) *n_dropped = 0;
    const int L = ahat.n_layer, T = ahat.n_token;
    std::vector<char> lit_row;   // (L+1, T): rows scanned for lit edges
    if (importance.size() == static_cast<size_t>(L + 1) * T) {
        lit_row.assign(importance.size(), 0);
        for (int l = 1; l <= L; ++l)
            for (int k = 0; k < T; ++k) {
                const double above = importance[static_cast<size_t>(l) * T + k];
                if (!row_can_be_lit(above, min_importance)) continue;
                lit_row[static_cast<size_t>(l) * T + k] = 1;
                const double* row = ahat.layer(l - 1) + static_cast<size_t>(k) * T;
                for (int i = 0; i < T; ++i) {
                    const float w = static_cast<float>(row[i]);
                    float imp;
                    if (w > 0.0f && on_path(above, row[i], min_importance, &imp)) edges.push_back({w, imp, l, i, k});
                }
            }
    }
    // The threshold's edges, less those just found lit (they are in once, lit).
    for (const FlowEdge& c : candidates) {
        if (!(c.weight >= threshold)) continue;
        const size_t at = static_cast<size_t>(c.layer) * T + c.to;
        float imp;
        if (!lit_row.empty() && lit_row[at] &&
            on_path(importance[at], ahat.at(c.layer - 1, c.to, c.from), min_importance, &imp))
            continue;
        edges.push_back(c);
    }
    keep_strongest(edges, max_edges, lower_rank, n_dropped);
    return edges;
}

}  // namespace attn
