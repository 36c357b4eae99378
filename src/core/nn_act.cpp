// Activations with their derivatives, SwiGLU and the residual add. The forward formulas are those of
// core/ops.cpp's activation_apply, so the f32 forward agrees with the inference path.
#include "core/nn_act.h"

#include <cmath>

namespace attn {
namespace {

template <typename Real>
Real sigmoid(Real x) {
    return Real(1) / (Real(1) + std::exp(-x));
}

// gelu_tanh and gelu_fast are one formula: 0.5 x (1 + tanh(k (x + 0.044715 x^3))).
template <typename Real>
Real gelu_tanh_value(Real x) {
    const Real k = static_cast<Real>(0.7978845608028654);
    return Real(0.5) * x * (Real(1) + std::tanh(k * (x + static_cast<Real>(0.044715) * x * x * x)));
}

template <typename Real>
Real gelu_tanh_derivative(Real x) {
    const Real k = static_cast<Real>(0.7978845608028654), a = static_cast<Real>(0.044715);
    const Real th = std::tanh(k * (x + a * x * x * x));
    return Real(0.5) * (Real(1) + th) + Real(0.5) * x * (Real(1) - th * th) * k * (Real(1) + Real(3) * a * x * x);
}

template <typename Real>
Real activation_value(Activation act, Real x) {
    switch (act) {
        case Activation::gelu_tanh:
        case Activation::gelu_fast: return gelu_tanh_value(x);
        case Activation::gelu_erf:
            return Real(0.5) * x * (Real(1) + std::erf(x * static_cast<Real>(0.7071067811865476)));
        case Activation::relu: return x > Real(0) ? x : Real(0);
        case Activation::silu: return x * sigmoid(x);
        case Activation::quick_gelu: return x * sigmoid(static_cast<Real>(1.702) * x);
    }
    return x;
}

template <typename Real>
Real activation_derivative(Activation act, Real x) {
    switch (act) {
        case Activation::gelu_tanh:
        case Activation::gelu_fast: return gelu_tanh_derivative(x);
        case Activation::gelu_erf: {
            const Real cdf = Real(0.5) * (Real(1) + std::erf(x * static_cast<Real>(0.7071067811865476)));
            const Real pdf = std::exp(Real(-0.5) * x * x) * static_cast<Real>(0.3989422804014327);  // 1/sqrt(2 pi)
            return cdf + x * pdf;
        }
        case Activation::relu: return x > Real(0) ? Real(1) : Real(0);  // PyTorch's choice at 0
        case Activation::silu: {
            const Real s = sigmoid(x);
            return s * (Real(1) + x * (Real(1) - s));
        }
        case Activation::quick_gelu: {
            const Real a = static_cast<Real>(1.702), s = sigmoid(a * x);
            return s * (Real(1) + a * x * (Real(1) - s));
        }
    }
    return Real(1);
}

}  // namespace

template <typename Real>
void activation_forward(Activation act, Real* out, const Real* inp, long n) {
    for (long i = 0; i < n; ++i) out[i] = activation_value(act, inp[i]);
}

template <typename Real>
void activation_backward(Activation act, Real* dinp, const Real* dout, const Real* inp, long n) {
    for (long i = 0; i < n; ++i) dinp[i] += activation_derivative(act, inp[i]) * dout[i];
}

template <typename Real>
void swiglu_forward(Real* out, const Real* gate, const Real* up, long n) {
    for (long i = 0; i < n; ++i) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
}

template <typename Real>
void swiglu_backward(Real* dgate, Real* dup, const Real* dout, const Real* gate, const Real* up, long n) {
    for (long i = 0; i < n; ++i) {
        if (dgate) dgate[i] += activation_derivative(Activation::silu, gate[i]) * up[i] * dout[i];
        if (dup) dup[i] += gate[i] * sigmoid(gate[i]) * dout[i];
    }
}

template <typename Real>
void residual_forward(Real* out, const Real* a, const Real* b, long n) {
    for (long i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

template <typename Real>
void residual_backward(Real* da, Real* db, const Real* dout, long n) {
    for (long i = 0; i < n; ++i) {
        if (da) da[i] += dout[i];
        if (db) db[i] += dout[i];
    }
}

#define ATTN_NN_ACT_INSTANTIATE(Real)                                                                      \
    template void activation_forward<Real>(Activation, Real*, const Real*, long);                         \
    template void activation_backward<Real>(Activation, Real*, const Real*, const Real*, long);           \
    template void swiglu_forward<Real>(Real*, const Real*, const Real*, long);                            \
    template void swiglu_backward<Real>(Real*, Real*, const Real*, const Real*, const Real*, long);       \
    template void residual_forward<Real>(Real*, const Real*, const Real*, long);                          \
    template void residual_backward<Real>(Real*, Real*, const Real*, long);
ATTN_NN_ACT_INSTANTIATE(float)
ATTN_NN_ACT_INSTANTIATE(double)

}  // namespace attn
