// R is kept in double: it is a product of L matrices with entries of very different sizes.
#include "analysis/attention_gradient.h"

#include <algorithm>
#include <cstddef>

namespace attn {

std::vector<float> attention_x_gradient(const AttentionTensor& a, const std::vector<float>& da, int row) {
    const int L = a.n_layer, H = a.n_head, T = a.n_query;
    const size_t TT = static_cast<size_t>(T) * T;
    if (a.empty() || a.n_key != T || da.size() != a.probs.size() || row < 0 || row >= T) return {};
    std::vector<double> R(TT, 0.0), cam(TT), next(TT);
    for (int t = 0; t < T; ++t) R[static_cast<size_t>(t) * T + t] = 1.0;
    for (int l = 0; l < L; ++l) {
        std::fill(cam.begin(), cam.end(), 0.0);
        for (int h = 0; h < H; ++h) {
            const size_t base = (static_cast<size_t>(l) * H + h) * TT;
            for (size_t i = 0; i < TT; ++i) cam[i] += std::max(static_cast<double>(da[base + i]) * a.probs[base + i], 0.0);
        }
        for (double& v : cam) v /= H;
        next = R;
        for (int i = 0; i < T; ++i)
            for (int k = 0; k < T; ++k) {
                const double c = cam[static_cast<size_t>(i) * T + k];
                if (c == 0.0) continue;
                for (int j = 0; j < T; ++j) next[static_cast<size_t>(i) * T + j] += c * R[static_cast<size_t>(k) * T + j];
            }
        R.swap(next);
    }
    std::vector<float> out(static_cast<size_t>(T));
    for (int j = 0; j < T; ++j) out[j] = static_cast<float>(R[static_cast<size_t>(row) * T + j]);
    return out;
}

}  // namespace attn
