// Rotary embeddings: cos/sin in float32 like transformers (inv_freq float32, positions float32).
#include "model/rope.h"

#include <cmath>

namespace attn {

std::vector<float> rope_inv_freq(const RopeConfig& rope) {
    const int half = rope.rotary_dim / 2;
    std::vector<float> inv(half);
    for (int i = 0; i < half; ++i) {
        const float exponent = static_cast<float>(2 * i) / static_cast<float>(rope.rotary_dim);
        inv[i] = static_cast<float>(1.0 / std::pow(rope.theta, static_cast<double>(exponent)));
    }
    if (rope.type == "linear") {
        for (float& f : inv) f = static_cast<float>(f / rope.factor);
    } else if (rope.type == "llama3") {
        // transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, short kept,
        // the band between blended smoothly.
        const double pi = 3.14159265358979323846;
        const double old_ctx = rope.original_max_positions;
        const double low_wavelen = old_ctx / rope.low_freq_factor;
        const double high_wavelen = old_ctx / rope.high_freq_factor;
        for (float& f : inv) {
            const double wavelen = 2.0 * pi / f;
            double scaled = f;
            if (wavelen > low_wavelen) scaled = f / rope.factor;
            if (wavelen <= low_wavelen && wavelen >= high_wavelen) {
                const double smooth =
                    (old_ctx / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
                scaled = (1.0 - smooth) * (f / rope.factor) + smooth * f;
            }
            f = static_cast<float>(scaled);
        }
    }
    return inv;
}

void rope_apply(float* rows, int T, int stride, int n_head, int head_dim, int rotary_dim, int pos0,
                const std::vector<float>& inv_freq, float attention_scaling) {
    const int half = rotary_dim / 2;
    std::vector<float> cos_t(half), sin_t(half);
    for (int t = 0; t < T; ++t) {
        const float pos = static_cast<float>(pos0 + t);
        for (int i = 0; i < half; ++i) {
            const float angle = pos * inv_freq[i];
            cos_t[i] = std::cos(angle) * attention_scaling;
            sin_t[i] = std::sin(angle) * attention_scaling;
        }
        float* row = rows + static_cast<size_t>(t) * stride;
        for (int h = 0; h < n_head; ++h) {
            float* x = row + h * head_dim;
            for (int i = 0; i < half; ++i) {
                const float a = x[i], b = x[i + half];
                x[i] = a * cos_t[i] - b * sin_t[i];
                x[i + half] = b * cos_t[i] + a * sin_t[i];
            }
        }
    }
}

}  // namespace attn
