// Transformer building blocks on plain float rows.
#include "core/ops.h"

#include <Eigen/Core>

#include <cmath>

namespace attn {

void layer_norm(const float* x, int T, int D, const float* gamma, const float* beta, float eps, float* out) {
    for (int t = 0; t < T; ++t) {
        const float* row = x + static_cast<size_t>(t) * D;
        float* o = out + static_cast<size_t>(t) * D;
        // Two-pass mean and variance, accumulated in double: PyTorch's reduction is more careful than a
        // naive float sum, and hidden states must agree to 2e-4.
        double mean = 0.0;
        for (int d = 0; d < D; ++d) mean += row[d];
        mean /= D;
        double var = 0.0;
        for (int d = 0; d < D; ++d) var += (row[d] - mean) * (row[d] - mean);
        var /= D;
        const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
        const float m = static_cast<float>(mean);
        for (int d = 0; d < D; ++d) {
            float v = (row[d] - m) * inv;
            o[d] = v * (gamma ? gamma[d] : 1.0f) + (beta ? beta[d] : 0.0f);
        }
    }
}

void rms_norm(const float* x, int T, int D, const float* gamma, float eps, float* out) {
    for (int t = 0; t < T; ++t) {
        const float* row = x + static_cast<size_t>(t) * D;
        float* o = out + static_cast<size_t>(t) * D;
        double sum_sq = 0.0;
        for (int d = 0; d < D; ++d) sum_sq += static_cast<double>(row[d]) * row[d];
        const float inv = static_cast<float>(1.0 / std::sqrt(sum_sq / D + eps));
        for (int d = 0; d < D; ++d) o[d] = row[d] * inv * (gamma ? gamma[d] : 1.0f);
    }
}

bool activation_from_name(const std::string& name, Activation* out) {
    if (name == "gelu_new" || name == "gelu_pytorch_tanh") *out = Activation::gelu_tanh;
    else if (name == "gelu") *out = Activation::gelu_erf;
    else if (name == "relu") *out = Activation::relu;
    else if (name == "silu" || name == "swish") *out = Activation::silu;
    else if (name == "gelu_fast") *out = Activation::gelu_fast;
    else if (name == "quick_gelu") *out = Activation::quick_gelu;
    else return false;
    return true;
}

void activation_apply(Activation act, float* x, long n) {
    constexpr float kSqrt2OverPi = 0.7978845608028654f;
    switch (act) {
        case Activation::gelu_tanh:
        case Activation::gelu_fast: {
            // One formula (gelu_fast factors it as v k (1 + 0.044715 v^2)). Over the whole array with Eigen's
            // vectorised tanh (a rational approximation, a few ulps in f32) instead of libm's tanhf one
            // value at a time, which was a third of GPT-2's native forward (PERFORMANCE-NOTES.md). nn_act.cpp's
            // activation_forward is the scalar reference; tests hold this to it on many sizes.
            Eigen::Map<Eigen::ArrayXf> a(x, n);
            a = 0.5f * a * (1.0f + (kSqrt2OverPi * (a + 0.044715f * a.cube())).tanh());
            break;
        }
        case Activation::gelu_erf:
            for (long i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.7071067811865476f));
            break;
        case Activation::relu:
            for (long i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
            break;
        case Activation::silu:
            for (long i = 0; i < n; ++i) x[i] = x[i] / (1.0f + std::exp(-x[i]));
            break;
        case Activation::quick_gelu:
            for (long i = 0; i < n; ++i) x[i] = x[i] / (1.0f + std::exp(-1.702f * x[i]));
            break;
    }
}

void add_inplace(float* x, const float* y, long n) {
    for (long i = 0; i < n; ++i) x[i] += y[i];
}

}  // namespace attn
