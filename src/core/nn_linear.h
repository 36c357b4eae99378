// Linear layers and embedding lookups as forward/backward pairs. The f32 versions are templates on the
// float type (float and double instantiated) and give gradients for inputs and parameters; 16-bit weights
// (F16/BF16 WeightMatrix) get a forward and an input gradient only, widened block by block as in
// core/linear.cpp, so they stay 16-bit in memory. Backwards ADD into gradients; null pointers skip.
//
//   linear_forward(out, inp, weight, bias, T, C_in, C_out, WeightLayout::out_in);    // nn.Linear
//   linear_backward(dinp, dweight, dbias, dout, inp, weight, T, C_in, C_out, WeightLayout::out_in);
//   linear_backward_input(dinp, dout, weight16, T);                                  // 16-bit weights
#pragma once
#include "core/linear.h"

namespace attn {

// out (T, C_out) = inp (T, C_in) W^T + bias. weight is (C_out, C_in) for out_in (nn.Linear) or
// (C_in, C_out) for in_out (GPT-2's Conv1D); bias (C_out) may be null. The naive loop is the reference.
template <typename Real>
void linear_forward(Real* out, const Real* inp, const Real* weight, const Real* bias, int T, int C_in, int C_out,
                    WeightLayout layout);
// dinp (T, C_in), dweight (as weight), dbias (C_out) += from dout (T, C_out) and the saved inp (null is
// fine without dweight).
template <typename Real>
void linear_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                     int T, int C_in, int C_out, WeightLayout layout);

// The same in f32 through Eigen: the fast kernel, tested against linear_backward<float> above.
void linear_backward_fast(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                          const float* weight, int T, int C_in, int C_out, WeightLayout layout);

// Any stored dtype: out (T, n_out) = inp (T, n_in) @ W + bias (core/linear.h's linear, Eigen inside).
void linear_forward_stored(float* out, const float* inp, const WeightMatrix& weight, const float* bias, int T);
// dinp (T, n_in) += dout (T, n_out) @ W^T through Eigen, 16-bit W widened 128 stored rows at a time.
// Parameter gradients of a 16-bit weight are not offered: training keeps an f32 copy.
void linear_backward_input(float* dinp, const float* dout, const WeightMatrix& weight, int T);

// out (T, C) = token_scale * wte[ids[t]] + wpe[pos0 + t]. wte (V, C); wpe (n_ctx, C) or null (RoPE models).
template <typename Real>
void embedding_forward(Real* out, const int* ids, const Real* wte, const Real* wpe, Real token_scale, int pos0, int T,
                       int C);
// From dout (T, C): dwte rows ids[t] += token_scale * dout[t], dwpe rows pos0 + t += dout[t], and
// dtok (T, C) += token_scale * dout, the gradient with respect to the looked-up token embeddings (saliency).
template <typename Real>
void embedding_backward(Real* dwte, Real* dwpe, Real* dtok, const Real* dout, const int* ids, Real token_scale,
                        int pos0, int T, int C);

}  // namespace attn
