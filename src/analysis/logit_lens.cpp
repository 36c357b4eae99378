// Softmax in double with the max subtracted: lens logits of early layers can be large and flat.
#include "analysis/logit_lens.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

namespace attn {
namespace {

struct Softmax {
    double max = -INFINITY, sum = 0.0;
    Softmax(const float* z, int V) {
        for (int v = 0; v < V; ++v) max = std::max(max, static_cast<double>(z[v]));
        for (int v = 0; v < V; ++v) sum += std::exp(z[v] - max);
    }
    float prob(float z) const { return sum > 0.0 ? static_cast<float>(std::exp(z - max) / sum) : 0.0f; }
};

}  // namespace

void lens_state_fill(const float* logits, int T, int V, int k, int32_t* argmax, int32_t* topk_ids, float* topk_probs) {
    const int kk = std::min(k, V);
    std::vector<int32_t> order(static_cast<size_t>(V));
    for (int t = 0; t < T; ++t) {
        const float* z = logits + static_cast<size_t>(t) * V;
        if (argmax) argmax[t] = static_cast<int32_t>(std::max_element(z, z + V) - z);
        if (k <= 0) continue;
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + kk, order.end(),
                          [z](int32_t a, int32_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); });
        const Softmax sm(z, V);
        for (int i = 0; i < k; ++i) {
            topk_ids[static_cast<size_t>(t) * k + i] = i < kk ? order[i] : -1;
            topk_probs[static_cast<size_t>(t) * k + i] = i < kk ? sm.prob(z[order[i]]) : 0.0f;
        }
    }
}

TokenRank lens_token_rank(const float* z, int V, int token) {
    TokenRank r;
    if (token < 0 || token >= V) return r;
    for (int v = 0; v < V; ++v)
        if (z[v] > z[token] || (z[v] == z[token] && v < token)) ++r.rank;
    r.prob = Softmax(z, V).prob(z[token]);
    return r;
}

}  // namespace attn
