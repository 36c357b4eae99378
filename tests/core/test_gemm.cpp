// gemm (the packed SIMD kernel and the few-rows kernels, M <= 4) against gemm_reference on every combination of
// M, N and K below, both layouts, F32/F16/BF16 weights, with and without bias; and the SIMD widening
// against dtype.h's scalar conversions on every 16-bit pattern.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/gemm.h"
#include "core/linear.h"
#include "same_floats.h"
#include "thread_count_guard.h"

using namespace attn;

namespace {

std::vector<uint16_t> narrowed(const std::vector<float>& w, DType dtype) {
    std::vector<uint16_t> out(w.size());
    for (size_t i = 0; i < w.size(); ++i) out[i] = dtype == DType::F16 ? f32_to_f16(w[i]) : f32_to_bf16(w[i]);
    return out;
}

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

}  // namespace

TEST_CASE("gemm equals gemm_reference on odd shapes, both layouts, every dtype, with and without bias") {
    std::mt19937 rng(13);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int Ms[] = {1, 2, 3, 4, 5, 17, 128}, Ns[] = {1, 7, 32, 33, 769}, Ks[] = {1, 3, 64, 80, 768, 1023};
    int checked = 0;
    for (int K : Ks)
        for (int N : Ns) {
            // One weight per (K, N), stored (K, N) for in_out and its transpose (N, K) for out_in.
            std::vector<float> w_in_out(static_cast<size_t>(K) * N), w_out_in(w_in_out.size()), bias(N);
            for (float& v : w_in_out) v = normal(rng);
            for (int k = 0; k < K; ++k)
                for (int n = 0; n < N; ++n) w_out_in[static_cast<size_t>(n) * K + k] = w_in_out[static_cast<size_t>(k) * N + n];
            for (float& v : bias) v = normal(rng);
            for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
                std::vector<uint16_t> h_in_out, h_out_in;
                if (dtype != DType::F32) h_in_out = narrowed(w_in_out, dtype), h_out_in = narrowed(w_out_in, dtype);
                const void* in_out = dtype == DType::F32 ? static_cast<const void*>(w_in_out.data()) : h_in_out.data();
                const void* out_in = dtype == DType::F32 ? static_cast<const void*>(w_out_in.data()) : h_out_in.data();
                const WeightMatrix layouts[] = {{dtype, K, N, in_out, WeightLayout::in_out},
                                                {dtype, N, K, out_in, WeightLayout::out_in}};
                // The stored values as f32 (in_out order), for the error bound.
                std::vector<float> stored(w_in_out.size());
                for (size_t i = 0; i < stored.size(); ++i)
                    stored[i] = dtype == DType::F32 ? w_in_out[i] : dtype == DType::F16 ? f16_to_f32(h_in_out[i]) : bf16_to_f32(h_in_out[i]);
                for (int M : Ms) {
                    std::vector<float> a(static_cast<size_t>(M) * K);
                    for (float& v : a) v = normal(rng);
                    // Reference once per shape and dtype (in_out); the out_in reference must agree exactly.
                    std::vector<float> expected(static_cast<size_t>(M) * N), magnitude(expected.size());
                    gemm_reference(a.data(), M, layouts[0], nullptr, expected.data());
                    if (M * N * K <= 100000) {
                        std::vector<float> other(expected.size());
                        gemm_reference(a.data(), M, layouts[1], nullptr, other.data());
                        REQUIRE(other == expected);
                    }
                    for (int i = 0; i < M; ++i)
                        for (int k = 0; k < K; ++k) {
                            const float x = std::fabs(a[static_cast<size_t>(i) * K + k]);
                            for (int n = 0; n < N; ++n)
                                magnitude[static_cast<size_t>(i) * N + n] += x * std::fabs(stored[static_cast<size_t>(k) * N + n]);
                        }
                    for (const WeightMatrix& w : layouts)
                        for (bool with_bias : {false, true}) {
                            std::vector<float> c(expected.size(), NAN);
                            gemm(a.data(), M, w, with_bias ? bias.data() : nullptr, c.data());
                            // Any order of float sums is within (K + 1) u of sum |a b| (+ |bias|); a missing or
                            // doubled term is about 1/K of it, far outside.
                            const double u = std::ldexp(1.0, -24);
                            int bad = 0;
                            for (int i = 0; i < M; ++i)
                                for (int n = 0; n < N; ++n) {
                                    const size_t at = static_cast<size_t>(i) * N + n;
                                    const double want = expected[at] + (with_bias ? static_cast<double>(bias[n]) : 0.0);
                                    const double scale = magnitude[at] + (with_bias ? std::fabs(bias[n]) : 0.0f);
                                    if (!(std::fabs(c[at] - want) <= (K + 3) * u * scale + 1e-30)) ++bad;
                                }
                            INFO("gemm M=" << M << " N=" << N << " K=" << K << " " << std::string(dtype_name(dtype))
                                           << (w.layout == WeightLayout::in_out ? " in_out" : " out_in")
                                           << (with_bias ? " bias" : " no bias"));
                            CHECK(bad == 0);
                            ++checked;
                        }
                }
            }
        }
    CHECK(checked == 7 * 5 * 6 * 3 * 2 * 2);
}

// WebAssembly widens f16 blocks in four steps that are exact for finite halves only and widens a block
// holding an infinity or NaN again (core/dtype.cpp): every kernel (packed in place, few rows, both layouts)
// must still give the reference's infinities, NaN and subnormal products.
TEST_CASE("f16 weights with infinities, NaN and subnormals: every kernel gives the reference's values") {
    std::mt19937 rng(53);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int K = 300, N = 2 * gemm_column_block();
    std::vector<float> w(static_cast<size_t>(K) * N);   // in_out: w[k * N + n]
    for (float& v : w) v = normal(rng) * 0.05f;
    for (int k = 0; k < K; ++k) {
        w[static_cast<size_t>(k) * N + 2] = (k % 2 ? 1.0f : -1.0f) * 3e-6f * (1 + k % 5);   // a column of subnormal halves
        w[static_cast<size_t>(k) * N + 4] = k % 3 ? -0.0f : 0.0f;
    }
    w[static_cast<size_t>(17) * N + 1] = INFINITY;
    w[static_cast<size_t>(200) * N + 3] = -INFINITY;
    w[static_cast<size_t>(5) * N + 6] = NAN;
    w[static_cast<size_t>(299) * N + N - 1] = INFINITY;
    std::vector<uint16_t> in_out = narrowed(w, DType::F16), out_in(in_out.size());
    for (int k = 0; k < K; ++k) {   // column 2 really holds subnormal halves: exponent 0, mantissa not
        const uint16_t h = in_out[static_cast<size_t>(k) * N + 2];
        REQUIRE((h & 0x7c00) == 0);
        REQUIRE((h & 0x03ff) != 0);
    }
    for (int k = 0; k < K; ++k)
        for (int n = 0; n < N; ++n) out_in[static_cast<size_t>(n) * K + k] = in_out[static_cast<size_t>(k) * N + n];
    std::vector<uint16_t> packed = in_out;
    WeightMatrix in_place{DType::F16, K, N, packed.data(), WeightLayout::in_out};
    gemm_pack_in_place(in_place);
    const WeightMatrix stored{DType::F16, K, N, in_out.data(), WeightLayout::in_out};
    const WeightMatrix layouts[] = {stored, in_place, {DType::F16, N, K, out_in.data(), WeightLayout::out_in}};
    int checked = 0;
    for (int M : {1, 3, 4, 128}) {
        std::vector<float> a(static_cast<size_t>(M) * K);
        for (float& v : a) v = normal(rng);
        std::vector<float> want(static_cast<size_t>(M) * N), magnitude(want.size());
        gemm_reference(a.data(), M, stored, nullptr, want.data());
        for (int i = 0; i < M; ++i)
            for (int k = 0; k < K; ++k)
                for (int n = 0; n < N; ++n)
                    magnitude[static_cast<size_t>(i) * N + n] +=
                        std::fabs(a[static_cast<size_t>(i) * K + k] * f16_to_f32(in_out[static_cast<size_t>(k) * N + n]));
        for (size_t l = 0; l < std::size(layouts); ++l) {
            std::vector<float> got(want.size(), 7.0f);
            gemm(a.data(), M, layouts[l], nullptr, got.data());
            int bad = 0, nonfinite = 0;
            for (size_t at = 0; at < want.size(); ++at) {
                if (std::isnan(want[at]) || std::isinf(want[at])) {
                    ++nonfinite;
                    if (std::isnan(want[at]) ? !std::isnan(got[at]) : got[at] != want[at]) ++bad;
                } else if (!(std::fabs(got[at] - want[at]) <= (K + 3) * std::ldexp(1.0, -24) * magnitude[at] + 1e-37)) {
                    ++bad;
                }
            }
            INFO("M=" << M << " layout " << l);
            CHECK(nonfinite == 4 * M);
            CHECK(bad == 0);
            ++checked;
        }
    }
    CHECK(checked == 4 * 3);
}

// More rows than one pass over a chunk of B takes (kMC), more columns than one chunk (kChunkCols) and more
// depth than one pass (kKC): A is packed once per depth block and each row block starts at its own
// micro-panel, whatever kMR is, and the passes after the first add to C.
TEST_CASE("gemm past one block of rows, one chunk of columns and one depth block equals gemm_reference (M = 300, 517; N = 600)") {
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int K = gemm_depth_block() + 44, N = 600;
    std::vector<float> w(static_cast<size_t>(K) * N), w_t(w.size());
    for (float& v : w) v = normal(rng);
    for (int k = 0; k < K; ++k)
        for (int n = 0; n < N; ++n) w_t[static_cast<size_t>(n) * K + k] = w[static_cast<size_t>(k) * N + n];
    for (int M : {300, 517}) {
        std::vector<float> a(static_cast<size_t>(M) * K);
        for (float& v : a) v = normal(rng);
        const WeightMatrix in_out{DType::F32, K, N, w.data(), WeightLayout::in_out};
        const WeightMatrix out_in{DType::F32, N, K, w_t.data(), WeightLayout::out_in};
        std::vector<float> expected(static_cast<size_t>(M) * N), magnitude(expected.size());
        gemm_reference(a.data(), M, in_out, nullptr, expected.data());
        for (int i = 0; i < M; ++i)
            for (int k = 0; k < K; ++k)
                for (int n = 0; n < N; ++n)
                    magnitude[static_cast<size_t>(i) * N + n] +=
                        std::fabs(a[static_cast<size_t>(i) * K + k] * w[static_cast<size_t>(k) * N + n]);
        for (const WeightMatrix& m : {in_out, out_in}) {
            std::vector<float> c(expected.size(), NAN);
            gemm(a.data(), M, m, nullptr, c.data());
            int bad = 0;
            for (size_t i = 0; i < c.size(); ++i)
                if (!(std::fabs(c[i] - expected[i]) <= (K + 3) * std::ldexp(1.0, -24) * magnitude[i] + 1e-30)) ++bad;
            INFO("M=" << M << (m.layout == WeightLayout::in_out ? " in_out" : " out_in"));
            CHECK(bad == 0);
        }
    }
}

TEST_CASE("gemm with K = 0 writes the bias (or zeros), and rejects integer weights") {
    const float bias[3] = {1.0f, -2.0f, 0.5f};
    float c[6] = {7, 7, 7, 7, 7, 7};
    gemm(nullptr, 2, WeightMatrix{DType::F32, 0, 3, nullptr, WeightLayout::in_out}, bias, c);
    CHECK(c[4] == -2.0f);
    gemm(nullptr, 2, WeightMatrix{DType::F32, 3, 0, nullptr, WeightLayout::out_in}, nullptr, c);
    CHECK(c[5] == 0.0f);
    const int32_t ints[1] = {1};
    const float x[1] = {1.0f};
    CHECK_THROWS(gemm(x, 1, WeightMatrix{DType::I32, 1, 1, ints, WeightLayout::out_in}, nullptr, c));
}

TEST_CASE("widen_to_f32 gives dtype.h's exact conversion for every 16-bit pattern, at any offset and length") {
    std::vector<uint16_t> all(65536 + 7);
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
    for (DType dtype : {DType::F16, DType::BF16}) {
        for (size_t offset : {0, 1, 3}) {
            const size_t n = 65536 + 4 - offset;
            std::vector<float> wide(n);
            widen_to_f32(dtype, all.data() + offset, n, wide.data());
            int bad = 0;
            for (size_t i = 0; i < n; ++i) {
                const uint16_t h = all[offset + i];
                const float want = dtype == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
                // F16C quiets a signalling NaN (sets the top mantissa bit); everything else is bit-exact.
                const uint32_t quiet = std::isnan(want) ? 0x00400000u : 0u;
                if ((bits(wide[i]) | quiet) != (bits(want) | quiet)) ++bad;
            }
            INFO(std::string(dtype_name(dtype)) << " offset " << offset);
            CHECK(bad == 0);
        }
    }
    const float f[5] = {1.0f, -0.0f, INFINITY, 3.5f, -1e-40f};
    float out[5];
    widen_to_f32(DType::F32, f, 5, out);
    CHECK(std::memcmp(f, out, sizeof f) == 0);
}

TEST_CASE("gemm gives the same bits at 1, 2 and 3 threads (f32, f16; in_out, out_in; M = 1, 3, 128)") {
    ThreadCountGuard guard;
    std::mt19937 rng(29);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    // N: column panels and dot blocks that split evenly and not; K: with and without a SIMD tail. Every
    // product is split (threshold 0) but one, which is large enough to split at the default threshold.
    struct Shape { int N, K; long min_work; };
    const Shape shapes[] = {{96, 64, 0}, {1003, 67, 0}, {50, 1, 0}, {769, 768, -1}};
    int compared = 0;
    for (const Shape& s : shapes)
        for (DType dtype : {DType::F32, DType::F16})
            for (WeightLayout layout : {WeightLayout::in_out, WeightLayout::out_in})
                for (int M : {1, 3, 128}) {
                    std::vector<float> w(static_cast<size_t>(s.K) * s.N), bias(s.N), a(static_cast<size_t>(M) * s.K);
                    for (float& v : w) v = normal(rng);
                    for (float& v : bias) v = normal(rng);
                    for (float& v : a) v = normal(rng);
                    const std::vector<uint16_t> h = narrowed(w, DType::F16);
                    const void* data = dtype == DType::F32 ? static_cast<const void*>(w.data()) : h.data();
                    const WeightMatrix wm = layout == WeightLayout::in_out ? WeightMatrix{dtype, s.K, s.N, data, layout}
                                                                           : WeightMatrix{dtype, s.N, s.K, data, layout};
                    set_parallel_min_work(s.min_work < 0 ? guard.min_work : s.min_work);
                    std::vector<float> one(static_cast<size_t>(M) * s.N, NAN);
                    set_thread_count_for_tests(1);
                    gemm(a.data(), M, wm, bias.data(), one.data());
                    for (int threads : {2, 3}) {
                        set_thread_count_for_tests(threads);
                        std::vector<float> c(one.size(), NAN);
                        gemm(a.data(), M, wm, bias.data(), c.data());
                        INFO("gemm M=" << M << " N=" << s.N << " K=" << s.K << " " << std::string(dtype_name(dtype))
                                       << (layout == WeightLayout::in_out ? " in_out" : " out_in") << " threads=" << threads);
                        CHECK(std::memcmp(c.data(), one.data(), c.size() * sizeof(float)) == 0);
                        ++compared;
                    }
                }
    CHECK(compared == 4 * 2 * 2 * 3 * 2);
}

// Panels from gemm_pack, read through WeightMatrix::packed: the bits of packing per call, for products
// of more than 4 rows (fewer read the stored weight, packed or not). Shapes straddle the depth block (1024
// with AVX-512, else 256), the column panel (48 with AVX-512, 16 with AVX2, 8 in WebAssembly) and the row
// block (256).
TEST_CASE("gemm over gemm_pack's panels gives the bits of packing per call (every dtype, both layouts, odd shapes, 1 and 2 threads)") {
    ThreadCountGuard guard;
    set_parallel_min_work(0);
    std::mt19937 rng(31);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int D = gemm_depth_block();
    const int Ms[] = {1, 4, 5, 17, 300}, Ns[] = {1, 7, 47, 48, 49, 97}, Ks[] = {1, 3, D - 1, D, D + 1, D + 444};
    int compared = 0;
    for (int K : Ks)
        for (int N : Ns)
            for (DType dtype : {DType::F32, DType::F16, DType::BF16})
                for (WeightLayout layout : {WeightLayout::in_out, WeightLayout::out_in}) {
                    std::vector<float> w(static_cast<size_t>(K) * N), bias(N);
                    for (float& v : w) v = normal(rng);
                    for (float& v : bias) v = normal(rng);
                    const std::vector<uint16_t> h = dtype == DType::F32 ? std::vector<uint16_t>() : narrowed(w, dtype);
                    const void* data = dtype == DType::F32 ? static_cast<const void*>(w.data()) : h.data();
                    WeightMatrix plain = layout == WeightLayout::in_out ? WeightMatrix{dtype, K, N, data, layout}
                                                                        : WeightMatrix{dtype, N, K, data, layout};
                    std::vector<float> panels(gemm_pack_size(plain) * dtype_size(dtype) / sizeof(float) + 1, NAN);
                    gemm_pack(plain, panels.data());
                    WeightMatrix packed = plain;
                    packed.packed = panels.data();
                    for (int M : Ms) {
                        std::vector<float> a(static_cast<size_t>(M) * K);
                        for (float& v : a) v = normal(rng);
                        for (int threads : {1, 2}) {
                            set_thread_count_for_tests(threads);
                            std::vector<float> want(static_cast<size_t>(M) * N, NAN), got(want.size(), NAN);
                            gemm(a.data(), M, plain, bias.data(), want.data());
                            gemm(a.data(), M, packed, bias.data(), got.data());
                            INFO("M=" << M << " N=" << N << " K=" << K << " " << std::string(dtype_name(dtype))
                                      << (layout == WeightLayout::in_out ? " in_out" : " out_in") << " threads=" << threads);
                            CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
                            ++compared;
                        }
                    }
                }
    CHECK(compared == 6 * 6 * 3 * 2 * 5 * 2);
}

TEST_CASE("gemm reads a packed weight's panels, not its stored values, past 4 rows") {
    // Two weights of one shape; the first pointed at the second's panels multiplies like the second.
    std::mt19937 rng(37);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int M = 9, K = 300, N = 50;
    std::vector<float> w1(static_cast<size_t>(K) * N), w2(w1.size()), a(static_cast<size_t>(M) * K);
    for (float& v : w1) v = normal(rng);
    for (float& v : w2) v = normal(rng);
    for (float& v : a) v = normal(rng);
    const WeightMatrix m1{DType::F32, K, N, w1.data(), WeightLayout::in_out}, m2{DType::F32, K, N, w2.data(), WeightLayout::in_out};
    std::vector<float> panels2(gemm_pack_size(m2));
    gemm_pack(m2, panels2.data());
    WeightMatrix crossed = m1;
    crossed.packed = panels2.data();
    std::vector<float> by_crossed(static_cast<size_t>(M) * N), by_m2(by_crossed.size()), by_m1(by_crossed.size());
    gemm(a.data(), M, crossed, nullptr, by_crossed.data());
    gemm(a.data(), M, m2, nullptr, by_m2.data());
    gemm(a.data(), M, m1, nullptr, by_m1.data());
    CHECK(by_crossed == by_m2);
    CHECK(by_crossed != by_m1);
    // 4 rows read the stored values in place: the first weight's.
    std::vector<float> four(static_cast<size_t>(4) * N), four_m1(four.size());
    gemm(a.data(), 4, crossed, nullptr, four.data());
    gemm(a.data(), 4, m1, nullptr, four_m1.data());
    CHECK(four == four_m1);
}

TEST_CASE("gemm_pack_in_place: gemm_pack's panels in the weight's own bytes, in_out and out_in; every product, row and column run keeps its bits; unpacking restores the bytes") {
    ThreadCountGuard guard;
    set_parallel_min_work(0);
    std::mt19937 rng(41);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int block = gemm_column_block();
    const int D = gemm_depth_block();
    const int Ms[] = {1, 2, 3, 4, 5, 17, 130}, Ks[] = {1, 3, D - 1, D, D + 1, D + 444};
    // The widest: more than a chunk of columns (kChunkCols, at most 256) on every target.
    const int Ns[] = {block, 2 * block, (256 / block + 5) * block};
    int compared = 0;
    for (WeightLayout layout : {WeightLayout::in_out, WeightLayout::out_in})
    for (int K : Ks)
        for (int N : Ns)
            for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
                const bool in_out = layout == WeightLayout::in_out;
                INFO("N=" << N << " K=" << K << " " << std::string(dtype_name(dtype)) << (in_out ? " in_out" : " out_in"));
                std::vector<float> w(static_cast<size_t>(K) * N), bias(N);
                for (float& v : w) v = normal(rng);
                for (float& v : bias) v = normal(rng);
                std::vector<uint16_t> h = dtype == DType::F32 ? std::vector<uint16_t>() : narrowed(w, dtype);
                void* data = dtype == DType::F32 ? static_cast<void*>(w.data()) : h.data();
                const size_t bytes = static_cast<size_t>(K) * N * dtype_size(dtype);
                const std::vector<uint8_t> stored(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + bytes);
                // What the products and rows give over the stored bytes, before packing.
                WeightMatrix m = in_out ? WeightMatrix{dtype, K, N, data, layout} : WeightMatrix{dtype, N, K, data, layout};
                const int stored_rows = m.rows, stored_cols = m.cols;
                REQUIRE(gemm_can_pack_in_place(m));
                REQUIRE(gemm_pack_size(m) * dtype_size(dtype) == bytes);
                std::vector<float> panels(bytes / sizeof(float) + 1);
                gemm_pack(m, panels.data());
                std::vector<std::vector<float>> a_of, want_of;
                for (int M : Ms) {
                    a_of.emplace_back(static_cast<size_t>(M) * K);
                    for (float& v : a_of.back()) v = normal(rng);
                    want_of.emplace_back(static_cast<size_t>(M) * N);
                    gemm(a_of.back().data(), M, m, bias.data(), want_of.back().data());
                }
                std::vector<float> rows(static_cast<size_t>(K) * N);
                for (int r = 0; r < stored_rows; ++r) weight_row_f32(m, r, rows.data() + static_cast<size_t>(r) * stored_cols);
                // Runs of columns ending inside a panel (the few-rows kernel's scalar tail, and the packed
                // product's partial panel), for 3 and 5 rows: columns [0, N - 1), the last left alone.
                auto partial_runs = [&] {
                    std::vector<std::vector<float>> out;
                    for (int i : {2, 4}) {
                        out.emplace_back(a_of[i].size() / K * N, -1.0f);
                        gemm_columns(a_of[i].data(), Ms[i], m, bias.data(), out.back().data(), 0, N - 1);
                    }
                    return out;
                };
                const auto partial_stored = partial_runs();

                gemm_pack_in_place(m);
                CHECK(gemm_is_packed_in_place(m));
                CHECK(m.data == data);
                CHECK(std::memcmp(data, panels.data(), bytes) == 0);   // gemm_pack's panels, byte for byte
                if (K > 1 && N > block) CHECK(std::memcmp(data, stored.data(), bytes) != 0);
                for (size_t i = 0; i < std::size(Ms); ++i)
                    for (int threads : {1, 2}) {
                        set_thread_count_for_tests(threads);
                        const int M = Ms[i];
                        std::vector<float> got(static_cast<size_t>(M) * N, NAN);
                        gemm(a_of[i].data(), M, m, bias.data(), got.data());
                        CAPTURE(M);
                        CAPTURE(threads);
                        CHECK(same_floats(got, want_of[i]));
                        ++compared;
                    }
                // A run of columns (a stepped trace's) and the reference read the panels too: the packed
                // product (5 rows) and the few-rows kernel (3), from a panel past the first.
                const int M = 5, n0 = N > block ? block : 0, n1 = N;
                for (int i_of : {2, 4}) {
                    const int rows_a = Ms[i_of];
                    std::vector<float> part(static_cast<size_t>(rows_a) * N, -1.0f);
                    gemm_columns(a_of[i_of].data(), rows_a, m, bias.data(), part.data(), n0, n1);
                    for (int i = 0; i < rows_a; ++i)
                        for (int j = 0; j < N; ++j)
                            CHECK(part[static_cast<size_t>(i) * N + j] == (j < n0 ? -1.0f : want_of[i_of][static_cast<size_t>(i) * N + j]));
                }
                const auto partial_packed = partial_runs();
                for (size_t r = 0; r < partial_stored.size(); ++r) {
                    CHECK(same_floats(partial_packed[r], partial_stored[r]));
                    for (size_t at = N - 1; at < partial_packed[r].size(); at += N) {   // past the run: left alone
                        CHECK(partial_packed[r][at] == -1.0f);
                        CHECK(partial_stored[r][at] == -1.0f);
                    }
                }
                std::vector<float> ref_packed(static_cast<size_t>(M) * N), ref_stored(ref_packed.size());
                gemm_reference(a_of[4].data(), M, m, bias.data(), ref_packed.data());
                std::vector<float> row(stored_cols);
                for (int r = 0; r < stored_rows; ++r) {   // weight_row_f32 gathers each stored row from the panels
                    weight_row_f32(m, r, row.data());
                    CHECK(std::memcmp(row.data(), rows.data() + static_cast<size_t>(r) * stored_cols, stored_cols * sizeof(float)) == 0);
                }
                // weight_rows_f32 (the backward products'), all of them and a run from inside a panel to
                // inside a later one (out_in: part panels value by value, whole ones by transposes).
                for (const auto& [r0, n] : {std::pair<int, int>{0, stored_rows}, {1, stored_rows - 2}}) {
                    if (n <= 0) continue;
                    std::vector<float> got(static_cast<size_t>(n) * stored_cols, NAN);
                    weight_rows_f32(m, r0, n, got.data());
                    CHECK(std::memcmp(got.data(), rows.data() + static_cast<size_t>(r0) * stored_cols, got.size() * sizeof(float)) == 0);
                }
                gemm_pack_in_place(m);   // twice: once
                gemm_unpack_in_place(m);
                CHECK_FALSE(gemm_is_packed_in_place(m));
                CHECK(m.packed == nullptr);
                CHECK(std::memcmp(data, stored.data(), bytes) == 0);
                gemm_reference(a_of[4].data(), M, m, bias.data(), ref_stored.data());
                CHECK(same_floats(ref_packed, ref_stored));
            }
    CHECK(compared == 2 * 6 * 3 * 3 * 7 * 2);
}

TEST_CASE("gemm_pack_in_place refuses what has no panels in its own bytes (output columns that are not whole panels) and out_in weights over 16 MiB") {
    const int block = gemm_column_block();
    std::vector<float> w(static_cast<size_t>(64) * 2 * block, 1.0f);
    WeightMatrix out_in{DType::F32, 2 * block - 1, 64, w.data(), WeightLayout::out_in};
    WeightMatrix ragged{DType::F32, 64, 2 * block - 1, w.data(), WeightLayout::in_out};
    // Only sizes are read: 4128 x 1024 floats is just over 16 MiB, 4080 x 1024 just under (both whole
    // panels of 8 and 48 columns); in_out copies a depth block at a time, so its size is never refused.
    WeightMatrix large{DType::F32, 4128, 1024, w.data(), WeightLayout::out_in};
    CHECK(gemm_can_pack_in_place(WeightMatrix{DType::F32, 4080, 1024, nullptr, WeightLayout::out_in}));
    CHECK(gemm_can_pack_in_place(WeightMatrix{DType::F32, 1024, 4128, nullptr, WeightLayout::in_out}));
    for (WeightMatrix* m : {&out_in, &ragged, &large}) {
        CHECK_FALSE(gemm_can_pack_in_place(*m));
        CHECK_THROWS_AS(gemm_pack_in_place(*m), std::invalid_argument);
        CHECK(m->packed == nullptr);
    }
    CHECK(std::all_of(w.begin(), w.end(), [](float v) { return v == 1.0f; }));
}

TEST_CASE("gemm_columns: every run of columns from a block boundary gets gemm's bits and leaves the rest alone") {
    ThreadCountGuard guard;
    set_parallel_min_work(0);
    std::mt19937 rng(47);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int B = gemm_column_block();
    const int Ns[] = {1, B - 1, B, 2 * B + 5, 5 * B + 3}, Ks[] = {3, gemm_depth_block() + 1}, Ms[] = {1, 3, 4, 5, 17};
    int compared = 0;
    for (int K : Ks)
        for (int N : Ns)
            for (DType dtype : {DType::F32, DType::F16})
                for (WeightLayout layout : {WeightLayout::in_out, WeightLayout::out_in})
                    for (bool prepack : {false, true}) {
                        std::vector<float> w(static_cast<size_t>(K) * N), bias(N);
                        for (float& v : w) v = normal(rng);
                        for (float& v : bias) v = normal(rng);
                        const std::vector<uint16_t> h = dtype == DType::F32 ? std::vector<uint16_t>() : narrowed(w, dtype);
                        const void* data = dtype == DType::F32 ? static_cast<const void*>(w.data()) : h.data();
                        WeightMatrix m = layout == WeightLayout::in_out ? WeightMatrix{dtype, K, N, data, layout}
                                                                        : WeightMatrix{dtype, N, K, data, layout};
                        std::vector<float> panels(gemm_pack_size(m) * dtype_size(dtype) / sizeof(float) + 1, NAN);
                        if (prepack) {
                            gemm_pack(m, panels.data());
                            m.packed = panels.data();
                        }
                        for (int M : Ms)
                            for (int threads : {1, 2}) {
                                set_thread_count_for_tests(threads);
                                std::vector<float> a(static_cast<size_t>(M) * K);
                                for (float& v : a) v = normal(rng);
                                std::vector<float> want(static_cast<size_t>(M) * N, NAN);
                                gemm(a.data(), M, m, bias.data(), want.data());
                                // The columns in runs of one block, then of two, then [B, N) alone: each run
                                // writes its own columns only (the sentinel stays in the others).
                                for (int run : {B, 2 * B}) {
                                    std::vector<float> got(want.size(), NAN);
                                    for (int n0 = 0; n0 < N; n0 += run) gemm_columns(a.data(), M, m, bias.data(), got.data(), n0, std::min(N, n0 + run));
                                    INFO("M=" << M << " N=" << N << " K=" << K << " run=" << run << " " << std::string(dtype_name(dtype))
                                              << (layout == WeightLayout::in_out ? " in_out" : " out_in") << (prepack ? " packed" : "")
                                              << " threads=" << threads);
                                    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
                                    ++compared;
                                }
                                if (N > B) {
                                    std::vector<float> got(want.size(), -7.0f);
                                    gemm_columns(a.data(), M, m, bias.data(), got.data(), B, N);
                                    for (int i = 0; i < M; ++i)
                                        for (int j = 0; j < N; ++j) {
                                            const float g = got[static_cast<size_t>(i) * N + j], e = want[static_cast<size_t>(i) * N + j];
                                            if (j < B) CHECK(g == -7.0f);
                                            else CHECK(bits(g) == bits(e));
                                        }
                                }
                            }
                    }
    CHECK(compared == 2 * 5 * 2 * 2 * 2 * 5 * 2 * 2);
    if (B > 1) CHECK_THROWS_AS(gemm_columns(nullptr, 1, WeightMatrix{DType::F32, 4, 4, nullptr, WeightLayout::in_out}, nullptr, nullptr, 1, 4),
                               std::invalid_argument);
}
