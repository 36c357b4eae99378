// attention_forward_fast and attention_backward_fast: nn_attention.cpp's attention_forward and
// attention_backward (the references, kept and tested against these), per head as whole-matrix Eigen
// products over strided head slices instead of scalar loops over (query, key, dim), which were the
// differentiable pass's slowest part at head_dim 16. Eigen stays in this file and nn_linear.cpp.
#include <Eigen/Core>
#include <cmath>

#include "core/nn_attention.h"

namespace attn {

template <typename Real>
void attention_forward_fast(Real* out, Real* probs, const Real* q, const Real* k, const Real* v, const Real* gates,
                            const AttentionSpec& spec) {
    using Mat = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Stride = Eigen::OuterStride<>;
    using HeadView = Eigen::Map<const Mat, 0, Stride>;
    const int T = spec.n_query, S = spec.n_key, H = spec.n_head, D = spec.head_dim;
    const int group = H / spec.n_kv_head;
    const Eigen::Index q_row = static_cast<Eigen::Index>(H) * D, kv_row = static_cast<Eigen::Index>(spec.n_kv_head) * D;
    const Real scale = static_cast<Real>(spec.scale);
    for (int h = 0; h < H; ++h) {
        const Eigen::Index q_off = static_cast<Eigen::Index>(h) * D, kv_off = static_cast<Eigen::Index>(h / group) * D;
        const Real gate = gates ? gates[h] : Real(1);
        Eigen::Map<Mat> P(probs + static_cast<size_t>(h) * T * S, T, S);
        HeadView Q(q + q_off, T, D, Stride(q_row)), K(k + kv_off, S, D, Stride(kv_row)), V(v + kv_off, S, D, Stride(kv_row));
        P.noalias() = Q * K.transpose();
        // The softmax as the reference writes it: visible keys only, the row maximum subtracted, a row with
        // nothing visible all 0.
        for (int t = 0; t < T; ++t) {
            Real* p = P.data() + static_cast<size_t>(t) * S;
            Real max_score = -INFINITY;
            bool any = false;
            for (int s = 0; s < S; ++s) {
                if (!attention_visible(spec, h, t, s)) continue;
                p[s] *= scale;
                if (!any || p[s] > max_score) max_score = p[s];
                any = true;
            }
            Real sum = 0;
            for (int s = 0; s < S; ++s) {
                if (any && attention_visible(spec, h, t, s)) {
                    p[s] = std::exp(p[s] - max_score);
                    sum += p[s];
                } else {
                    p[s] = 0;
                }
            }
            if (any)
                for (int s = 0; s < S; ++s) p[s] /= sum;
        }
        Eigen::Map<Mat, 0, Stride>(out + q_off, T, D, Stride(q_row)).noalias() = gate * (P * V);
    }
}

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

template void attention_forward_fast<float>(float*, float*, const float*, const float*, const float*, const float*,
                                            const AttentionSpec&);
template void attention_forward_fast<double>(double*, double*, const double*, const double*, const double*, const double*,
                                             const AttentionSpec&);
template void attention_backward_fast<float>(float*, float*, float*, float*, float*, const float*, const float*,
                                             const float*, const float*, const float*, const float*,
                                             const AttentionSpec&);
template void attention_backward_fast<double>(double*, double*, double*, double*, double*, const double*, const double*,
                                              const double*, const double*, const double*, const double*,
                                              const AttentionSpec&);

}  // namespace attn
