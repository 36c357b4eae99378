// LayerNorm / RMSNorm forward and backward. Row statistics are accumulated in double whatever Real is, as
// core/ops.cpp does, so the f32 forward agrees with the inference kernel.
#include "core/nn_norm.h"

#include <cmath>
#include <cstddef>

namespace attn {

template <typename Real>
void layernorm_forward(Real* out, Real* mean, Real* rstd, const Real* inp, const Real* weight, const Real* bias,
                       Real eps, int T, int C) {
    for (int t = 0; t < T; ++t) {
        const Real* x = inp + static_cast<size_t>(t) * C;
        Real* o = out + static_cast<size_t>(t) * C;
        double m = 0.0;
        for (int c = 0; c < C; ++c) m += x[c];
        m /= C;
        double var = 0.0;
        for (int c = 0; c < C; ++c) var += (x[c] - m) * (x[c] - m);
        var /= C;
        const Real s = static_cast<Real>(1.0 / std::sqrt(var + static_cast<double>(eps)));
        const Real mr = static_cast<Real>(m);
        for (int c = 0; c < C; ++c) {
            const Real n = (x[c] - mr) * s;
            o[c] = n * (weight ? weight[c] : Real(1)) + (bias ? bias[c] : Real(0));
        }
        mean[t] = mr;
        rstd[t] = s;
    }
}

// With n = (x - mean) * rstd and g = dout * weight:
//   dx = rstd * (g - mean(g) - n * mean(g * n)),  dweight += dout * n,  dbias += dout.
template <typename Real>
void layernorm_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                        const Real* mean, const Real* rstd, int T, int C) {
    for (int t = 0; t < T; ++t) {
        const Real* x = inp + static_cast<size_t>(t) * C;
        const Real* dy = dout + static_cast<size_t>(t) * C;
        double g_mean = 0.0, gn_mean = 0.0;
        for (int c = 0; c < C; ++c) {
            const Real n = (x[c] - mean[t]) * rstd[t];
            const Real g = dy[c] * (weight ? weight[c] : Real(1));
            g_mean += g;
            gn_mean += g * n;
        }
        g_mean /= C;
        gn_mean /= C;
        for (int c = 0; c < C; ++c) {
            const Real n = (x[c] - mean[t]) * rstd[t];
            const Real g = dy[c] * (weight ? weight[c] : Real(1));
            if (dinp)
                dinp[static_cast<size_t>(t) * C + c] +=
                    rstd[t] * (g - static_cast<Real>(g_mean) - n * static_cast<Real>(gn_mean));
            if (dweight) dweight[c] += dy[c] * n;
            if (dbias) dbias[c] += dy[c];
        }
    }
}

template <typename Real>
void rmsnorm_forward(Real* out, Real* rstd, const Real* inp, const Real* weight, Real eps, int T, int C) {
    for (int t = 0; t < T; ++t) {
        const Real* x = inp + static_cast<size_t>(t) * C;
        Real* o = out + static_cast<size_t>(t) * C;
        double sum_sq = 0.0;
        for (int c = 0; c < C; ++c) sum_sq += static_cast<double>(x[c]) * x[c];
        const Real s = static_cast<Real>(1.0 / std::sqrt(sum_sq / C + static_cast<double>(eps)));
        for (int c = 0; c < C; ++c) o[c] = x[c] * s * (weight ? weight[c] : Real(1));
        rstd[t] = s;
    }
}

// With n = x * rstd and g = dout * weight:  dx = rstd * (g - n * mean(g * n)),  dweight += dout * n.
template <typename Real>
void rmsnorm_backward(Real* dinp, Real* dweight, const Real* dout, const Real* inp, const Real* weight,
                      const Real* rstd, int T, int C) {
    for (int t = 0; t < T; ++t) {
        const Real* x = inp + static_cast<size_t>(t) * C;
        const Real* dy = dout + static_cast<size_t>(t) * C;
        double gn_mean = 0.0;
        for (int c = 0; c < C; ++c) gn_mean += dy[c] * (weight ? weight[c] : Real(1)) * x[c] * rstd[t];
        gn_mean /= C;
        for (int c = 0; c < C; ++c) {
            const Real n = x[c] * rstd[t];
            const Real g = dy[c] * (weight ? weight[c] : Real(1));
            if (dinp) dinp[static_cast<size_t>(t) * C + c] += rstd[t] * (g - n * static_cast<Real>(gn_mean));
            if (dweight) dweight[c] += dy[c] * n;
        }
    }
}

#define ATTN_NN_NORM_INSTANTIATE(Real)                                                                          \
    template void layernorm_forward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*, Real, int, \
                                          int);                                                                 \
    template void layernorm_backward<Real>(Real*, Real*, Real*, const Real*, const Real*, const Real*,          \
                                           const Real*, const Real*, int, int);                                 \
    template void rmsnorm_forward<Real>(Real*, Real*, const Real*, const Real*, Real, int, int);                \
    template void rmsnorm_backward<Real>(Real*, Real*, const Real*, const Real*, const Real*, const Real*, int, \
                                         int);
ATTN_NN_NORM_INSTANTIATE(float)
ATTN_NN_NORM_INSTANTIATE(double)

}  // namespace attn
