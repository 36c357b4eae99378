// activation_backward_fast: nn_act.cpp's activation_backward (the reference, kept and tested against this
// one) with GELU-tanh's derivative over whole arrays in Eigen. Its tanh is Eigen's rational approximation
// (a few ulps in f32) instead of libm's tanhf, which was the backward's largest cost at the fixtures'
// size, natively and in WASM. Other activations run the reference.
#include <Eigen/Core>

#include "core/nn_act.h"

namespace attn {

template <typename Real>
void activation_backward_fast(Activation act, Real* dinp, const Real* dout, const Real* inp, long n) {
    if (act != Activation::gelu_tanh && act != Activation::gelu_fast) {
        activation_backward(act, dinp, dout, inp, n);
        return;
    }
    using Array = Eigen::Array<Real, Eigen::Dynamic, 1>;
    const Real k = static_cast<Real>(0.7978845608028654), a = static_cast<Real>(0.044715);
    const Eigen::Map<const Array> x(inp, n), g(dout, n);
    const Array x2 = x.square();
    const Array th = (k * x * (Real(1) + a * x2)).tanh();
    Eigen::Map<Array>(dinp, n) +=
        (Real(0.5) * (Real(1) + th) + Real(0.5) * k * x * (Real(1) - th.square()) * (Real(1) + Real(3) * a * x2)) * g;
}

template void activation_backward_fast<float>(Activation, float*, const float*, const float*, long);
template void activation_backward_fast<double>(Activation, double*, const double*, const double*, long);

}  // namespace attn
