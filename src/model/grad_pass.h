// The state and the stored-dtype-aware helpers every part of the differentiable pass shares
// (gradients.cpp, grad_block.cpp): a Pass<Real> holds the Body, the hooks, the activations record and the
// parameter-gradient accumulators; linear and norm helpers pick f32 kernels over stored (16-bit) weights or,
// for Real = double, weights widened once per pass. Internal to the pass, not an API.
#pragma once
#include <algorithm>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "core/linear.h"
#include "core/nn_attention.h"
#include "core/nn_linear.h"
#include "core/nn_norm.h"
#include "model/body.h"
#include "model/grad_params.h"
#include "model/grad_record.h"

namespace attn {
namespace grad {

template <typename Real>
std::vector<Real> zeros(size_t n) { return std::vector<Real>(n, Real(0)); }

// Everything one pass needs besides the record.
template <typename Real>
struct Pass {
    const Body& body;
    const ForwardHooks& hooks;
    GradRecord<Real>& rec;
    ParamGradients<Real>& pg;
    std::vector<std::vector<Real>> gates;         // per layer (H): the gate of each head
    std::vector<std::vector<uint8_t>> visible;    // per layer (T, T): 0 = knocked out; empty: none
    std::vector<AttentionSpec> specs;             // per layer
    std::map<const void*, std::vector<double>> wide;   // double passes: each weight widened once

    // A norm weight or bias (null when absent) in Real.
    const Real* vec(const Tensor32& t) {
        if constexpr (std::is_same<Real, float>::value) {
            return t.data();
        } else {
            if (t.values.empty()) return nullptr;
            std::vector<double>& w = wide[t.values.data()];
            if (w.empty()) w.assign(t.values.begin(), t.values.end());
            return w.data();
        }
    }
    // Double passes only: a stored matrix widened to double, in its stored layout.
    const double* mat(const Matrix& m) {
        std::vector<double>& w = wide[m.view.data];
        if (w.empty()) {   // widened 128 rows at a time (a whole f32 copy of a token table is 154 MB)
            constexpr int kRowsAtOnce = 128;
            std::vector<float> rows(static_cast<size_t>(kRowsAtOnce) * m.view.cols);
            w.resize(static_cast<size_t>(m.view.rows) * m.view.cols);
            for (int r0 = 0; r0 < m.view.rows; r0 += kRowsAtOnce) {
                const int n = std::min(kRowsAtOnce, m.view.rows - r0);
                weight_rows_f32(m.view, r0, n, rows.data());
                std::copy(rows.begin(), rows.begin() + static_cast<long>(n) * m.view.cols, w.begin() + static_cast<long>(r0) * m.view.cols);
            }
        }
        return w.data();
    }
    void observe(const std::string& name, int rows, int cols, const Real* data) {
        if (!hooks.observer) return;
        if constexpr (std::is_same<Real, float>::value) {
            hooks.observe(name, rows, cols, data);
        } else {
            std::vector<float> narrow(data, data + static_cast<size_t>(rows) * cols);
            hooks.observe(name, rows, cols, narrow.data());
        }
    }
};

// y (T, n_out) = x @ W + b: f32 in the stored dtype; double through the widened copy.
template <typename Real>
void linear_fwd(Pass<Real>& p, const Matrix& w, const Tensor32& b, const Real* x, int T, Real* y) {
    if constexpr (std::is_same<Real, float>::value)
        linear_forward_stored(y, x, w.view, b.data(), T);
    else
        linear_forward<double>(y, x, p.mat(w), p.vec(b), T, w.view.n_in(), w.view.n_out(), w.view.layout);
}

// dx (T, n_in) += dy @ W^T (dx may be null); the weight's and bias's gradients from the saved x when on.
template <typename Real>
void linear_bwd(Pass<Real>& p, const Matrix& w, const Tensor32& b, Real* dx, const Real* dy, const Real* x, int T) {
    const int n_in = w.view.n_in(), n_out = w.view.n_out();
    if constexpr (std::is_same<Real, float>::value) {
        if (dx) linear_backward_input(dx, dy, w.view, T);
        if (p.pg.on()) linear_backward_fast(nullptr, p.pg.of(w), p.pg.of(b), dy, x, nullptr, T, n_in, n_out, w.view.layout);
    } else {
        linear_backward<double>(dx, p.pg.of(w), p.pg.of(b), dy, x, p.mat(w), T, n_in, n_out, w.view.layout);
    }
}

inline const Matrix& unembed_matrix(const Body& body) { return body.head.unembed.empty() ? body.embed.token : body.head.unembed; }

template <typename Real>
void dense_forward(Pass<Real>& p, const Dense& d, const Real* x, int T, Real* y) {
    linear_fwd(p, d.w, d.b, x, T, y);
}

template <typename Real>
void dense_backward(Pass<Real>& p, const Dense& d, Real* dx, const Real* dy, const Real* x, int T) {
    linear_bwd(p, d.w, d.b, dx, dy, x, T);
}

// The recipe's norm, saving its statistics (mean unused by RMSNorm).
template <typename Real>
void norm_forward(Pass<Real>& p, NormKind kind, const Norm& n, const Real* in, int T, int D, Real* out, Real* mean,
                  Real* rstd) {
    const Real eps = static_cast<Real>(p.body.recipe.eps);
    if (kind == NormKind::rms_norm)
        rmsnorm_forward(out, rstd, in, p.vec(n.w), eps, T, D);
    else
        layernorm_forward(out, mean, rstd, in, p.vec(n.w), p.vec(n.b), eps, T, D);
}

template <typename Real>
void norm_backward(Pass<Real>& p, NormKind kind, const Norm& n, Real* din, const Real* dout, const Real* in,
                   const Real* mean, const Real* rstd, int T, int D) {
    if (kind == NormKind::rms_norm)
        rmsnorm_backward(din, p.pg.of(n.w), dout, in, p.vec(n.w), rstd, T, D);
    else
        layernorm_backward(din, p.pg.of(n.w), p.pg.of(n.b), dout, in, p.vec(n.w), mean, rstd, T, D);
}

}  // namespace grad
}  // namespace attn
