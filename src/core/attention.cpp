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

// The SIMD kernel works on blocks of kRows query rows, so each vector it loads (a run of K^T's keys, a
// run of a value row) feeds kRows multiply-adds held in registers, instead of one multiply-add that
// loads and stores its output row (PERFORMANCE-NOTES.md: that row-wise form ran at 12-29 GFLOP/s):
//   scores: for a block of 2 x kLanes keys, kRows x 2 accumulators summed over the head dimension;
//   softmax: per row, along its visible keys (the rest of the row is exactly 0);
//   context: for a block of 2 x kLanes output dims, kRows x 2 accumulators summed over the keys.
// A block's rows see different key counts in a causal model: scores are computed up to the block's
// largest count and each row's softmax then reads only its own (and zeroes the rest).
namespace {

// Rows per block: AVX-512 has 32 vector registers, enough for 8 rows x 2 accumulators plus the loads;
// AVX2 and wasm_simd128 have 16, so 4 rows (8 accumulators) is the most that does not spill.
#if defined(__AVX512F__)
constexpr int kRows = 8;
#else
constexpr int kRows = 4;
#endif

// scores (rows of `probs`, t0..t0+kRows-1) over keys [s, s + W * kLanes), W = 1 or 2.
template <int W>
inline void score_block(const float* qs, int hs, const float* kt, int kt_stride, int s, float* const* rows) {
    using namespace simd;
    Vec acc[kRows][W];
    for (auto& r : acc)
        for (Vec& a : r) a = vzero();
    for (int d = 0; d < hs; ++d) {
        const float* k = kt + static_cast<size_t>(d) * kt_stride + s;
        Vec kv[W];
        for (int w = 0; w < W; ++w) kv[w] = vload(k + w * kLanes);
        for (int i = 0; i < kRows; ++i) {
            const Vec qb = vset1(qs[i * hs + d]);
            for (int w = 0; w < W; ++w) acc[i][w] = vfmadd(qb, kv[w], acc[i][w]);
        }
    }
    for (int i = 0; i < kRows; ++i)
        if (rows[i])
            for (int w = 0; w < W; ++w) vstore(rows[i] + s + w * kLanes, acc[i][w]);
}

// context rows (out, t0..t0+kRows-1) over output dims [d, d + W * kLanes), summed over keys [0, limit).
template <int W>
inline void context_block(const float* const* p, const float* v, int v_stride, int limit, int d, float* const* outs) {
    using namespace simd;
    Vec acc[kRows][W];
    for (auto& r : acc)
        for (Vec& a : r) a = vzero();
    for (int s = 0; s < limit; ++s) {
        const float* vs = v + static_cast<size_t>(s) * v_stride + d;
        Vec vv[W];
        for (int w = 0; w < W; ++w) vv[w] = vload(vs + w * kLanes);
        for (int i = 0; i < kRows; ++i) {
            const Vec pb = vset1(p[i][s]);
            for (int w = 0; w < W; ++w) acc[i][w] = vfmadd(pb, vv[w], acc[i][w]);
        }
    }
    for (int i = 0; i < kRows; ++i)
        if (outs[i])
            for (int w = 0; w < W; ++w) vstore(outs[i] + d + w * kLanes, acc[i][w]);
}

// Softmax of row[0, limit) in place; row[limit, S) set to exactly 0.
void softmax_row(float* row, int limit, int S) {
    using namespace simd;
    const int vec_end = limit - limit % kLanes;
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
    std::fill(row + limit, row + S, 0.0f);
}

}  // namespace

void attention_head(const AttentionShape& shape, const float* q, const float* k, const float* v, float* probs,
                    float* out) {
    using namespace simd;
    const int T = shape.n_query, S = shape.n_key, hs = shape.head_size;
    thread_local std::vector<float> k_transposed;  // (hs, S)
    thread_local std::vector<float> q_scaled;      // (kRows, hs): the block's query rows times the scale
    thread_local std::vector<float> zeros;         // probabilities of the rows past T in the last block
    // K^T's rows are padded past S: with a power-of-two stride (S = 512: 2 KiB) the 64 rows a score block
    // walks down share two L1 sets and evict each other (the transpose alone was 17% of the time).
    const int kt_stride = (S + kLanes - 1) / kLanes * kLanes + kLanes;
    k_transposed.resize(static_cast<size_t>(hs) * kt_stride);
    q_scaled.resize(static_cast<size_t>(kRows) * hs);
    zeros.assign(static_cast<size_t>(S), 0.0f);
    for (int s = 0; s < S; ++s)
        for (int d = 0; d < hs; ++d) k_transposed[static_cast<size_t>(d) * kt_stride + s] = k[s * shape.k_stride + d];

    for (int t0 = 0; t0 < T; t0 += kRows) {
        float* rows[kRows];
        const float* prow[kRows];
        float* outs[kRows];
        int limit[kRows];
        int block_limit = 0;
        for (int i = 0; i < kRows; ++i) {
            const int t = t0 + i;
            const bool here = t < T;
            rows[i] = here ? probs + static_cast<size_t>(t) * S : nullptr;
            outs[i] = here ? out + static_cast<size_t>(t) * shape.out_stride : nullptr;
            limit[i] = here ? visible_keys(shape, t) : 0;
            block_limit = std::max(block_limit, limit[i]);
            for (int d = 0; d < hs; ++d) q_scaled[static_cast<size_t>(i) * hs + d] = here ? q[t * shape.q_stride + d] * shape.scale : 0.0f;
        }

        // Scores for keys [0, block_limit).
        int s = 0;
        for (; s + 2 * kLanes <= block_limit; s += 2 * kLanes) score_block<2>(q_scaled.data(), hs, k_transposed.data(), kt_stride, s, rows);
        for (; s + kLanes <= block_limit; s += kLanes) score_block<1>(q_scaled.data(), hs, k_transposed.data(), kt_stride, s, rows);
        for (; s < block_limit; ++s)
            for (int i = 0; i < kRows; ++i) {
                if (!rows[i]) continue;
                float dot = 0.0f;
                for (int d = 0; d < hs; ++d) dot += q_scaled[static_cast<size_t>(i) * hs + d] * k_transposed[static_cast<size_t>(d) * kt_stride + s];
                rows[i][s] = dot;
            }

        for (int i = 0; i < kRows; ++i) {
            if (rows[i]) softmax_row(rows[i], limit[i], S);
            prow[i] = rows[i] ? rows[i] : zeros.data();
        }

        // Context: probabilities past a row's limit are 0, so the block's largest limit serves every row.
        int d = 0;
        for (; d + 2 * kLanes <= hs; d += 2 * kLanes) context_block<2>(prow, v, shape.v_stride, block_limit, d, outs);
        for (; d + kLanes <= hs; d += kLanes) context_block<1>(prow, v, shape.v_stride, block_limit, d, outs);
        for (; d < hs; ++d)
            for (int i = 0; i < kRows; ++i) {
                if (!outs[i]) continue;
                float acc = 0.0f;
                for (int s2 = 0; s2 < block_limit; ++s2) acc += prow[i][s2] * v[static_cast<size_t>(s2) * shape.v_stride + d];
                outs[i][d] = acc;
            }
    }
}

}  // namespace attn
