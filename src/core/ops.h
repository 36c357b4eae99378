// Row-wise building blocks of a Transformer layer on plain float buffers: matrix products (Eigen,
// kept inside ops.cpp), norms and activations. Every buffer is row-major; shapes are given per call.
//
//   matmul(x, T, D_in, w, D_out, WeightLayout::in_out, bias, y);   // y (T, D_out) = x W + b
//   layer_norm(y, T, D_out, gamma, beta, 1e-5f, y);                 // in place is fine
#pragma once
#include <string>

namespace attn {

// How a weight matrix is stored: GPT-2's Conv1D keeps (in, out); torch.nn.Linear keeps (out, in).
enum class WeightLayout { in_out, out_in };

// y (T, n_out) = x (T, n_in) @ W (+ bias). y must not alias x.
void matmul(const float* x, int T, int n_in, const float* w, int n_out, WeightLayout layout, const float* bias,
            float* y);

// out (T, D) = (x - mean) / sqrt(var + eps) * gamma + beta, per row. out may alias x.
void layer_norm(const float* x, int T, int D, const float* gamma, const float* beta, float eps, float* out);

enum class Activation { gelu_tanh, gelu_erf, relu, silu, gelu_fast, quick_gelu };
// Hugging Face's names: gelu_new / gelu_pytorch_tanh -> gelu_tanh, gelu -> gelu_erf, relu, silu / swish,
// gelu_fast, quick_gelu. Returns false for a name it does not know.
bool activation_from_name(const std::string& name, Activation* out);
void activation_apply(Activation act, float* x, long n);

// x += y, element-wise over n floats.
void add_inplace(float* x, const float* y, long n);

}  // namespace attn
