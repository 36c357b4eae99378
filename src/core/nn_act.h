// Element-wise ops of a block as forward/backward pairs: the activations of core/ops.h (same Activation
// names and formulas), SwiGLU and the residual add. Templates on the float type (float and double
// instantiated) so tests can take finite differences in double. Backwards ADD into gradients; null skips.
//
//   activation_forward(Activation::gelu_tanh, out, inp, n);
//   activation_backward(Activation::gelu_tanh, dinp, dout, inp, n);   // dinp += act'(inp) * dout
#pragma once
#include "core/ops.h"

namespace attn {

// out (n) = act(inp (n)). out may alias inp only when no backward follows (the backward needs inp).
template <typename Real>
void activation_forward(Activation act, Real* out, const Real* inp, long n);
// dinp (n) += act'(inp) * dout (n).
template <typename Real>
void activation_backward(Activation act, Real* dinp, const Real* dout, const Real* inp, long n);
// The same with GELU-tanh's derivative vectorised (its tanh within a few f32 ulps of libm's); what the
// differentiable pass runs. Other activations are the reference.
template <typename Real>
void activation_backward_fast(Activation act, Real* dinp, const Real* dout, const Real* inp, long n);

// out (n) = silu(gate) * up: Llama's MLP with gate and up split by the caller.
template <typename Real>
void swiglu_forward(Real* out, const Real* gate, const Real* up, long n);
// dgate (n), dup (n) += from dout (n) and the saved gate, up.
template <typename Real>
void swiglu_backward(Real* dgate, Real* dup, const Real* dout, const Real* gate, const Real* up, long n);

// out (n) = a + b. The pair exists so the block's backward reads as the forward in reverse.
template <typename Real>
void residual_forward(Real* out, const Real* a, const Real* b, long n);
// da (n) += dout, db (n) += dout.
template <typename Real>
void residual_backward(Real* da, Real* db, const Real* dout, long n);

}  // namespace attn
