#include "analysis/value_weighted.h"

#include <cmath>
#include <cstddef>

namespace attn {

std::set<std::string> value_names(int n_layer) {
    std::set<std::string> names;
    for (int l = 0; l < n_layer; ++l) names.insert("layer." + std::to_string(l) + ".values");
    return names;
}

std::vector<float> value_norms(const ObservedTensors& seen, int L, int H, int KV, int S) {
    std::vector<float> out(static_cast<size_t>(L) * H * S, 0.0f);
    if (KV <= 0 || H % KV != 0) return out;
    for (int l = 0; l < L; ++l) {
        const ObservedTensor* v = seen.find("layer." + std::to_string(l) + ".values");
        if (!v || v->rows != S || v->cols % KV != 0) continue;
        const int hd = v->cols / KV, group = H / KV;
        for (int h = 0; h < H; ++h)
            for (int s = 0; s < S; ++s) {
                const float* row = v->data.data() + static_cast<size_t>(s) * v->cols + (h / group) * hd;
                double sum = 0.0;
                for (int i = 0; i < hd; ++i) sum += static_cast<double>(row[i]) * row[i];
                out[(static_cast<size_t>(l) * H + h) * S + s] = static_cast<float>(std::sqrt(sum));
            }
    }
    return out;
}

std::vector<float> value_weighted_attention(const AttentionTensor& a, const std::vector<float>& value_norms) {
    const int L = a.n_layer, H = a.n_head, T = a.n_query, S = a.n_key;
    std::vector<float> out(a.probs.size(), 0.0f);
    if (a.empty() || value_norms.size() != static_cast<size_t>(L) * H * S) return out;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            const float* vn = value_norms.data() + (static_cast<size_t>(l) * H + h) * S;
            const float* p = a.head(l, h);
            float* o = out.data() + (static_cast<size_t>(l) * H + h) * T * S;
            for (int t = 0; t < T; ++t) {
                double sum = 0.0;
                for (int s = 0; s < S; ++s) sum += static_cast<double>(p[static_cast<size_t>(t) * S + s]) * vn[s];
                // A row whose every value is zero keeps zeros rather than dividing by nothing.
                if (sum <= 0.0) continue;
                for (int s = 0; s < S; ++s)
                    o[static_cast<size_t>(t) * S + s] = static_cast<float>(p[static_cast<size_t>(t) * S + s] * vn[s] / sum);
            }
        }
    return out;
}

}  // namespace attn
