// Attention and RoPE pairs: plain loops, the reference for any fast kernel later. Softmax subtracts the
// row maximum; a row with nothing visible is left at 0 instead of dividing by a zero sum.
#include "core/nn_attention.h"

#include <cmath>
#include <cstddef>
#include <vector>

namespace attn {

bool attention_visible(const AttentionSpec& spec, int h, int t, int s) {
    if (spec.causal && s > t + spec.query_offset) return false;
    if (spec.key_mask && !spec.key_mask[s]) return false;
    if (spec.edge_mask) {
        const size_t plane = static_cast<size_t>(spec.n_query) * spec.n_key;
        const size_t base = spec.edge_mask_per_head ? static_cast<size_t>(h) * plane : 0;
        if (!spec.edge_mask[base + static_cast<size_t>(t) * spec.n_key + s]) return false;
    }
    return true;
}

template <typename Real>
void attention_forward(Real* out, Real* probs, const Real* q, const Real* k, const Real* v, const Real* gates,
                       const AttentionSpec& spec) {
    const int T = spec.n_query, S = spec.n_key, H = spec.n_head, D = spec.head_dim;
    const int group = H / spec.n_kv_head;
    const size_t q_row = static_cast<size_t>(H) * D, kv_row = static_cast<size_t>(spec.n_kv_head) * D;
    const Real scale = static_cast<Real>(spec.scale);
    for (int h = 0; h < H; ++h) {
        const int kvh = h / group;
        const Real gate = gates ? gates[h] : Real(1);
        for (int t = 0; t < T; ++t) {
            Real* p = probs + (static_cast<size_t>(h) * T + t) * S;
            const Real* qt = q + t * q_row + static_cast<size_t>(h) * D;
            Real max_score = -INFINITY;
            bool any = false;
            for (int s = 0; s < S; ++s) {
                if (!attention_visible(spec, h, t, s)) continue;
                const Real* ks = k + s * kv_row + static_cast<size_t>(kvh) * D;
                Real dot = 0;
                for (int d = 0; d < D; ++d) dot += qt[d] * ks[d];
                p[s] = dot * scale;
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
            Real* o = out + t * q_row + static_cast<size_t>(h) * D;
            for (int d = 0; d < D; ++d) {
                Real acc = 0;
                for (int s = 0; s < S; ++s) acc += p[s] * v[s * kv_row + static_cast<size_t>(kvh) * D + d];
                o[d] = gate * acc;
            }
        }
    }
}

// Per head and query, with ctx = probs @ v and dctx = gate * dout:
//   dgate += dout . ctx,  dprobs = dctx . v_s,  dv_s += p_s dctx,
//   dscore_s = p_s (dprobs_s - sum_s' p_s' dprobs_s'),  dq += scale dscore @ k,  dk_s += scale dscore_s q.
template <typename Real>
void attention_backward(Real* dq, Real* dk, Real* dv, Real* dprobs, Real* dgates, const Real* dout, const Real* q,
                        const Real* k, const Real* v, const Real* probs, const Real* gates, const AttentionSpec& spec) {
    const int T = spec.n_query, S = spec.n_key, H = spec.n_head, D = spec.head_dim;
    const int group = H / spec.n_kv_head;
    const size_t q_row = static_cast<size_t>(H) * D, kv_row = static_cast<size_t>(spec.n_kv_head) * D;
    const Real scale = static_cast<Real>(spec.scale);
    std::vector<Real> dctx(D), dp(S);
    for (int h = 0; h < H; ++h) {
        const int kvh = h / group;
        const size_t q_off = static_cast<size_t>(h) * D, kv_off = static_cast<size_t>(kvh) * D;
        const Real gate = gates ? gates[h] : Real(1);
        for (int t = 0; t < T; ++t) {
            const Real* p = probs + (static_cast<size_t>(h) * T + t) * S;
            const Real* dy = dout + t * q_row + q_off;
            for (int d = 0; d < D; ++d) dctx[d] = gate * dy[d];
            // dy . v_s once per key gives both dprobs (times the gate) and dgate = sum_s p_s (dy . v_s),
            // which is dout . ctx without forming ctx (and still right when the gate is 0).
            Real p_dot_dp = 0, dgate = 0;
            for (int s = 0; s < S; ++s) {
                const Real* vs = v + s * kv_row + kv_off;
                Real acc = 0;
                for (int d = 0; d < D; ++d) acc += dy[d] * vs[d];
                dgate += p[s] * acc;
                dp[s] = gate * acc;
                p_dot_dp += p[s] * dp[s];
            }
            if (dgates) dgates[h] += dgate;
            if (dprobs) {
                Real* dpr = dprobs + (static_cast<size_t>(h) * T + t) * S;
                for (int s = 0; s < S; ++s) dpr[s] += dp[s];
            }
            const Real* qt = q + t * q_row + q_off;
            for (int s = 0; s < S; ++s) {
                if (p[s] == Real(0)) continue;  // masked (or underflowed): no gradient flows through it
                if (dv)
                    for (int d = 0; d < D; ++d) dv[s * kv_row + kv_off + d] += p[s] * dctx[d];
                const Real dscore = scale * p[s] * (dp[s] - p_dot_dp);
                const Real* ks = k + s * kv_row + kv_off;
                if (dq)
                    for (int d = 0; d < D; ++d) dq[t * q_row + q_off + d] += dscore * ks[d];
                if (dk)
                    for (int d = 0; d < D; ++d) dk[s * kv_row + kv_off + d] += dscore * qt[d];
            }
        }
    }
}

namespace {

// cos and sin of (pos0 + t) * inv_freq[i] in f32, scaled, exactly as model/rope.cpp computes them.
void rope_angles(int pos, int half, const float* inv_freq, float attention_scaling, float* cos_t, float* sin_t) {
    const float fpos = static_cast<float>(pos);
    for (int i = 0; i < half; ++i) {
        const float angle = fpos * inv_freq[i];
        cos_t[i] = std::cos(angle) * attention_scaling;
        sin_t[i] = std::sin(angle) * attention_scaling;
    }
}

// y = R x (forward) or x = R^T y (backward, sign = -1) on each pair of every head; other dims copied or added.
template <typename Real>
void rope_rotate(Real* dst, const Real* src, bool accumulate, Real sign, int T, int n_head, int head_dim,
                 int rotary_dim, int pos0, const float* inv_freq, float attention_scaling) {
    const int half = rotary_dim / 2;
    std::vector<float> cos_t(half), sin_t(half);
    for (int t = 0; t < T; ++t) {
        rope_angles(pos0 + t, half, inv_freq, attention_scaling, cos_t.data(), sin_t.data());
        for (int h = 0; h < n_head; ++h) {
            const size_t base = (static_cast<size_t>(t) * n_head + h) * head_dim;
            const Real* x = src + base;
            Real* y = dst + base;
            for (int i = 0; i < half; ++i) {
                const Real c = cos_t[i], sn = sign * static_cast<Real>(sin_t[i]);
                const Real a = x[i], b = x[i + half];
                const Real ya = a * c - b * sn, yb = b * c + a * sn;
                y[i] = accumulate ? y[i] + ya : ya;
                y[i + half] = accumulate ? y[i + half] + yb : yb;
            }
            for (int d = rotary_dim; d < head_dim; ++d) y[d] = accumulate ? y[d] + x[d] : x[d];
        }
    }
}

}  // namespace

template <typename Real>
void rope_forward(Real* out, const Real* inp, int T, int n_head, int head_dim, int rotary_dim, int pos0,
                  const float* inv_freq, float attention_scaling) {
    rope_rotate(out, inp, false, Real(1), T, n_head, head_dim, rotary_dim, pos0, inv_freq, attention_scaling);
}

// The rotation's transpose: the same pairs with sin negated.
template <typename Real>
void rope_backward(Real* dinp, const Real* dout, int T, int n_head, int head_dim, int rotary_dim, int pos0,
                   const float* inv_freq, float attention_scaling) {
    rope_rotate(dinp, dout, true, Real(-1), T, n_head, head_dim, rotary_dim, pos0, inv_freq, attention_scaling);
}

#define ATTN_NN_ATTENTION_INSTANTIATE(Real)                                                                    \
    template void attention_forward<Real>(Real*, Real*, const Real*, const Real*, const Real*, const Real*,   \
                                          const AttentionSpec&);                                               \
    template void attention_backward<Real>(Real*, Real*, Real*, Real*, Real*, const Real*, const Real*,       \
                                           const Real*, const Real*, const Real*, const Real*,                 \
                                           const AttentionSpec&);                                              \
    template void rope_forward<Real>(Real*, const Real*, int, int, int, int, int, const float*, float);        \
    template void rope_backward<Real>(Real*, const Real*, int, int, int, int, int, const float*, float);
ATTN_NN_ATTENTION_INSTANTIATE(float)
ATTN_NN_ATTENTION_INSTANTIATE(double)

}  // namespace attn
