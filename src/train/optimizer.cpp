// AdamW, the learning-rate schedule and the gradient norm (optimizer.h).
#include "train/optimizer.h"

#include <algorithm>
#include <cmath>

namespace attn {

double learning_rate(const TrainSettings& s, int step, int total_steps) {
    const int warmup = std::max(1, static_cast<int>(s.warmup * static_cast<float>(total_steps)));
    if (step < warmup) return s.lr * static_cast<double>(step + 1) / warmup;
    const double progress = total_steps > warmup ? static_cast<double>(step - warmup) / (total_steps - warmup) : 1.0;
    const double cosine = 0.5 * (1.0 + std::cos(3.141592653589793 * std::min(1.0, progress)));
    return s.lr * (s.min_lr_fraction + (1.0 - s.min_lr_fraction) * cosine);
}

double global_grad_norm(TrainModel& model) {
    double sum = 0.0;
    for (const TrainParam& p : model.params()) {
        const float* g = model.grad(p);
        for (size_t i = 0; i < p.numel; ++i) sum += static_cast<double>(g[i]) * g[i];
    }
    return std::sqrt(sum);
}

AdamW::AdamW(const std::vector<TrainParam>& params, const TrainSettings& settings) : s_(settings) {
    for (const TrainParam& p : params) {
        m_.emplace_back(p.numel, 0.0f);
        v_.emplace_back(p.numel, 0.0f);
    }
}

void AdamW::update(TrainModel& model, double lr, double grad_scale) {
    ++t_;
    const double b1 = s_.beta1, b2 = s_.beta2;
    const double c1 = 1.0 - std::pow(b1, t_), c2 = 1.0 - std::pow(b2, t_);
    const float step = static_cast<float>(lr / c1), decay = static_cast<float>(lr * s_.weight_decay);
    const float inv_c2 = static_cast<float>(1.0 / c2), g_scale = static_cast<float>(grad_scale);
    const float fb1 = s_.beta1, fb2 = s_.beta2;
    for (TrainParam& p : model.params()) {
        const float* g = model.grad(p);
        float* m = m_[static_cast<size_t>(p.index)].data();
        float* v = v_[static_cast<size_t>(p.index)].data();
        float* w = p.value;
        for (size_t i = 0; i < p.numel; ++i) {
            const float gi = g[i] * g_scale;
            m[i] = fb1 * m[i] + (1.0f - fb1) * gi;
            v[i] = fb2 * v[i] + (1.0f - fb2) * gi * gi;
            if (p.decay) w[i] -= decay * w[i];   // decoupled: the decay does not pass through the moments
            w[i] -= step * m[i] / (std::sqrt(v[i] * inv_c2) + s_.eps);
        }
    }
}

}  // namespace attn
