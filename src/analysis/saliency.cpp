// Row reductions in double so the sums over D match the float64-accumulated reference closely.
#include "analysis/saliency.h"

#include <cmath>
#include <cstddef>

namespace attn {

std::vector<float> saliency_l2(const std::vector<float>& grad, int T, int D) {
    std::vector<float> out(static_cast<size_t>(T), 0.0f);
    if (grad.size() < static_cast<size_t>(T) * D) return out;
    for (int t = 0; t < T; ++t) {
        double s = 0.0;
        for (int d = 0; d < D; ++d) {
            const double g = grad[static_cast<size_t>(t) * D + d];
            s += g * g;
        }
        out[t] = static_cast<float>(std::sqrt(s));
    }
    return out;
}

std::vector<float> grad_x_input(const std::vector<float>& grad, const std::vector<float>& embeds, int T, int D) {
    std::vector<float> out(static_cast<size_t>(T), 0.0f);
    const size_t n = static_cast<size_t>(T) * D;
    if (grad.size() < n || embeds.size() < n) return out;
    for (int t = 0; t < T; ++t) {
        double s = 0.0;
        for (int d = 0; d < D; ++d) s += static_cast<double>(grad[static_cast<size_t>(t) * D + d]) * embeds[static_cast<size_t>(t) * D + d];
        out[t] = static_cast<float>(s);
    }
    return out;
}

}  // namespace attn
