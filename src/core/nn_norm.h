// LayerNorm and RMSNorm as forward/backward pairs for the block engine (llm.c's habit): the forward saves
// per-row statistics, the backward takes them back. Templates on the float type so tests can take finite
// differences in double; instantiated for float and double only. The inference-only kernels stay in
// core/ops.h.
//
//   layernorm_forward(out, mean, rstd, inp, weight, bias, 1e-5f, T, C);
//   layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, T, C);  // accumulates (+=)
//
// Every backward in core/nn_*.h ADDS into its gradient buffers (a residual stream receives gradients from
// several places) and skips any gradient pointer that is null.
#pragma once

namespace attn {

// out (T, C) = (inp - mean) * rstd * weight + bias, per row. Saves mean (T) and rstd (T) = 1/sqrt(var + eps).
// weight and bias may be null (1 and 0).
template <typename Real>
void layernorm_forward(Real* out, Real* mean, Real* rstd, const Real* inp, const Real* weight, const Real* bias,
                       Real eps, int T, int C);
// dinp (T, C), dweight (C), dbias (C) += from dout (T, C) and the saved inp, mean, rstd.
template <typename Real>
void layernorm_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                        const Real* mean, const Real* rstd, int T, int C);

// out (T, C) = inp * rstd * weight with rstd (T) = 1/sqrt(mean(inp^2) + eps) (Llama's RMSNorm).
template <typename Real>
void rmsnorm_forward(Real* out, Real* rstd, const Real* inp, const Real* weight, Real eps, int T, int C);
// dinp (T, C), dweight (C) += from dout (T, C) and the saved inp, rstd.
template <typename Real>
void rmsnorm_backward(Real* dinp, Real* dweight, const Real* dout, const Real* inp, const Real* weight,
                      const Real* rstd, int T, int C);

}  // namespace attn
