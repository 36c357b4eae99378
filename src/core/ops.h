// Row-wise building blocks of a Transformer layer on plain float buffers: norms, activations, sums.
// Matrix products with weights are in core/linear.h. Every buffer is row-major; shapes given per call.
//
//   layer_norm(h, T, D, gamma, beta, 1e-5f, x);   // x may alias h
//   activation_apply(Activation::gelu_tanh, x, T * D);
#pragma once
#include <string>

namespace attn {

// out (T, D) = (x - mean) / sqrt(var + eps) * gamma + beta, per row. out may alias x. gamma, beta may be
// null (1 and 0). SIMD (core/simd.h), rows split between threads when worth it; the _reference versions
// are the plain loops (sums in double) the fast ones are tested against.
void layer_norm(const float* x, int T, int D, const float* gamma, const float* beta, float eps, float* out);
void layer_norm_reference(const float* x, int T, int D, const float* gamma, const float* beta, float eps, float* out);

// out (T, D) = x / sqrt(mean(x^2) + eps) * gamma, per row (Llama's RMSNorm). out may alias x.
void rms_norm(const float* x, int T, int D, const float* gamma, float eps, float* out);
void rms_norm_reference(const float* x, int T, int D, const float* gamma, float eps, float* out);

enum class Activation { gelu_tanh, gelu_erf, relu, silu, gelu_fast, quick_gelu };
// Hugging Face's names: gelu_new / gelu_pytorch_tanh -> gelu_tanh, gelu -> gelu_erf, relu, silu / swish,
// gelu_fast, quick_gelu. Returns false for a name it does not know.
bool activation_from_name(const std::string& name, Activation* out);
// x = act(x) in place, a SIMD vector at a time (tanh and erf as Eigen's rational approximations, exp as
// core/simd.h's vexp); core/nn_act.h's activation_forward is the scalar reference.
void activation_apply(Activation act, float* x, long n);

// x += y, element-wise over n floats.
void add_inplace(float* x, const float* y, long n);

}  // namespace attn
