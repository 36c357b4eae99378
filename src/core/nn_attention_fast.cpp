// attention_backward_fast: the same gradients as nn_attention.cpp's attention_backward (the reference, kept
// and tested against this one), per head as whole-matrix Eigen products over strided head slices instead of
// scalar loops over (query, key, dim); in WASM the per-element loops at head_dim 16 were the backward's
// slowest part. Eigen stays in this file and nn_linear.cpp.
#include <Eigen/Core>

#include "core/nn_attention.h"

namespace attn {

template <typename Real>
void attention_backward_fast(Real* dq, Real* dk, Real* dv, Real* dprobs, Real* dgates, const Real* dout, const Real* q,
                             const Real* k, const Real* v, const Real* probs, const Real* gates, const AttentionSpec& spec) {
    using Mat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Stride = Eigen::OuterStride<>;
    using HeadView = Eigen::Map<const Mat, 0, Stride>;   // one head's (rows, D) slice of (rows, heads * D)
    using HeadSlot = Eigen::Map<Mat, 0, Stride>;
    const int T = spec.n_query, S = spec.n_key, H = spec.n_head, D = spec.head_dim;
    const int group = H / spec.n_kv_head;
    const Eigen::Index q_row = static_cast<Eigen::Index>(H) * D, kv_row = static_cast<Eigen::Index>(spec.n_kv_head) * D;
    const Real scale = static_cast<Real>(spec.scale);
    Mat dp(T, S), dscore(T, S);
    for (int h = 0; h < H; ++h) {
        const Eigen::Index q_off = static_cast<Eigen::Index>(h) * D, kv_off = static_cast<Eigen::Index>(h / group) * D;
        const Real gate = gates ? gates[h] : Real(1);
        const size_t plane = static_cast<size_t>(T) * S;
        Eigen::Map<const Mat> P(probs + h * plane, T, S);
        HeadView dY(dout + q_off, T, D, Stride(q_row)), Q(q + q_off, T, D, Stride(q_row));
        HeadView K(k + kv_off, S, D, Stride(kv_row)), V(v + kv_off, S, D, Stride(kv_row));
        dp.noalias() = dY * V.transpose();   // ungated dy . v_s
        if (dgates) dgates[h] += P.cwiseProduct(dp).sum();
        dp *= gate;
        if (dprobs) Eigen::Map<Mat>(dprobs + h * plane, T, S) += dp;
        // Masked entries have p = 0, so their dscore and dv share are 0 as in the reference's skip.
        const Eigen::Matrix<Real, Eigen::Dynamic, 1> p_dot_dp = P.cwiseProduct(dp).rowwise().sum();
        dscore.noalias() = scale * P.cwiseProduct(dp - p_dot_dp.replicate(1, S));
        if (dv) HeadSlot(dv + kv_off, S, D, Stride(kv_row)).noalias() += gate * (P.transpose() * dY);
        if (dq) HeadSlot(dq + q_off, T, D, Stride(q_row)).noalias() += dscore * K;
        if (dk) HeadSlot(dk + kv_off, S, D, Stride(kv_row)).noalias() += dscore.transpose() * Q;
    }
}

template void attention_backward_fast<float>(float*, float*, float*, float*, float*, const float*, const float*,
                                             const float*, const float*, const float*, const float*,
                                             const AttentionSpec&);
template void attention_backward_fast<double>(double*, double*, double*, double*, double*, const double*, const double*,
                                              const double*, const double*, const double*, const double*,
                                              const AttentionSpec&);

}  // namespace attn
