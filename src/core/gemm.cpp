// A packed, register-blocked GEMM (the GotoBLAS/BLIS scheme) written once against core/simd.h, and its
// scalar reference.
//
// For each depth block of kKC and row block of kMC: A's rows are packed into micro-panels of kMR rows
// ([k][row], read as broadcasts), then for each kNR-column panel of B: B is packed ([k][column], widened
// from 16 bits here, once per panel) into a buffer that stays in cache (L1, or L2 with AVX-512, where the
// depth block is deeper) while the micro-kernel runs every row micro-panel over it, keeping a
// kMR x kNV tile of accumulator vectors in registers. Weights in out_in layout are transposed while packed.
// A few rows (M <= 4) read the weight in place instead, since packing would copy it once to use it once:
// against out_in weights (the LM head of a trace asks for 1-4 rows of a 50257 x 768 table) as dot products
// along the stored rows, widening inside the loop, so the table is read once and never copied (a layer's
// out_in weight packed in place has a panel's rows gathered back first); against in_out weights as strips
// of columns summed over the rows.
// A weight many products use (a loaded model's layers: model/weight_pack.h) can have its B panels made
// once by gemm_pack, in the stored dtype and in the order the product reads them; the micro-kernel then
// reads them in place (widening 16-bit values as it loads; in WebAssembly 16-bit panels are widened a chunk
// at a time instead) and only A is packed. Natively the panels are a second copy; the page makes them in
// the weight's own bytes (gemm_pack_in_place: an in_out weight's depth block of kKC rows holds exactly its
// panels; an out_in weight's panels are a permutation of the whole matrix), and then the few-rows kernels
// and weight_rows_f32 read the panels too.
// Threads (core/parallel.h) take disjoint column panels or blocks, each column computed as in one pass.
#include "core/gemm.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "core/simd.h"

#if defined(__SSE__) && !defined(__wasm__)
#include <xmmintrin.h>
#endif

namespace attn {
namespace {

using namespace simd;

// Register tile per target: kMR rows x kNV vectors of accumulators, plus kNV loaded B vectors and a
// broadcast A value, within the register file (AVX-512: 32 zmm; AVX2: 16 ymm; V8's SIMD128: 16 xmm, and
// with no FMA each multiply needs a temporary). Measured at 128x768x768: WASM 5x2 ran at ~44 GFLOP/s, 3x3
// and 4x2 at 38-43, while 4x3 and 6x2 spill registers and ran 2-3x slower. With relaxed SIMD's fused
// multiply-add no temporary is needed: 6x2 against 5x2, a 124M trace 0.86x under node and 0.97x in
// Chromium (two runs each, interleaved); 4x3 spills in node 20's V8 and was 1.1x slower in Chromium.
#if defined(__AVX512F__)
constexpr int kMR = 8, kNV = 3;
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kMR = 6, kNV = 2;
#elif defined(__wasm_relaxed_simd__)
constexpr int kMR = 6, kNV = 2;
#elif defined(__wasm_simd128__)
constexpr int kMR = 5, kNV = 2;
#else
constexpr int kMR = 4, kNV = 4;
#endif
constexpr int kNR = kNV * kLanes;
static_assert(kNR % 4 == 0, "panels are transposed 4 x 4 (gather_packed_out_in_rows)");
// Depth per pass. Each pass after the first reads and writes the whole C block again, and C is larger than
// L2 for the wide products (128 x 3072 floats: 1.5 MB). With AVX-512 the B panel (kc x 48 floats) outgrows
// L1 at 256 already, and a pass of 1024 (GPT-2's 768-deep products in one pass, the 3072-deep one in three)
// made a 124M f32 trace 2-4% faster at 128 tokens and 4-5% at 512 than 256 did (bench_kernels, interleaved;
// 768 and 1536 the same, 128 slower). With AVX2 (16-float panels, 16 KB at 256 deep: in L1) 1024 was 2-4%
// slower on the same machine. In WebAssembly (8-float panels) 512 and 1024 measured the same as 256.
#if defined(__AVX512F__)
constexpr int kKC = 1024;
#else
constexpr int kKC = 256;
#endif
// Rows of A run per pass over a chunk of B: kMC x kKC floats, 256 KB, in L2. With AVX-512's 1024-deep
// blocks that is 1 MB, all of Zen 4's L2; 128 rows a pass measured no faster at 512 tokens. A whole number
// of micro-panels: A is packed once per depth block, and row block m0's micro-panels start at m0 * kc.
constexpr int kMC = 256 / kMR * kMR;
// B columns packed at a time, per call (weights not prepacked): 256 KB of f32 panels, at least one panel
// (with AVX-512's 1024-deep blocks one 48-column panel, 192 KB).
constexpr int kChunkCols = std::max(kNR, (65536 / kKC) / kNR * kNR);
// Floats between a chunk's panels: kc x kNR and one cache line more. Without it a full panel is 8 KB in
// WASM, and packing a row's run, which stores into every panel, kept hitting one L1 set.
inline size_t chunk_panel_stride(int kc) { return static_cast<size_t>(kc) * kNR + 64 / sizeof(float); }
#if defined(__wasm__)
constexpr bool kStageRows = true;   // see pack_b_chunk
// Prepacked 16-bit panels (the page's, packed in place) are widened into the thread's f32 buffer a chunk at
// a time, as a plain stream: SIMD128 has no half-float conversion, and a micro-kernel widening its own
// loads would widen every value once per row block instead of once per product.
constexpr bool kWidenPrepacked = true;
// f16 runs are widened by widen_to_f32 (core/dtype.cpp: four steps a vector where vload_f16 takes nine),
// the few-rows kernels' stored rows too, a block of them at once: the f16 LM head's row reads 38.6 M values.
constexpr bool kWidenF16Runs = true;
#else
constexpr bool kStageRows = false;
constexpr bool kWidenPrepacked = false;   // F16C / AVX-512 widen as they load
constexpr bool kWidenF16Runs = false;
#endif
// The largest out_in weight packed in place (gemm_can_pack_in_place): its copy while permuted is a
// quarter at most of the 64 MiB the page may use beside the weights, and the page's memory never shrinks
// back. BERT-base's and bart-base's MLP matrices in f32 are 9 MiB, Qwen2-0.5B's in bf16 8.3 MiB.
constexpr size_t kOutInInPlaceBytes = size_t(16) << 20;
#if defined(__wasm__)
constexpr bool kPrefetch = false;   // see micro_kernel
#else
constexpr bool kPrefetch = true;
#endif
// Few-rows kernels that read the weight in place (no packing): up to 4 rows, out_in by dot products and
// in_out by strips of kNR columns. kDotAccumulators: in WASM rows x stored rows summed at once; natively
// the stored rows a thread takes at a time (dot_rows reads them one by one).
constexpr int kDotRows = 4, kAxpyRows = 4;
#if defined(__AVX512F__)
constexpr int kDotAccumulators = 16;
#else
constexpr int kDotAccumulators = 8;
#endif
// Natively, 16-bit stored rows are asked for kDotPrefetchRows rows ahead of the ones being read. Measured
// when dot_rows still read 16 stored rows side by side: GPT-2's f16 LM head (one row against the
// 50257 x 768 table) took 2.5 ms instead of 6.0 in bench_gemm, and 2.7% of a 124M f16
// trace instead of 3.6% (perf, 40 traces). f32 rows gained nothing in a trace (4.3% before, 4.9-5.8%
// after, 4 or 16 rows at a time), though a standalone loop over anonymous memory had: that read is at the
// memory's pace already.
constexpr int kDotPrefetchRows = 16;

// kLanes (or one) stored values at element index i, widened to f32.
template <DType kType>
inline Vec load_vec(const void* base, size_t i) {
    if constexpr (kType == DType::F32) return vload(static_cast<const float*>(base) + i);
    else if constexpr (kType == DType::F16) return vload_f16(static_cast<const uint16_t*>(base) + i);
    else return vload_bf16(static_cast<const uint16_t*>(base) + i);
}
template <DType kType>
inline float load_one(const void* base, size_t i) {
    if constexpr (kType == DType::F32) return static_cast<const float*>(base)[i];
    else if constexpr (kType == DType::F16) return f16_bits_to_float(static_cast<const uint16_t*>(base)[i]);
    else return bf16_bits_to_float(static_cast<const uint16_t*>(base)[i]);
}

// n stored values from element index i into dst, widened.
template <DType kType>
inline void widen_run(const void* base, size_t i, int n, float* dst) {
    if constexpr (kType == DType::F16 && kWidenF16Runs) {
        widen_to_f32(kType, static_cast<const uint16_t*>(base) + i, static_cast<size_t>(n), dst);
        return;
    }
    int j = 0;
    for (; j + kLanes <= n; j += kLanes) vstore(dst + j, load_vec<kType>(base, i + j));
    for (; j < n; ++j) dst[j] = load_one<kType>(base, i + j);
}

void ensure(std::vector<float>& buffer, size_t n) {
    if (buffer.size() < n) buffer.resize(n);
}

// dst[c * dst_stride + r] = src[r * src_stride + c] for a 4 x 4 block.
inline void transpose4(const float* src, int src_stride, float* dst, int dst_stride) {
#if defined(__wasm_simd128__)
    v128_t r0 = wasm_v128_load(src), r1 = wasm_v128_load(src + src_stride);
    v128_t r2 = wasm_v128_load(src + 2 * src_stride), r3 = wasm_v128_load(src + 3 * src_stride);
    v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
    v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    wasm_v128_store(dst, wasm_i64x2_shuffle(t0, t2, 0, 2));
    wasm_v128_store(dst + dst_stride, wasm_i64x2_shuffle(t0, t2, 1, 3));
    wasm_v128_store(dst + 2 * dst_stride, wasm_i64x2_shuffle(t1, t3, 0, 2));
    wasm_v128_store(dst + 3 * dst_stride, wasm_i64x2_shuffle(t1, t3, 1, 3));
#elif defined(__SSE__)
    __m128 r0 = _mm_loadu_ps(src), r1 = _mm_loadu_ps(src + src_stride);
    __m128 r2 = _mm_loadu_ps(src + 2 * src_stride), r3 = _mm_loadu_ps(src + 3 * src_stride);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    _mm_storeu_ps(dst, r0);
    _mm_storeu_ps(dst + dst_stride, r1);
    _mm_storeu_ps(dst + 2 * dst_stride, r2);
    _mm_storeu_ps(dst + 3 * dst_stride, r3);
#else
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
#endif
}

// A's rows [0, m) at depth [k0, k0 + kc) as micro-panels of up to kMR rows, each [kc][rows]: four rows at a
// time by 4 x 4 transposes (one element at a time, this copy was 4% of a native 124M trace, V8's profile
// had it beside the micro-kernel too), the rest of the rows and depth one by one.
void pack_a(const float* a, int lda, int m, int k0, int kc, float* dst) {
    const int kc4 = kc & ~3;
    for (int i0 = 0; i0 < m; i0 += kMR) {
        const int rows = std::min(kMR, m - i0);
        const float* src = a + static_cast<size_t>(i0) * lda + k0;
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            const float* s4 = src + static_cast<size_t>(i) * lda;
            for (int k = 0; k < kc4; k += 4) transpose4(s4 + k, lda, dst + static_cast<size_t>(k) * rows + i, rows);
            for (int k = kc4; k < kc; ++k)
                for (int r = 0; r < 4; ++r) dst[static_cast<size_t>(k) * rows + i + r] = s4[static_cast<size_t>(r) * lda + k];
        }
        for (; i < rows; ++i)
            for (int k = 0; k < kc; ++k) dst[static_cast<size_t>(k) * rows + i] = src[static_cast<size_t>(i) * lda + k];
        dst += static_cast<size_t>(rows) * kc;
    }
}

// B stored (N, K): rows [n0, n0 + nr) at depth [k0, k0 + kc), widened into `rows` ([nr][kc]) and then
// transposed into dst as [kc][kNR], zero past nr.
template <DType kType>
void pack_b_out_in(const WeightMatrix& w, int k0, int kc, int n0, int nr, float* dst, float* rows) {
    for (int j = 0; j < nr; ++j)
        widen_run<kType>(w.data, static_cast<size_t>(n0 + j) * w.cols + k0, kc, rows + static_cast<size_t>(j) * kc);
    const int nr4 = nr & ~3, kc4 = kc & ~3;
    for (int j = 0; j < nr4; j += 4) {
        for (int k = 0; k < kc4; k += 4)
            transpose4(rows + static_cast<size_t>(j) * kc + k, kc, dst + static_cast<size_t>(k) * kNR + j, kNR);
        for (int k = kc4; k < kc; ++k)
            for (int jj = j; jj < j + 4; ++jj)
                dst[static_cast<size_t>(k) * kNR + jj] = rows[static_cast<size_t>(jj) * kc + k];
    }
    for (int k = 0; k < kc; ++k) {
        float* d = dst + static_cast<size_t>(k) * kNR;
        for (int j = nr4; j < nr; ++j) d[j] = rows[static_cast<size_t>(j) * kc + k];
        std::fill(d + nr, d + kNR, 0.0f);
    }
}

// The micro-kernel: the C tile (R rows x nr columns, at c with row stride ldc) gets packed A (kc x R) times
// the packed B panel (kc x kNR). The first depth pass stores (adding the bias), later passes accumulate.
// The panel is f32 when packed per call, or the stored dtype when prepacked (gemm_pack), widened per load.
// Natively it also asks for the bytes [pf, pf_end) of the next prepacked panel to be brought into cache, a
// line every few depth steps: the panels stream from memory once per product, and the same lines asked for
// in a burst before each call stalled on the core's full line-fill buffers (that loop was 4% of a 124M
// trace; spread out, the trace was 4-13% faster). WebAssembly has no prefetch.
template <int R, DType kBType>
void micro_kernel(int kc, const float* ap, const void* bp, float* c, int ldc, int nr, const float* bias, bool first,
                  const char* pf, const char* pf_end) {
    Vec acc[R][kNV];
    for (int i = 0; i < R; ++i)
        for (int v = 0; v < kNV; ++v) acc[i][v] = vzero();
    int every = 0, countdown = 0;   // a prefetch each `every` depth steps
    if constexpr (kPrefetch) {
        const int lines = static_cast<int>((pf_end - pf + 63) / 64);
        every = lines > 0 ? std::max(1, kc / lines) : kc + 1;
        countdown = every;
    }
    for (int k = 0; k < kc; ++k) {
        if constexpr (kPrefetch) {
            if (--countdown == 0) {
                countdown = every;
                if (pf < pf_end) {
                    __builtin_prefetch(pf, 0, 3);
                    pf += 64;
                }
            }
        }
        Vec b[kNV];
        for (int v = 0; v < kNV; ++v) b[v] = load_vec<kBType>(bp, static_cast<size_t>(k) * kNR + v * kLanes);
        for (int i = 0; i < R; ++i) {
            const Vec x = vset1(ap[i]);
            for (int v = 0; v < kNV; ++v) acc[i][v] = vmadd_any(x, b[v], acc[i][v]);
        }
        ap += R;
    }
    if constexpr (kPrefetch)
        for (; pf < pf_end; pf += 64) __builtin_prefetch(pf, 0, 3);   // lines past kc steps (few rows per call)
    if (nr == kNR) {
        for (int i = 0; i < R; ++i)
            for (int v = 0; v < kNV; ++v) {
                float* p = c + static_cast<size_t>(i) * ldc + v * kLanes;
                Vec sum = acc[i][v];
                if (!first) sum = vadd(vload(p), sum);
                else if (bias) sum = vadd(vload(bias + v * kLanes), sum);
                vstore(p, sum);
            }
        return;
    }
    alignas(64) float tile[R * kNR];
    for (int i = 0; i < R; ++i)
        for (int v = 0; v < kNV; ++v) vstore(tile + i * kNR + v * kLanes, acc[i][v]);
    for (int i = 0; i < R; ++i) {
        float* row = c + static_cast<size_t>(i) * ldc;
        for (int j = 0; j < nr; ++j) {
            const float base = !first ? row[j] : bias ? bias[j] : 0.0f;
            row[j] = base + tile[i * kNR + j];
        }
    }
}

using MicroKernel = void (*)(int, const float*, const void*, float*, int, int, const float*, bool, const char*, const char*);

template <DType kBType, int... I>
constexpr auto micro_kernel_table(std::integer_sequence<int, I...>) {
    return std::array<MicroKernel, sizeof...(I)>{micro_kernel<I + 1, kBType>...};
}
// kMicroKernels<B>[r - 1] handles r rows: a last partial row block computes only its own rows.
template <DType kBType>
constexpr auto kMicroKernels = micro_kernel_table<kBType>(std::make_integer_sequence<int, kMR>{});

// The B panel buffers of the thread packing them: each thread running column panels packs its own.
struct PanelBuffers {
    std::vector<float> b_pack;   // a chunk of packed B panels: kChunkCols / kNR panels (kKC, kNR), padded
    std::vector<float> b_rows;   // (kNR, kKC) an out_in panel's rows widened, before the transpose
    std::vector<uint8_t> b_stage;   // WASM: an in_out chunk's row runs as stored, copied before widening
};
PanelBuffers& panel_buffers() {
    thread_local PanelBuffers buffers;
    ensure(buffers.b_pack, chunk_panel_stride(kKC) * (kChunkCols / kNR));
    ensure(buffers.b_rows, static_cast<size_t>(kKC) * kNR);
    return buffers;
}

// B's columns [c0, c1) at depth [k0, k0 + kc) into the buffer as panels, each [kc][kNR]. An in_out
// weight is read along its rows, a run of c1 - c0 columns each.
template <DType kType>
void pack_b_chunk(const WeightMatrix& w, int k0, int kc, int c0, int c1, PanelBuffers& buffers) {
    float* dst = buffers.b_pack.data();
    if (w.layout == WeightLayout::out_in) {
        for (int n0 = c0; n0 < c1; n0 += kNR, dst += chunk_panel_stride(kc))
            pack_b_out_in<kType>(w, k0, kc, n0, std::min(kNR, c1 - n0), dst, buffers.b_rows.data());
        return;
    }
    // Rows [k0, k0 + kc), columns from c0: read in place natively; in WebAssembly first copied, each row's
    // run of stored bytes, into the stage, then widened from cache. Widening f16 takes integer steps in
    // SIMD128, and V8's loop over a row then held too few of the next rows' loads in flight: a 768 x 3072
    // f16 weight packed at 1.5 GB/s. Staged, a 124M f16 trace in WASM was 5-6% faster, f32 2%; natively
    // (F16C, and hardware that prefetches the rows) staging was 20-30% slower.
    const size_t elem = dtype_size(w.dtype), run = static_cast<size_t>(c1 - c0) * elem;
    const uint8_t* rows = static_cast<const uint8_t*>(w.data) + (static_cast<size_t>(k0) * w.cols + c0) * elem;
    size_t row_stride = static_cast<size_t>(w.cols) * elem;
    if constexpr (kStageRows) {
        buffers.b_stage.resize(static_cast<size_t>(kc) * run);
        uint8_t* stage = buffers.b_stage.data();
        for (int k = 0; k < kc; ++k) {
            const uint8_t* src = rows + k * row_stride;
            uint8_t* to = stage + k * run;
            size_t b = 0;
            for (; b + 64 <= run; b += 64) {   // four plain vector copies
                float tmp[16];
                std::memcpy(tmp, src + b, 64);
                std::memcpy(to + b, tmp, 64);
            }
            std::memcpy(to + b, src + b, run - b);
        }
        rows = stage;
        row_stride = run;
    }
    for (int k = 0; k < kc; ++k) {
        const void* row = rows + k * row_stride;
        float* d = dst + static_cast<size_t>(k) * kNR;
        for (int n0 = c0; n0 < c1; n0 += kNR, d += chunk_panel_stride(kc)) {
            const int nr = std::min(kNR, c1 - n0);
            if (nr == kNR) {
                for (int v = 0; v < kNV; ++v) vstore(d + v * kLanes, load_vec<kType>(row, n0 - c0 + v * kLanes));
            } else {
                widen_run<kType>(row, n0 - c0, nr, d);
                std::fill(d + nr, d + kNR, 0.0f);
            }
        }
    }
}

// columns(n_begin, n_end) over [0, N) in blocks of `block` columns, on several threads when `work`
// (multiply-adds) pays for waking them. Every chunk starts on a block boundary and all but the last end
// on one, so each column takes the same path, and gets the same bits, as in one pass over [0, N).
// [n_begin, n_end) is a whole product's columns or, for gemm_columns, a run of them starting on a kNR boundary.
template <class Columns>
void split_columns(int n_begin, int n_end, int block, double work, const Columns& columns) {
    const int n_blocks = (n_end - n_begin + block - 1) / block;
    parallel_for_if_worth_it(n_blocks, work, [&](int b0, int b1) {
        columns(n_begin + b0 * block, std::min(n_end, n_begin + b1 * block));
    });
}

// Where gemm_pack puts the panel of depth block k0 (kc deep) and columns from n0: the blocks before it
// hold k0 rows of every padded column, and the panels before it in its block kc rows of n0 columns.
size_t prepacked_offset(int N, int k0, int kc, int n0) {
    const size_t n_padded = static_cast<size_t>((N + kNR - 1) / kNR) * kNR;
    return static_cast<size_t>(k0) * n_padded + static_cast<size_t>(n0) * kc;
}

// Where element (k, j) of a weight packed in place lies (depth k, output j: either layout).
size_t panel_index(int N, int K, int k, int j) {
    const int k0 = k / kKC * kKC, kc = std::min(kKC, K - k0), n0 = j / kNR * kNR;
    return prepacked_offset(N, k0, kc, n0) + static_cast<size_t>(k - k0) * kNR + (j - n0);
}

// Prepacked panels of depth block k0 for columns [c0, c1) widened into the thread's buffer, laid out as
// pack_b_chunk lays them (each panel is kc x kNR values in a row, zero-padded past N when packed).
template <DType kType>
void widen_prepacked_chunk(const void* prepacked, int N, int k0, int kc, int c0, int c1, PanelBuffers& buffers) {
    float* dst = buffers.b_pack.data();
    for (int n0 = c0; n0 < c1; n0 += kNR, dst += chunk_panel_stride(kc))
        widen_run<kType>(prepacked, prepacked_offset(N, k0, kc, n0), kc * kNR, dst);
}

// B's panels come from w.packed when gemm_pack made them once (read in place, in the stored dtype, so the
// product packs only A), else they are packed (widened to f32) into the thread's buffer kChunkCols columns
// at a time. A chunk is packed before its micro-kernels run, so an in_out weight's rows are read a run of
// kChunkCols columns at a time instead of a panel's kNR columns (half a cache line) down all kc rows. A
// trace's weights come from memory every time: packing them was 13-14% of a 124M f32 trace in WASM (V8's
// profile; natively the layers' weights are prepacked); chunks of 256 columns made the trace 4% faster
// (128, 512 and whole rows: 1-2%, or slower), the panels a cache line apart 3% more, and WASM's staged rows
// (pack_b_chunk) f32 2% and f16 5-6% more. Same blocks and order of sums either way, so the same bits.
template <DType kType>
void gemm_packed(const float* a, int M, const WeightMatrix& w, const float* bias, float* c, int col_begin, int col_end) {
    const int K = w.n_in(), N = w.n_out();
    const char* prepacked = static_cast<const char*>(w.packed);
    const size_t elem = dtype_size(w.dtype);
    // Prepacked panels the micro-kernel reads in place (else the thread's buffer, packed or widened per chunk).
    const bool in_place_panels = prepacked && (kType == DType::F32 || !kWidenPrepacked);
    const MicroKernel* kernels = in_place_panels ? kMicroKernels<kType>.data() : kMicroKernels<DType::F32>.data();
    // Each thread runs every depth pass over its own column panels and packs the A blocks it needs
    // itself: one parallel_for per product instead of one per (depth, row) block, and no thread waits
    // while another packs A (the copy costs the same whether one thread makes it or each does).
    split_columns(col_begin, col_end, kNR, static_cast<double>(M) * (col_end - col_begin) * K, [&](int n_begin, int n_end) {
        thread_local std::vector<float> a_pack;
        PanelBuffers& buffers = panel_buffers();
        for (int k0 = 0; k0 < K; k0 += kKC) {
            const int kc = std::min(kKC, K - k0);
            ensure(a_pack, static_cast<size_t>(M) * kc);
            pack_a(a, K, M, k0, kc, a_pack.data());   // row block i0's micro-panels start at i0 * kc
            for (int c0 = n_begin; c0 < n_end; c0 += kChunkCols) {
                const int c1 = std::min(n_end, c0 + kChunkCols);
                if (!prepacked) pack_b_chunk<kType>(w, k0, kc, c0, c1, buffers);
                else if (!in_place_panels) widen_prepacked_chunk<kType>(prepacked, N, k0, kc, c0, c1, buffers);
                for (int m0 = 0; m0 < M; m0 += kMC) {
                    const int mc = std::min(kMC, M - m0);
                    const int calls = (mc + kMR - 1) / kMR;
                    for (int n0 = c0; n0 < c1; n0 += kNR) {
                        const int nr = std::min(kNR, c1 - n0);   // a run may end inside a panel: only its columns
                        const void* panel = buffers.b_pack.data() + (n0 - c0) / kNR * chunk_panel_stride(kc);
                        const char* next = nullptr;   // a prepacked block's next panel, which lies right after
                        size_t panel_bytes = 0;
                        if (in_place_panels) {
                            panel = prepacked + prepacked_offset(N, k0, kc, n0) * elem;
                            panel_bytes = static_cast<size_t>(kc) * kNR * elem;
                            if (n0 + kNR < n_end) next = static_cast<const char*>(panel) + panel_bytes;
                        }
                        const float* ap = a_pack.data() + static_cast<size_t>(m0) * kc;
                        for (int i0 = 0, call = 0; i0 < mc; i0 += kMR, ++call) {
                            const int rows = std::min(kMR, mc - i0);
                            // The next panel's lines spread over this one's calls (and inside each, over its steps).
                            const char* pf = next ? next + panel_bytes * call / calls : nullptr;
                            const char* pf_end = next ? next + panel_bytes * (call + 1) / calls : nullptr;
                            kernels[rows - 1](kc, ap, panel, c + static_cast<size_t>(m0 + i0) * N + n0, N, nr,
                                              bias ? bias + n0 : nullptr, k0 == 0, pf, pf_end);
                            ap += static_cast<size_t>(rows) * kc;
                        }
                    }
                }
            }
        }
    });
}

// Stored rows [r0, r1) of an out_in weight packed in place (all inside one kNR-row panel), widened into
// rows ([r1 - r0][K]): a stored row is column r - n0 of its panel in every depth block. A whole panel
// (the few-rows kernel's case) goes by 4 x 4 transposes, from a depth block's panel widened first when
// 16-bit: one value at a time, gathering the BART decoder's one-row products took longer than the
// products themselves in WebAssembly.
template <DType kType>
void gather_packed_out_in_rows(const WeightMatrix& w, int r0, int r1, float* rows) {
    const int N = w.rows, K = w.cols, n0 = r0 / kNR * kNR;
    const bool whole = r0 == n0 && r1 - r0 == kNR;
    thread_local std::vector<float> wide;   // a 16-bit depth block's panel, widened
    for (int k0 = 0; k0 < K; k0 += kKC) {
        const int kc = std::min(kKC, K - k0);
        const size_t panel = prepacked_offset(N, k0, kc, n0);
        if (!whole) {
            for (int k = 0; k < kc; ++k)
                for (int r = r0; r < r1; ++r)
                    rows[static_cast<size_t>(r - r0) * K + k0 + k] = load_one<kType>(w.data, panel + static_cast<size_t>(k) * kNR + (r - n0));
            continue;
        }
        const float* src = static_cast<const float*>(w.data) + panel;
        if constexpr (kType != DType::F32) {
            ensure(wide, static_cast<size_t>(kc) * kNR);
            widen_run<kType>(w.data, panel, kc * kNR, wide.data());
            src = wide.data();
        }
        const int kc4 = kc & ~3;
        for (int k = 0; k < kc4; k += 4)
            for (int j = 0; j < kNR; j += 4)   // kNR is a multiple of 4 on every target
                transpose4(src + static_cast<size_t>(k) * kNR + j, kNR, rows + static_cast<size_t>(j) * K + k0 + k, K);
        for (int k = kc4; k < kc; ++k)
            for (int j = 0; j < kNR; ++j) rows[static_cast<size_t>(j) * K + k0 + k] = src[static_cast<size_t>(k) * kNR + j];
    }
}

// R rows of A (stride K) against stored rows [n0, n0 + NB) of an out_in weight: R x NB dot products.
template <DType kType, int R, int NB>
void dot_block(const float* a, int K, const void* wdata, int n0, const float* bias, float* c, int ldc) {
    Vec acc[R][NB];
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < NB; ++j) acc[i][j] = vzero();
    // 16-bit: the stored rows kDotPrefetchRows on, at the same depth (natively; past the matrix's end a
    // prefetch is only a hint, never a fault).
    constexpr size_t kBytes = kType == DType::F32 ? 4 : 2;
    [[maybe_unused]] const uintptr_t ahead = reinterpret_cast<uintptr_t>(wdata) + (static_cast<size_t>(n0) + kDotPrefetchRows) * K * kBytes;
    int k = 0;
    for (; k + kLanes <= K; k += kLanes) {
        if constexpr (kPrefetch && kType != DType::F32)
            for (int j = 0; j < NB; ++j)
                __builtin_prefetch(reinterpret_cast<const void*>(ahead + (static_cast<size_t>(j) * K + static_cast<size_t>(k)) * kBytes), 0, 3);
        Vec b[NB];
        for (int j = 0; j < NB; ++j) b[j] = load_vec<kType>(wdata, static_cast<size_t>(n0 + j) * K + k);
        for (int i = 0; i < R; ++i) {
            const Vec x = vload(a + static_cast<size_t>(i) * K + k);
            for (int j = 0; j < NB; ++j) acc[i][j] = vmadd_any(x, b[j], acc[i][j]);
        }
    }
    float tail[R][NB] = {};
    for (; k < K; ++k)
        for (int j = 0; j < NB; ++j) {
            const float bv = load_one<kType>(wdata, static_cast<size_t>(n0 + j) * K + k);
            for (int i = 0; i < R; ++i) tail[i][j] = fmadd_one(a[static_cast<size_t>(i) * K + k], bv, tail[i][j]);
        }
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < NB; ++j)
            c[static_cast<size_t>(i) * ldc + n0 + j] = vsum(acc[i][j]) + tail[i][j] + (bias ? bias[n0 + j] : 0.0f);
}

// Columns [n_begin, n_end) of R rows against an out_in weight; n_begin is a multiple of dot_rows_block.
template <DType kType, int R>
constexpr int dot_rows_block() {
    if constexpr (kType == DType::F32 && kLanes >= 8) return kDotAccumulators;
    else return kDotAccumulators / R > 0 ? kDotAccumulators / R : 1;
}

template <DType kType, int R>
void dot_rows(const float* a, const WeightMatrix& w, const float* bias, float* c, int n_begin, int n_end) {
    const int K = w.cols, N = w.rows;
    if (gemm_is_packed_in_place(w)) {
        // The page's out_in weights hold panels: each panel's stored rows gathered back (widened) into the
        // thread's buffer, then summed as stored rows are (each column's lanes and order), so the same bits.
        thread_local std::vector<float> rows;
        ensure(rows, static_cast<size_t>(kNR) * K);
        for (int n = n_begin; n < n_end;) {
            const int n1 = std::min(n_end, n / kNR * kNR + kNR);
            gather_packed_out_in_rows<kType>(w, n, n1, rows.data());
            constexpr int NB = kLanes < 8 ? dot_rows_block<DType::F32, R>() : 1;   // as below: blocks in WASM
            int j = 0;
            for (; j + NB <= n1 - n; j += NB) dot_block<DType::F32, R, NB>(a, K, rows.data(), j, bias ? bias + n : nullptr, c + n, N);
            for (; j < n1 - n; ++j) dot_block<DType::F32, R, 1>(a, K, rows.data(), j, bias ? bias + n : nullptr, c + n, N);
            n = n1;
        }
        return;
    }
    constexpr int NB = dot_rows_block<kType, R>();
    int n0 = n_begin;
    // In WebAssembly (and the scalar build) blocks of NB stored rows first. Natively every stored row goes to
    // the loop at the end: read once, front to back, widened as it loads, and summed against every A row at
    // once, so memory is read in order. One row against GPT-2's 50257 x 768 LM head took 6.9-7.1 ms in f32
    // and 4.0-4.2 in f16 this way in bench_gemm, against 7.1-7.3 and 5.5-5.9 as blocks of 16 stored rows read
    // side by side (16 streams 3 KB apart; a loop over the model's file: 8.6 against 10-18 ms). Each column's
    // sum keeps its lanes and order, so the bits are the same.
    if constexpr (kType == DType::F16 && kWidenF16Runs) {
        // NB stored rows (one run of NB x K halves) widened into the thread's buffer, then summed as f32:
        // the same values in the same order as widening each vector as it loads, so the same bits.
        thread_local std::vector<float> rows;
        ensure(rows, static_cast<size_t>(NB) * K);
        for (; n0 + NB <= n_end; n0 += NB) {
            widen_run<kType>(w.data, static_cast<size_t>(n0) * K, NB * K, rows.data());
            dot_block<DType::F32, R, NB>(a, K, rows.data(), 0, bias ? bias + n0 : nullptr, c + n0, N);
        }
    } else if constexpr (kLanes < 8) {
        // SIMD128 (f32 and bf16) and the scalar build: every A row against each widened vector of the block,
        // so a value is widened once. In WebAssembly this measured faster for f32 too.
        for (; n0 + NB <= n_end; n0 += NB) dot_block<kType, R, NB>(a, K, w.data, n0, bias, c, N);
    }
    for (; n0 < n_end; ++n0) dot_block<kType, R, 1>(a, K, w.data, n0, bias, c, N);
}

// Each column's sum is its own (the same lanes and order in a block of NB or alone), so any run of
// columns gets the bits the whole product gives it.
template <DType kType, int R>
void dot_rows_split(const float* a, const WeightMatrix& w, const float* bias, float* c, int col_begin, int col_end) {
    // Packed in place, a thread takes whole panels (dot_rows gathers a panel's rows at once).
    const int block = gemm_is_packed_in_place(w) ? kNR : dot_rows_block<kType, R>();
    split_columns(col_begin, col_end, block, static_cast<double>(R) * (col_end - col_begin) * w.cols,
                  [&](int n_begin, int n_end) { dot_rows<kType, R>(a, w, bias, c, n_begin, n_end); });
}

// R rows of A against an in_out weight read in place: for each strip of kNR columns, R x kNV accumulators
// summed over the stored rows, widening as it loads. Packing would copy B once to use it once.
// Columns [n_begin, n_end); n_begin is a multiple of kNR. A weight packed in place (gemm_pack_in_place)
// holds stored row k's strip in its depth block's panel: the same values summed in the same order.
template <DType kType, int R>
void axpy_rows(const float* a, const WeightMatrix& w, const float* bias, float* c, int n_begin, int n_end) {
    const int K = w.rows, N = w.cols;
    const bool panels = gemm_is_packed_in_place(w);
    int n0 = n_begin;
    for (; n0 + kNR <= n_end; n0 += kNR) {
        Vec acc[R][kNV];
        for (int i = 0; i < R; ++i)
            for (int v = 0; v < kNV; ++v) acc[i][v] = bias ? vload(bias + n0 + v * kLanes) : vzero();
        for (int k0 = 0; k0 < K; k0 += kKC) {
            const int kc = std::min(kKC, K - k0);
            size_t at = panels ? prepacked_offset(N, k0, kc, n0) : static_cast<size_t>(k0) * N + n0;
            const size_t step = panels ? kNR : N;
            for (int k = k0; k < k0 + kc; ++k, at += step) {
                Vec b[kNV];
                for (int v = 0; v < kNV; ++v) b[v] = load_vec<kType>(w.data, at + v * kLanes);
                for (int i = 0; i < R; ++i) {
                    const Vec x = vset1(a[static_cast<size_t>(i) * K + k]);
                    for (int v = 0; v < kNV; ++v) acc[i][v] = vmadd_any(x, b[v], acc[i][v]);
                }
            }
        }
        for (int i = 0; i < R; ++i)
            for (int v = 0; v < kNV; ++v) vstore(c + static_cast<size_t>(i) * N + n0 + v * kLanes, acc[i][v]);
    }
    for (; n0 < n_end; ++n0)  // fewer than kNR columns left (the end of the weight, or of a run of columns)
        for (int i = 0; i < R; ++i) {
            float acc = bias ? bias[n0] : 0.0f;
            for (int k = 0; k < K; ++k) {
                const size_t at = panels ? panel_index(N, K, k, n0) : static_cast<size_t>(k) * N + n0;
                acc = fmadd_one(a[static_cast<size_t>(i) * K + k], load_one<kType>(w.data, at), acc);
            }
            c[static_cast<size_t>(i) * N + n0] = acc;
        }
}

template <DType kType, int R>
void axpy_rows_split(const float* a, const WeightMatrix& w, const float* bias, float* c, int col_begin, int col_end) {
    split_columns(col_begin, col_end, kNR, static_cast<double>(R) * w.rows * (col_end - col_begin),
                  [&](int n_begin, int n_end) { axpy_rows<kType, R>(a, w, bias, c, n_begin, n_end); });
}

template <DType kType>
void gemm_typed(const float* a, int M, const WeightMatrix& w, const float* bias, float* c, int n0, int n1) {
    if (w.layout == WeightLayout::out_in && M <= kDotRows) {
        switch (M) {
            case 1: dot_rows_split<kType, 1>(a, w, bias, c, n0, n1); break;
            case 2: dot_rows_split<kType, 2>(a, w, bias, c, n0, n1); break;
            case 3: dot_rows_split<kType, 3>(a, w, bias, c, n0, n1); break;
            default: dot_rows_split<kType, 4>(a, w, bias, c, n0, n1); break;
        }
        return;
    }
    if (w.layout == WeightLayout::in_out && M <= kAxpyRows) {
        switch (M) {
            case 1: axpy_rows_split<kType, 1>(a, w, bias, c, n0, n1); break;
            case 2: axpy_rows_split<kType, 2>(a, w, bias, c, n0, n1); break;
            case 3: axpy_rows_split<kType, 3>(a, w, bias, c, n0, n1); break;
            default: axpy_rows_split<kType, 4>(a, w, bias, c, n0, n1); break;
        }
        return;
    }
    gemm_packed<kType>(a, M, w, bias, c, n0, n1);
}

// Panel [kc][kNR] of stored elements (float or 16-bit bits, as stored), zero past nr.
template <class Elem>
void pack_stored_panel(const WeightMatrix& w, int k0, int kc, int n0, int nr, Elem* dst) {
    const Elem* src = static_cast<const Elem*>(w.data);
    std::fill(dst, dst + static_cast<size_t>(kc) * kNR, Elem(0));
    if (w.layout == WeightLayout::in_out) {
        for (int k = 0; k < kc; ++k)
            std::memcpy(dst + static_cast<size_t>(k) * kNR, src + static_cast<size_t>(k0 + k) * w.cols + n0, nr * sizeof(Elem));
    } else {
        for (int j = 0; j < nr; ++j) {
            const Elem* row = src + static_cast<size_t>(n0 + j) * w.cols + k0;
            for (int k = 0; k < kc; ++k) dst[static_cast<size_t>(k) * kNR + j] = row[k];
        }
    }
}

template <class Elem>
void pack_stored(const WeightMatrix& w, Elem* dst) {
    const int K = w.n_in(), N = w.n_out();
    for (int k0 = 0; k0 < K; k0 += kKC) {
        const int kc = std::min(kKC, K - k0);
        for (int n0 = 0; n0 < N; n0 += kNR)
            pack_stored_panel(w, k0, kc, n0, std::min(kNR, N - n0), dst + prepacked_offset(N, k0, kc, n0));
    }
}

// An in_out weight (K x N, N a multiple of kNR) between its stored rows and gemm_pack's panels, in place:
// depth block k0's panels fill exactly the bytes of its kc stored rows, so each block is copied out once
// (kKC rows: 3 MB for a 3072-wide f32 matrix in the page) and written back in the other order. The first
// block is the largest, so the copy's one allocation (which may throw) comes before any byte is written.
template <class Elem>
void permute_depth_blocks(Elem* data, int K, int N, bool to_panels) {
    std::vector<Elem> block;
    for (int k0 = 0; k0 < K; k0 += kKC) {
        const int kc = std::min(kKC, K - k0);
        Elem* at = data + static_cast<size_t>(k0) * N;
        block.assign(at, at + static_cast<size_t>(kc) * N);
        for (int n0 = 0; n0 < N; n0 += kNR)
            for (int k = 0; k < kc; ++k) {
                const size_t stored = static_cast<size_t>(k) * N + n0, panel = static_cast<size_t>(n0) * kc + static_cast<size_t>(k) * kNR;
                if (to_panels) std::memcpy(at + panel, block.data() + stored, kNR * sizeof(Elem));
                else std::memcpy(at + stored, block.data() + panel, kNR * sizeof(Elem));
            }
    }
}

// An out_in weight (N x K stored, N a multiple of kNR) between its stored rows and gemm_pack's panels, in
// place. A panel takes a strip of kNR stored rows across a depth block, so no depth block's panels lie
// where its values are stored (as an in_out weight's do): the whole matrix is copied out once (its one
// allocation, before any byte is written; gemm_can_pack_in_place bounds its size) and written back in the
// other order.
template <class Elem>
void permute_out_in(Elem* data, int N, int K, bool to_panels) {
    const std::vector<Elem> copy(data, data + static_cast<size_t>(N) * K);
    for (int k0 = 0; k0 < K; k0 += kKC) {
        const int kc = std::min(kKC, K - k0);
        for (int n0 = 0; n0 < N; n0 += kNR) {
            const size_t panel = prepacked_offset(N, k0, kc, n0);
            for (int j = 0; j < kNR; ++j) {
                const size_t stored = static_cast<size_t>(n0 + j) * K + k0;
                for (int k = 0; k < kc; ++k) {
                    const size_t packed = panel + static_cast<size_t>(k) * kNR + j;
                    if (to_panels) data[packed] = copy[stored + k];
                    else data[stored + k] = copy[packed];
                }
            }
        }
    }
}

template <class Elem>
void permute_in_place(const WeightMatrix& w, bool to_panels) {
    Elem* data = static_cast<Elem*>(const_cast<void*>(w.data));
    if (w.layout == WeightLayout::in_out) permute_depth_blocks(data, w.rows, w.cols, to_panels);
    else permute_out_in(data, w.rows, w.cols, to_panels);
}

// Stored row `row` of an in_out weight packed in place: a run of kNR values in each panel of its depth block.
void packed_in_out_row(const WeightMatrix& w, int row, float* out) {
    const int K = w.rows, N = w.cols;
    const int k0 = row / kKC * kKC, kc = std::min(kKC, K - k0);
    for (int n0 = 0; n0 < N; n0 += kNR) {
        const size_t at = prepacked_offset(N, k0, kc, n0) + static_cast<size_t>(row - k0) * kNR;
        widen_to_f32(w.dtype, static_cast<const uint8_t*>(w.data) + at * dtype_size(w.dtype), kNR, out + n0);
    }
}

float stored_value(const WeightMatrix& w, size_t i) {
    const uint16_t* h = static_cast<const uint16_t*>(w.data);
    switch (w.dtype) {
        case DType::F32: return static_cast<const float*>(w.data)[i];
        case DType::F16: return f16_to_f32(h[i]);
        default: return bf16_to_f32(h[i]);
    }
}

void check_dtype(const WeightMatrix& w) {
    if (w.dtype != DType::F32 && w.dtype != DType::F16 && w.dtype != DType::BF16)
        throw std::invalid_argument(std::string("gemm: weights must be F32, F16 or BF16, not ") + dtype_name(w.dtype));
}

}  // namespace

void gemm(const float* a, int M, const WeightMatrix& b, const float* bias, float* c) {
    gemm_columns(a, M, b, bias, c, 0, b.n_out());
}

void gemm_columns(const float* a, int M, const WeightMatrix& b, const float* bias, float* c, int n_begin, int n_end) {
    check_dtype(b);
    const int K = b.n_in(), N = b.n_out();
    if (n_begin % kNR != 0 || n_begin < 0 || n_end > N)
        throw std::invalid_argument("gemm_columns: columns [" + std::to_string(n_begin) + ", " + std::to_string(n_end) +
                                    ") do not start on a block of " + std::to_string(kNR) + " inside " + std::to_string(N));
    if (M <= 0 || n_end <= n_begin) return;
    if (K <= 0) {
        for (int i = 0; i < M; ++i)
            for (int j = n_begin; j < n_end; ++j) c[static_cast<size_t>(i) * N + j] = bias ? bias[j] : 0.0f;
        return;
    }
    switch (b.dtype) {
        case DType::F32: gemm_typed<DType::F32>(a, M, b, bias, c, n_begin, n_end); break;
        case DType::F16: gemm_typed<DType::F16>(a, M, b, bias, c, n_begin, n_end); break;
        default: gemm_typed<DType::BF16>(a, M, b, bias, c, n_begin, n_end); break;
    }
}

int gemm_column_block() { return kNR; }
int gemm_depth_block() { return kKC; }

size_t gemm_pack_size(const WeightMatrix& w) {
    return prepacked_offset(w.n_out(), std::max(0, w.n_in()), 0, 0);   // where a depth block past the last would start
}

void gemm_pack(const WeightMatrix& w, void* dst) {
    check_dtype(w);
    if (gemm_is_packed_in_place(w)) std::memcpy(dst, w.data, gemm_pack_size(w) * dtype_size(w.dtype));
    else if (w.dtype == DType::F32) pack_stored(w, static_cast<float*>(dst));
    else pack_stored(w, static_cast<uint16_t*>(dst));
}

bool gemm_can_pack_in_place(const WeightMatrix& w) {
    const bool dtype = w.dtype == DType::F32 || w.dtype == DType::F16 || w.dtype == DType::BF16;
    const size_t bytes = static_cast<size_t>(w.rows) * w.cols * dtype_size(w.dtype);
    // out_in: the whole matrix is copied while it is permuted (permute_out_in), and the page's memory never
    // shrinks back: only a matrix of at most kOutInInPlaceBytes.
    const bool room = w.layout == WeightLayout::in_out || bytes <= kOutInInPlaceBytes;
    return w.rows > 0 && w.cols > 0 && w.n_out() % kNR == 0 && dtype && room;
}

bool gemm_is_packed_in_place(const WeightMatrix& w) { return w.packed != nullptr && w.packed == w.data; }

void gemm_pack_in_place(WeightMatrix& w) {
    if (gemm_is_packed_in_place(w)) return;
    if (!gemm_can_pack_in_place(w))
        throw std::invalid_argument("gemm_pack_in_place: only a weight of a whole number of " + std::to_string(kNR) +
                                    "-column panels (out_in: of at most " + std::to_string(kOutInInPlaceBytes >> 20) +
                                    " MiB) fills its own bytes with its panels");
    if (w.dtype == DType::F32) permute_in_place<float>(w, true);
    else permute_in_place<uint16_t>(w, true);
    w.packed = w.data;
}

void gemm_unpack_in_place(WeightMatrix& w) {
    if (!gemm_is_packed_in_place(w)) return;
    if (w.dtype == DType::F32) permute_in_place<float>(w, false);
    else permute_in_place<uint16_t>(w, false);
    w.packed = nullptr;
}

void gemm_packed_rows(const WeightMatrix& w, int r0, int n, float* out) {
    if (w.layout == WeightLayout::out_in) {   // output features: columns of their panels in every depth block
        for (int r = r0; r < r0 + n;) {   // a panel's share of the rows at a time (a whole one by transposes)
            const int r1 = std::min(r0 + n, r / kNR * kNR + kNR);
            float* to = out + static_cast<size_t>(r - r0) * w.cols;
            switch (w.dtype) {
                case DType::F32: gather_packed_out_in_rows<DType::F32>(w, r, r1, to); break;
                case DType::F16: gather_packed_out_in_rows<DType::F16>(w, r, r1, to); break;
                default: gather_packed_out_in_rows<DType::BF16>(w, r, r1, to); break;
            }
            r = r1;
        }
        return;
    }
    for (int r = r0; r < r0 + n; ++r) packed_in_out_row(w, r, out + static_cast<size_t>(r - r0) * w.cols);
}

void gemm_reference(const float* a, int M, const WeightMatrix& b, const float* bias, float* c) {
    check_dtype(b);
    const int K = b.n_in(), N = b.n_out();
    const bool panels = gemm_is_packed_in_place(b);
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            double acc = bias ? bias[j] : 0.0;
            for (int k = 0; k < K; ++k) {
                const size_t at = panels ? panel_index(N, K, k, j)
                                  : b.layout == WeightLayout::in_out ? static_cast<size_t>(k) * N + j
                                                                     : static_cast<size_t>(j) * K + k;
                acc += static_cast<double>(a[static_cast<size_t>(i) * K + k]) * stored_value(b, at);
            }
            c[static_cast<size_t>(i) * N + j] = static_cast<float>(acc);
        }
}

}  // namespace attn
