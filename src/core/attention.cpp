// Attention kernels: a plain reference and a SIMD version written against core/simd.h.
#include "core/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/simd.h"

namespace attn {

const char* simd_name() { return ATTN_SIMD_NAME; }

static int visible_keys(const AttentionShape& shape, int t) {
    if (!shape.causal) return shape.n_key;
    return std::max(0, std::min(shape.n_key, t + shape.query_offset + 1));
}

void attention_head_reference(const AttentionShape& shape, const float* q, const float* k, const float* v,
                              float* probs, float* out) {
    const int T = shape.n_query, S = shape.n_key, hs = shape.head_size;
    for (int t = 0; t < T; ++t) {
        float* row = probs + static_cast<size_t>(t) * S;
        const int limit = visible_keys(shape, t);
        float max_score = -INFINITY;
        for (int s = 0; s < limit; ++s) {
            float dot = 0.0f;
            for (int d = 0; d < hs; ++d) dot += q[t * shape.q_stride + d] * k[s * shape.k_stride + d];
            row[s] = dot * shape.scale;
            max_score = std::max(max_score, row[s]);
        }
        float sum = 0.0f;
        for (int s = 0; s < limit; ++s) {
            row[s] = std::exp(row[s] - max_score);
            sum += row[s];
        }
        for (int s = 0; s < limit; ++s) row[s] /= sum;
        for (int s = limit; s < S; ++s) row[s] = 0.0f;
        float* o = out + static_cast<size_t>(t) * shape.out_stride;
        for (int d = 0; d < hs; ++d) {
            float acc = 0.0f;
            for (int s = 0; s < limit; ++s) acc += row[s] * v[s * shape.v_stride + d];
            o[d] = acc;
        }
    }
}

// The SIMD kernel runs along the long axes: scores along keys (K transposed once per head, so each
// query row is a sum of contiguous axpys), softmax along keys, and the context along the head size.
void attention_head(const AttentionShape& shape, const float* q, const float* k, const float* v, float* probs,
                    float* out) {
    using namespace simd;
    const int T = shape.n_query, S = shape.n_key, hs = shape.head_size;
    thread_local std::vector<float> k_transposed;  // (hs, S)
    k_transposed.resize(static_cast<size_t>(hs) * S);
    for (int s = 0; s < S; ++s)
        for (int d = 0; d < hs; ++d) k_transposed[static_cast<size_t>(d) * S + s] = k[s * shape.k_stride + d];

    for (int t = 0; t < T; ++t) {
        float* row = probs + static_cast<size_t>(t) * S;
        const int limit = visible_keys(shape, t);
        const int vec_end = limit - limit % kLanes;
        std::fill(row, row + S, 0.0f);
        for (int d = 0; d < hs; ++d) {
            const float qd = q[t * shape.q_stride + d] * shape.scale;
            const float* kt = k_transposed.data() + static_cast<size_t>(d) * S;
            const Vec qv = vset1(qd);
            int s = 0;
            for (; s < vec_end; s += kLanes) vstore(row + s, vfmadd(qv, vload(kt + s), vload(row + s)));
            for (; s < limit; ++s) row[s] += qd * kt[s];
        }

        Vec maxv = vset1(-INFINITY);
        int s = 0;
        for (; s < vec_end; s += kLanes) maxv = vmax(maxv, vload(row + s));
        float max_score = vhmax(maxv);
        for (; s < limit; ++s) max_score = std::max(max_score, row[s]);

        const Vec maxb = vset1(max_score);
        Vec sumv = vzero();
        for (s = 0; s < vec_end; s += kLanes) {
            Vec e = vexp(vsub(vload(row + s), maxb));
            vstore(row + s, e);
            sumv = vadd(sumv, e);
        }
        float sum = vsum(sumv);
        for (; s < limit; ++s) {
            row[s] = std::exp(row[s] - max_score);
            sum += row[s];
        }
        const float inv = 1.0f / sum;
        const Vec invv = vset1(inv);
        for (s = 0; s < vec_end; s += kLanes) vstore(row + s, vmul(vload(row + s), invv));
        for (; s < limit; ++s) row[s] *= inv;

        float* o = out + static_cast<size_t>(t) * shape.out_stride;
        const int hs_vec_end = hs - hs % kLanes;
        std::fill(o, o + hs, 0.0f);
        for (s = 0; s < limit; ++s) {
            const float p = row[s];
            const float* vs = v + static_cast<size_t>(s) * shape.v_stride;
            const Vec pv = vset1(p);
            int d = 0;
            for (; d < hs_vec_end; d += kLanes) vstore(o + d, vfmadd(pv, vload(vs + d), vload(o + d)));
            for (; d < hs; ++d) o[d] += p * vs[d];
        }
    }
}

}  // namespace attn
