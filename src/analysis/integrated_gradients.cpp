// The gradient sum is kept in double: 32+ float additions of small numbers would drift.
#include "analysis/integrated_gradients.h"

#include <cstddef>
#include <utility>

namespace attn {

IntegratedGradients::IntegratedGradients(std::vector<float> embeds, int T, int D, int steps)
    : embeds_(std::move(embeds)), grad_sum_(static_cast<size_t>(T) * D, 0.0), T_(T), D_(D), steps_(steps) {}

std::vector<float> IntegratedGradients::path_point(int k) const {
    // Like the reference, alpha = k/N is one number multiplied into the f32 embedding.
    const float alpha = static_cast<float>(static_cast<double>(k) / steps_);
    std::vector<float> out(embeds_.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = embeds_[i] * alpha;
    return out;
}

void IntegratedGradients::add(const std::vector<float>& grad) {
    if (grad.size() != grad_sum_.size()) return;
    for (size_t i = 0; i < grad.size(); ++i) grad_sum_[i] += grad[i];
    ++added_;
}

std::vector<float> IntegratedGradients::result() const {
    std::vector<float> out(static_cast<size_t>(T_), 0.0f);
    if (steps_ <= 0) return out;
    for (int t = 0; t < T_; ++t) {
        double s = 0.0;
        for (int d = 0; d < D_; ++d) {
            const size_t i = static_cast<size_t>(t) * D_ + d;
            s += static_cast<double>(embeds_[i]) * grad_sum_[i];
        }
        out[t] = static_cast<float>(s / steps_);
    }
    return out;
}

float ig_completeness_gap(const std::vector<float>& ig, float score, float baseline_score) {
    double sum = 0.0;
    for (float v : ig) sum += v;
    return static_cast<float>(sum - (static_cast<double>(score) - baseline_score));
}

}  // namespace attn
