#include "analysis/head_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace attn {

RowStats row_stats(const float* row, int n_key, int query, bool causal, bool same_sequence) {
    RowStats r;
    double e = 0.0, d = 0.0;
    for (int s = 0; s < n_key; ++s) {
        const double w = row[s];
        // A zero adds exactly nothing to either sum (a causal row is half zeros): no log for it. NaN
        // compares unequal to 0, so it still reaches both sums.
        if (w == 0.0) continue;
        e -= w * std::log(std::clamp(w, 1e-30, 1.0));
        d += w * std::abs(query - s);
    }
    const int seen = causal ? std::min(n_key, query + 1) : n_key;
    r.entropy = static_cast<float>(e);
    r.entropy_norm = seen > 1 ? static_cast<float>(e / std::log(static_cast<double>(seen))) : 0.0f;
    r.mean_distance = same_sequence ? static_cast<float>(d) : -1.0f;
    return r;
}

RowStats head_summary(const AttentionTensor& a, int layer, int h) {
    const bool same = a.n_query == a.n_key;
    double e = 0.0, en = 0.0, d = 0.0;
    for (int t = 0; t < a.n_query; ++t) {
        RowStats r = row_stats(a.head(layer, h) + static_cast<size_t>(t) * a.n_key, a.n_key, t, a.causal, same);
        e += r.entropy;
        en += r.entropy_norm;
        d += r.mean_distance;
    }
    RowStats out;
    out.entropy = static_cast<float>(e / a.n_query);
    out.entropy_norm = static_cast<float>(en / a.n_query);
    out.mean_distance = same ? static_cast<float>(d / a.n_query) : -1.0f;
    return out;
}

std::vector<RowStats> layer_head_summary(const AttentionTensor& a, int layer) {
    if (a.empty() || layer < 0 || layer >= a.n_layer || a.n_query == 0) return {};
    std::vector<RowStats> out(static_cast<size_t>(a.n_head));
    for (int h = 0; h < a.n_head; ++h) out[h] = head_summary(a, layer, h);
    return out;
}

}  // namespace attn
