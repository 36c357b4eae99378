// Entropy and mean distance per (layer, head, query), accumulated in double like the float64 reference.
#include "analysis/head_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace attn {

std::vector<float> attention_entropy(const AttentionTensor& a) {
    const int T = a.n_query, S = a.n_key;
    std::vector<float> out(static_cast<size_t>(a.n_layer) * a.n_head * T, 0.0f);
    if (a.empty()) return out;
    for (int l = 0; l < a.n_layer; ++l)
        for (int h = 0; h < a.n_head; ++h) {
            const float* p = a.head(l, h);
            for (int t = 0; t < T; ++t) {
                double e = 0.0;
                for (int s = 0; s < S; ++s) {
                    const double w = p[static_cast<size_t>(t) * S + s];
                    if (w == 0.0) continue;   // adds exactly nothing (row_stats says why)
                    e -= w * std::log(std::clamp(w, 1e-30, 1.0));
                }
                out[(static_cast<size_t>(l) * a.n_head + h) * T + t] = static_cast<float>(e);
            }
        }
    return out;
}

std::vector<float> attention_mean_distance(const AttentionTensor& a) {
    const int T = a.n_query, S = a.n_key;
    if (a.empty() || T != S) return {};
    std::vector<float> out(static_cast<size_t>(a.n_layer) * a.n_head * T, 0.0f);
    for (int l = 0; l < a.n_layer; ++l)
        for (int h = 0; h < a.n_head; ++h) {
            const float* p = a.head(l, h);
            for (int t = 0; t < T; ++t) {
                double d = 0.0;
                for (int s = 0; s < S; ++s) d += static_cast<double>(p[static_cast<size_t>(t) * S + s]) * std::abs(t - s);
                out[(static_cast<size_t>(l) * a.n_head + h) * T + t] = static_cast<float>(d);
            }
        }
    return out;
}

}  // namespace attn
