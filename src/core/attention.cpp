// Attention kernels: a plain reference and a SIMD version written against core/simd.h.
#include "core/attention.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// The SIMD kernel works on blocks of kRows query rows, so each vector it loads (a run of keys, a run of a
// value row) feeds kRows multiply-adds held in registers, instead of one multiply-add that loads and
// stores its output row (PERFORMANCE-NOTES.md: that row-wise form ran at 12-29 GFLOP/s):
//   scores: for a panel of kPanel keys, kRows x 2 accumulators summed over the head dimension;
//   softmax: per row, along its visible keys (the rest of the row is exactly 0);
//   context: for a panel of kPanel output dims, kRows x 2 accumulators summed over the keys.
// K and V are first copied into panels the blocks read front to back (K^T a panel of keys at a time, V a
// panel of dims at a time, zero past the end), as the GEMM packs its B: read in place, K^T's and V's rows
// lie a fused QKV row apart (9 KB in GPT-2), and the blocks walked them down one cache line per multiply.
// In WebAssembly the panels made the kernel 20-25% faster (same bits).
// A block's rows see different key counts in a causal model: scores are computed up to the block's
// largest count and each row's softmax then reads only its own (and zeroes the rest).
namespace {

using namespace simd;

// Rows per block: as many as leave registers for the two loaded vectors and a broadcast. AVX-512 has 32
// vector registers; AVX2 16 (6 x 2 accumulators, as the GEMM's); WebAssembly's 16 on x64 less V8's scratch
// register, where 5 rows measured no faster than 4.
#if defined(__AVX512F__)
constexpr int kRows = 8;
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kRows = 6;
#else
constexpr int kRows = 4;
#endif
constexpr int kPanel = 2 * kLanes;

// Natively a block's probabilities are computed in a scratch block (kRows x S, in L1 or L2) and then
// streamed to the Trace's tensor with non-temporal stores, written once and never read back: stored in
// place, each row's first store (the scores) read the fresh line from memory first, and the tensor
// (12 heads x 512 x 512 x 4 bytes = 12 MB a layer) pushed the panels and queries out of the cache.
// WebAssembly has no such store, so there the rows are computed in place. The same values either way.
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))   // core/simd.h's x86 targets
#define ATTN_STREAM_PROBS 1
constexpr bool kStreamProbs = true;
#else
constexpr bool kStreamProbs = false;
#endif

// dst[0, n) = src[0, n) through non-temporal stores where dst is aligned for them (scalar stores up to
// there and after the last whole vector). src is a scratch row aligned to 64 bytes at every kLanes.
inline void stream_row(float* dst, const float* src, int n) {
#if defined(ATTN_STREAM_PROBS)
    int j = 0;
    for (; j < n && reinterpret_cast<uintptr_t>(dst + j) % (kLanes * sizeof(float)) != 0; ++j) dst[j] = src[j];
    for (; j + kLanes <= n; j += kLanes) {
#if defined(__AVX512F__)
        _mm512_stream_ps(dst + j, _mm512_loadu_ps(src + j));
#else
        _mm256_stream_ps(dst + j, _mm256_loadu_ps(src + j));
#endif
    }
    for (; j < n; ++j) dst[j] = src[j];
#else
    std::copy(src, src + n, dst);
#endif
}

// n <= kPanel values of a block row's two accumulators to dst (a partial panel at the end of a row).
inline void store_panel(float* dst, const Vec* acc, int n) {
    if (n == kPanel) {
        vstore(dst, acc[0]);
        vstore(dst + kLanes, acc[1]);
        return;
    }
    alignas(64) float tile[kPanel];
    vstore(tile, acc[0]);
    vstore(tile + kLanes, acc[1]);
    std::copy(tile, tile + n, dst);
}

// Scores of the block's rows (rows[i], null past T) for the n keys from s: qs (kRows, hs) are the rows'
// queries (zeros past T), panel (hs, kPanel) their keys transposed; each dot product is then scaled, as the
// reference scales it. Where the whole panel is visible to row i (visible[i]), its largest score joins
// maxes[i], so the softmax need not read the row for its maximum.
inline void score_block(const float* qs, int hs, float scale, const float* panel, float* const* rows, int s,
                        int n, const bool* visible, Vec* maxes) {
    Vec acc[kRows][2];
    for (auto& r : acc) r[0] = r[1] = vzero();
    for (int d = 0; d < hs; ++d) {
        const Vec k0 = vload(panel + d * kPanel), k1 = vload(panel + d * kPanel + kLanes);
        for (int i = 0; i < kRows; ++i) {
            const Vec qb = vset1(qs[i * hs + d]);
            acc[i][0] = vmadd_any(qb, k0, acc[i][0]);
            acc[i][1] = vmadd_any(qb, k1, acc[i][1]);
        }
    }
    const Vec sv = vset1(scale);
    for (int i = 0; i < kRows; ++i) {
        if (!rows[i]) continue;
        acc[i][0] = vmul(acc[i][0], sv);
        acc[i][1] = vmul(acc[i][1], sv);
        store_panel(rows[i] + s, acc[i], n);
        if (visible[i]) maxes[i] = vmax(maxes[i], vmax(acc[i][0], acc[i][1]));
    }
}

// Context of the block's rows (outs[i], null past T) for the n output dims from d, summed over keys
// [0, limit): p[i] are the rows' probabilities, panel (S, kPanel) the values of those dims.
inline void context_block(const float* const* p, const float* panel, int limit, float* const* outs, int d, int n) {
    Vec acc[kRows][2];
    for (auto& r : acc) r[0] = r[1] = vzero();
    for (int s = 0; s < limit; ++s) {
        const Vec v0 = vload(panel + s * kPanel), v1 = vload(panel + s * kPanel + kLanes);
        for (int i = 0; i < kRows; ++i) {
            const Vec pb = vset1(p[i][s]);
            acc[i][0] = vmadd_any(pb, v0, acc[i][0]);
            acc[i][1] = vmadd_any(pb, v1, acc[i][1]);
        }
    }
    for (int i = 0; i < kRows; ++i)
        if (outs[i]) store_panel(outs[i] + d, acc[i], n);
}

// K^T in panels of kPanel keys: panel p is (hs, kPanel), keys past S zero.
void pack_keys(const float* k, int k_stride, int S, int hs, float* dst) {
    for (int s0 = 0; s0 < S; s0 += kPanel, dst += static_cast<size_t>(hs) * kPanel) {
        const int n = std::min(kPanel, S - s0);
        if (n < kPanel) std::fill(dst, dst + static_cast<size_t>(hs) * kPanel, 0.0f);
        for (int j = 0; j < n; ++j) {
            const float* row = k + static_cast<size_t>(s0 + j) * k_stride;
            for (int d = 0; d < hs; ++d) dst[d * kPanel + j] = row[d];
        }
    }
}

// V in panels of kPanel dims: panel p is (S, kPanel), dims past hs zero.
void pack_values(const float* v, int v_stride, int S, int hs, float* dst) {
    for (int d0 = 0; d0 < hs; d0 += kPanel) {
        const int n = std::min(kPanel, hs - d0);
        for (int s = 0; s < S; ++s, dst += kPanel) {
            const float* row = v + static_cast<size_t>(s) * v_stride + d0;
            if (n == kPanel) {
                vstore(dst, vload(row));
                vstore(dst + kLanes, vload(row + kLanes));
            } else {
                std::copy(row, row + n, dst);
                std::fill(dst + n, dst + kPanel, 0.0f);
            }
        }
    }
}

// Softmax of row[0, limit) in place; row[limit, S) set to exactly 0. The scores before `known` are already
// folded into maxv (score_block), so only the rest are read for the maximum.
void softmax_row(float* row, int limit, int S, int known, Vec maxv) {
    const int vec_end = limit - limit % kLanes;
    int s = known;
    for (; s + kLanes <= limit; s += kLanes) maxv = vmax(maxv, vload(row + s));
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
    const int T = shape.n_query, S = shape.n_key, hs = shape.head_size;
    const int key_panels = (S + kPanel - 1) / kPanel, dim_panels = (hs + kPanel - 1) / kPanel;
    thread_local std::vector<float> keys;       // key_panels x (hs, kPanel)
    thread_local std::vector<float> values;     // dim_panels x (S, kPanel)
    thread_local std::vector<float> q_block;    // (kRows, hs): the block's query rows side by side
    thread_local std::vector<float> zeros;      // probabilities of the rows past T in the last block
    thread_local std::vector<float> scratch;    // the block's rows, each S floats, 64-byte aligned
    const size_t scratch_stride = (static_cast<size_t>(S) + 15) / 16 * 16;
    // Rows in the scratch block: natively (then streamed out if kept), and wherever nothing keeps them.
    const bool in_scratch = kStreamProbs || probs == nullptr;
    if (in_scratch) scratch.resize(kRows * scratch_stride + 16);
    float* scratch_rows = scratch.data() + (16 - reinterpret_cast<uintptr_t>(scratch.data()) / sizeof(float) % 16) % 16;
    keys.resize(static_cast<size_t>(key_panels) * hs * kPanel);
    values.resize(static_cast<size_t>(dim_panels) * S * kPanel);
    q_block.resize(static_cast<size_t>(kRows) * hs);
    zeros.assign(static_cast<size_t>(S), 0.0f);
    pack_keys(k, shape.k_stride, S, hs, keys.data());
    pack_values(v, shape.v_stride, S, hs, values.data());

    for (int t0 = 0; t0 < T; t0 += kRows) {
        float* rows[kRows];
        const float* prow[kRows];
        float* outs[kRows];
        int limit[kRows];
        Vec maxes[kRows];
        int block_limit = 0;
        for (int i = 0; i < kRows; ++i) {
            const int t = t0 + i;
            const bool here = t < T;
            rows[i] = !here ? nullptr : in_scratch ? scratch_rows + i * scratch_stride : probs + static_cast<size_t>(t) * S;
            float* qb = q_block.data() + static_cast<size_t>(i) * hs;
            if (here) std::copy_n(q + static_cast<size_t>(t) * shape.q_stride, hs, qb);
            else std::fill_n(qb, hs, 0.0f);
            outs[i] = here ? out + static_cast<size_t>(t) * shape.out_stride : nullptr;
            limit[i] = here ? visible_keys(shape, t) : 0;
            maxes[i] = vset1(-INFINITY);
            block_limit = std::max(block_limit, limit[i]);
        }

        // Scores for keys [0, block_limit), a panel at a time (a panel past a row's limit is cleared by
        // its softmax; one past S is stored only up to S). known[i]: the keys whose maximum is in maxes[i].
        int known[kRows] = {};
        for (int s = 0; s < block_limit; s += kPanel) {
            bool visible[kRows];
            for (int i = 0; i < kRows; ++i) {
                visible[i] = s + kPanel <= limit[i];
                if (visible[i]) known[i] = s + kPanel;
            }
            score_block(q_block.data(), hs, shape.scale, keys.data() + static_cast<size_t>(s / kPanel) * hs * kPanel, rows, s,
                        std::min(kPanel, S - s), visible, maxes);
        }

        for (int i = 0; i < kRows; ++i) {
            if (rows[i]) softmax_row(rows[i], limit[i], S, known[i], maxes[i]);
            prow[i] = rows[i] ? rows[i] : zeros.data();
        }

        // Context: probabilities past a row's limit are 0, so the block's largest limit serves every row.
        for (int d = 0; d < hs; d += kPanel)
            context_block(prow, values.data() + static_cast<size_t>(d / kPanel) * S * kPanel, block_limit, outs, d,
                          std::min(kPanel, hs - d));
        if (in_scratch && probs)
            for (int i = 0; i < kRows && t0 + i < T; ++i) stream_row(probs + static_cast<size_t>(t0 + i) * S, rows[i], S);
    }
#if defined(ATTN_STREAM_PROBS)
    if (probs) _mm_sfence();   // the streamed rows are in memory before anyone (another thread) reads them
#endif
}

}  // namespace attn
