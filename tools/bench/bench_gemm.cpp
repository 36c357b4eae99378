// linear() at GPT-2-small shapes, old against new in the same run: "Eigen" is the previous linear() (Eigen's
// product; 16-bit weights widened 128 stored rows at a time into f32 scratch first), "gemm" is core/gemm.h
// (packed register-blocked SIMD kernel; dot-product kernel for the few-rows LM head). Medians over rounds,
// GFLOP/s of the new kernel, and old/new (above 1: the new one is faster). Not a test.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "bench_timer.h"
#include "core/attention.h"
#include "core/gemm.h"
#include "core/simd.h"

using namespace attn;

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMatrix>;
using OutMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

// The previous linear(), kept here as the baseline.
void linear_eigen(const float* x, int T, const WeightMatrix& w, const float* bias, float* y) {
    constexpr int kBlock = 128;
    const int n_in = w.n_in(), n_out = w.n_out();
    ConstMap X(x, T, n_in);
    if (w.dtype == DType::F32) {
        ConstMap W(static_cast<const float*>(w.data), w.rows, w.cols);
        Eigen::Map<RowMatrix> Y(y, T, n_out);
        if (w.layout == WeightLayout::in_out) Y.noalias() = X * W;
        else Y.noalias() = X * W.transpose();
    } else {
        thread_local std::vector<float> scratch;
        const size_t row_bytes = static_cast<size_t>(w.cols) * dtype_size(w.dtype);
        const uint8_t* base = static_cast<const uint8_t*>(w.data);
        auto widen_rows = [&](int r0, int n) {
            scratch.resize(static_cast<size_t>(n) * w.cols);
            const uint16_t* h = reinterpret_cast<const uint16_t*>(base + r0 * row_bytes);
            for (size_t i = 0; i < scratch.size(); ++i)
                scratch[i] = w.dtype == DType::F16 ? f16_to_f32(h[i]) : bf16_to_f32(h[i]);
        };
        if (w.layout == WeightLayout::out_in) {
            for (int r0 = 0; r0 < w.rows; r0 += kBlock) {
                const int n = std::min(kBlock, w.rows - r0);
                widen_rows(r0, n);
                OutMap Y(y + r0, T, n, Eigen::OuterStride<>(n_out));
                Y.noalias() = X * ConstMap(scratch.data(), n, w.cols).transpose();
            }
        } else {
            Eigen::Map<RowMatrix> Y(y, T, n_out);
            Y.setZero();
            for (int r0 = 0; r0 < w.rows; r0 += kBlock) {
                const int n = std::min(kBlock, w.rows - r0);
                widen_rows(r0, n);
                Y.noalias() += X.middleCols(r0, n) * ConstMap(scratch.data(), n, w.cols);
            }
        }
    }
    if (bias) {
        Eigen::Map<RowMatrix> Y(y, T, n_out);
        Y.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias, n_out);
    }
}

// Rounds so that one measurement takes about a quarter of a second.
double timed(const std::function<void()>& work) {
    const double once = median_ms(work, 1);
    const int rounds = std::max(3, std::min(51, static_cast<int>(250.0 / std::max(once, 1e-3))));
    return median_ms(work, rounds);
}

// The multiply-add peak of this SIMD table in the micro-kernel's own shape: R broadcast values times W
// vectors, R x W independent accumulators, every operand from L1. In WebAssembly a multiply-add is a
// multiply and an add (SIMD128 has no FMA), so this bounds any SIMD128 product, onnxruntime-web's too.
template <int R, int W>
double peak_gflops() {
    using namespace simd;
    constexpr int kSteps = 256;
    std::vector<float> a(kSteps * R, 0.5f), b(kSteps * W * kLanes, 0.25f);
    float sink = 0.0f;
    auto work = [&] {
        Vec acc[R][W];
        for (auto& r : acc)
            for (Vec& v : r) v = vzero();
        for (int rep = 0; rep < 1000; ++rep)
            for (int k = 0; k < kSteps; ++k) {
                Vec bv[W];
                for (int w = 0; w < W; ++w) bv[w] = vload(b.data() + (k * W + w) * kLanes);
                for (int i = 0; i < R; ++i) {
                    const Vec x = vset1(a[k * R + i]);
                    for (int w = 0; w < W; ++w) acc[i][w] = vfmadd(x, bv[w], acc[i][w]);
                }
            }
        for (auto& r : acc)
            for (Vec& v : r) sink += vsum(v);
    };
    const double ms = median_ms(work, 5);
    if (sink == 1.0f) std::printf(" ");  // keeps the loop
    return 2.0 * R * W * kLanes * kSteps * 1000 / (ms * 1e6);
}

}  // namespace

int main() {
    struct Shape { int M, K, N; bool both_layouts; };
    const Shape shapes[] = {{128, 768, 768, true}, {128, 768, 3072, true}, {64, 768, 3072, true},
                            {1, 768, 50257, false}, {4, 768, 50257, false}};
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::printf("linear y (M, N) = x (M, K) @ W + b, single thread, SIMD %s\n", simd_name());
    const double peak = std::max({peak_gflops<4, 2>(), peak_gflops<5, 2>(), peak_gflops<6, 2>(), peak_gflops<8, 3>()});
    std::printf("multiply-add peak from L1 (best of 4x2, 5x2, 6x2, 8x3 register blocks): %.1f GFLOP/s\n", peak);
    std::printf("%-20s %-5s %-7s %10s %10s %8s %7s %8s %8s\n", "M x K x N", "dtype", "layout", "Eigen ms", "gemm ms",
                "GFLOP/s", "of peak", "Eig/gemm", "vs f32");
    for (const Shape& s : shapes) {
        std::vector<float> x(static_cast<size_t>(s.M) * s.K), w(static_cast<size_t>(s.K) * s.N), bias(s.N),
            y(static_cast<size_t>(s.M) * s.N);
        for (float& v : x) v = normal(rng);
        for (float& v : w) v = normal(rng) * 0.05f;
        for (float& v : bias) v = normal(rng);
        std::vector<uint16_t> f16(w.size()), bf16(w.size());
        for (size_t i = 0; i < w.size(); ++i) f16[i] = f32_to_f16(w[i]), bf16[i] = f32_to_bf16(w[i]);
        for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out}) {
            if (!s.both_layouts && layout == WeightLayout::in_out) continue;
            // Both layouts hold the same bytes: only the access pattern matters for time.
            const int rows = layout == WeightLayout::in_out ? s.K : s.N, cols = layout == WeightLayout::in_out ? s.N : s.K;
            double f32_ms = 0.0;
            for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
                const void* data = dtype == DType::F32 ? static_cast<const void*>(w.data())
                                   : dtype == DType::F16 ? static_cast<const void*>(f16.data()) : bf16.data();
                const WeightMatrix m{dtype, rows, cols, data, layout};
                const double old_ms = timed([&] { linear_eigen(x.data(), s.M, m, bias.data(), y.data()); });
                const double new_ms = timed([&] { gemm(x.data(), s.M, m, bias.data(), y.data()); });
                if (dtype == DType::F32) f32_ms = new_ms;
                char name[32];
                std::snprintf(name, sizeof name, "%dx%dx%d", s.M, s.K, s.N);
                const double gflops = 2.0 * s.M * s.K * s.N / (new_ms * 1e6);
                std::printf("%-20s %-5s %-7s %10.3f %10.3f %8.1f %6.0f%% %7.2fx %7.2fx\n", name, dtype_name(dtype),
                            layout == WeightLayout::in_out ? "in_out" : "out_in", old_ms, new_ms, gflops,
                            100.0 * gflops / peak, old_ms / new_ms, new_ms / f32_ms);
            }
        }
    }
    return 0;
}
