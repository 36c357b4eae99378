// C (M, N) = A (M, K) @ B (+ bias): the product under every linear layer. B is a weight in its stored
// dtype (F32, F16, BF16) and layout (core/linear.h's WeightMatrix: K = b.n_in(), N = b.n_out()); 16-bit
// weights are widened a SIMD vector at a time inside the product, never as a whole f32 copy.
//
//   gemm(x, T, w, bias, y);              // y (T, n_out) = x (T, n_in) @ W + bias; bias may be null
//   gemm_reference(x, T, w, bias, y);    // the plain loop the fast kernel is tested against
//
// A and C are dense row-major (lda = K, ldc = N); C must not alias A. A product big enough to pay is split
// by output columns over core/parallel.h's threads (never over a sum: the bits do not depend on the thread
// count); the packing buffers are thread_local and kept between calls.
#pragma once
#include "core/linear.h"

namespace attn {

void gemm(const float* a, int M, const WeightMatrix& b, const float* bias, float* c);
void gemm_reference(const float* a, int M, const WeightMatrix& b, const float* bias, float* c);

}  // namespace attn
