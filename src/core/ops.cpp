// Transformer building blocks on plain float rows.
#include "core/ops.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/parallel.h"
#include "core/simd.h"

namespace attn {

void layer_norm_reference(const float* x, int T, int D, const float* gamma, const float* beta, float eps, float* out) {
    for (int t = 0; t < T; ++t) {
        const float* row = x + static_cast<size_t>(t) * D;
        float* o = out + static_cast<size_t>(t) * D;
        // Two-pass mean and variance, accumulated in double: PyTorch's reduction is more careful than a
        // naive float sum, and hidden states must agree to 2e-4.
        double mean = 0.0;
        for (int d = 0; d < D; ++d) mean += row[d];
        mean /= D;
        double var = 0.0;
        for (int d = 0; d < D; ++d) var += (row[d] - mean) * (row[d] - mean);
        var /= D;
        const float inv = static_cast<float>(1.0 / std::sqrt(var + eps));
        const float m = static_cast<float>(mean);
        for (int d = 0; d < D; ++d) {
            float v = (row[d] - m) * inv;
            o[d] = v * (gamma ? gamma[d] : 1.0f) + (beta ? beta[d] : 0.0f);
        }
    }
}

void rms_norm_reference(const float* x, int T, int D, const float* gamma, float eps, float* out) {
    for (int t = 0; t < T; ++t) {
        const float* row = x + static_cast<size_t>(t) * D;
        float* o = out + static_cast<size_t>(t) * D;
        double sum_sq = 0.0;
        for (int d = 0; d < D; ++d) sum_sq += static_cast<double>(row[d]) * row[d];
        const float inv = static_cast<float>(1.0 / std::sqrt(sum_sq / D + eps));
        for (int d = 0; d < D; ++d) o[d] = row[d] * inv * (gamma ? gamma[d] : 1.0f);
    }
}

namespace {

using namespace simd;

// The SIMD norms keep the reference's accuracy where it matters: each row is summed in kLanes x 4 float
// partial sums (a few dozen values each at GPT-2's width), which are then added in double, as the
// reference adds every value; the scalar version's serial chain of double adds was most of its time.
constexpr int kSumVecs = 4;

double lanes_in_double(Vec v) {
    alignas(64) float lanes[kLanes];
    vstore(lanes, v);
    double sum = 0.0;
    for (float f : lanes) sum += f;
    return sum;
}

// sum over d of f(row[d]) (f a vector function), in partial sums as above.
template <typename F>
double row_sum(const float* row, int D, F f) {
    Vec acc[kSumVecs] = {};
    for (Vec& a : acc) a = vzero();
    int d = 0;
    for (; d + kSumVecs * kLanes <= D; d += kSumVecs * kLanes)
        for (int j = 0; j < kSumVecs; ++j) acc[j] = vadd(acc[j], f(vload(row + d + j * kLanes)));
    for (; d + kLanes <= D; d += kLanes) acc[0] = vadd(acc[0], f(vload(row + d)));
    double sum = 0.0;
    for (const Vec& a : acc) sum += lanes_in_double(a);
    if (d < D) {   // the tail through one padded vector, so it gets the same arithmetic
        alignas(64) float tail[kLanes] = {};
        alignas(64) float mask[kLanes] = {};
        std::copy(row + d, row + D, tail);
        std::fill(mask, mask + (D - d), 1.0f);
        sum += lanes_in_double(vmul(f(vload(tail)), vload(mask)));
    }
    return sum;
}

// out[d] = g(row[d], gamma[d], beta[d]) over the row, the tail through padded vectors.
template <typename G>
void row_map(const float* row, int D, const float* gamma, const float* beta, float* o, G g) {
    const Vec one = vset1(1.0f), zero = vzero();
    int d = 0;
    for (; d + kLanes <= D; d += kLanes)
        vstore(o + d, g(vload(row + d), gamma ? vload(gamma + d) : one, beta ? vload(beta + d) : zero));
    if (d == D) return;
    alignas(64) float x[kLanes] = {}, w[kLanes], b[kLanes] = {}, y[kLanes];
    std::fill(w, w + kLanes, 1.0f);
    std::copy(row + d, row + D, x);
    if (gamma) std::copy(gamma + d, gamma + D, w);
    if (beta) std::copy(beta + d, beta + D, b);
    vstore(y, g(vload(x), vload(w), vload(b)));
    std::copy(y, y + (D - d), o + d);
}

// Rows [begin, end) of x to out by row(t): split between threads when the whole is worth it (rows are
// independent, so the bits do not depend on the split).
template <typename Row>
void for_rows(int T, double work_per_row, Row row) {
    parallel_for_if_worth_it(T, work_per_row * T, [&](int begin, int end) {
        for (int t = begin; t < end; ++t) row(t);
    });
}

}  // namespace

void layer_norm(const float* x, int T, int D, const float* gamma, const float* beta, float eps, float* out) {
    for_rows(T, 4.0 * D, [&](int t) {
        const float* row = x + static_cast<size_t>(t) * D;
        float* o = out + static_cast<size_t>(t) * D;
        // The corrected two-pass form: the second pass also sums the residuals x - m0, which puts the mean
        // back within rounding of the reference's double sum (a row of 5 +- 1e-3 normalises to values whose
        // error is an ulp of the mean over the spread, 1e-4 per ulp) and takes its square off the variance.
        const float m0 = static_cast<float>(row_sum(row, D, [](Vec v) { return v; }) / D);
        const Vec m0v = vset1(m0);
        const double residual = row_sum(row, D, [&](Vec v) { return vsub(v, m0v); }) / D;
        const double var = row_sum(row, D, [&](Vec v) {
            const Vec c = vsub(v, m0v);
            return vmul(c, c);
        }) / D - residual * residual;
        const Vec m = vset1(static_cast<float>(static_cast<double>(m0) + residual));
        const Vec inv = vset1(static_cast<float>(1.0 / std::sqrt(std::max(var, 0.0) + eps)));
        row_map(row, D, gamma, beta, o, [&](Vec v, Vec w, Vec b) { return vfmadd(vmul(vsub(v, m), inv), w, b); });
    });
}

void rms_norm(const float* x, int T, int D, const float* gamma, float eps, float* out) {
    for_rows(T, 3.0 * D, [&](int t) {
        const float* row = x + static_cast<size_t>(t) * D;
        float* o = out + static_cast<size_t>(t) * D;
        const double sum_sq = row_sum(row, D, [](Vec v) { return vmul(v, v); });
        const Vec inv = vset1(static_cast<float>(1.0 / std::sqrt(sum_sq / D + eps)));
        row_map(row, D, gamma, nullptr, o, [&](Vec v, Vec w, Vec) { return vmul(vmul(v, inv), w); });
    });
}

bool activation_from_name(const std::string& name, Activation* out) {
    if (name == "gelu_new" || name == "gelu_pytorch_tanh") *out = Activation::gelu_tanh;
    else if (name == "gelu") *out = Activation::gelu_erf;
    else if (name == "relu") *out = Activation::relu;
    else if (name == "silu" || name == "swish") *out = Activation::silu;
    else if (name == "gelu_fast") *out = Activation::gelu_fast;
    else if (name == "quick_gelu") *out = Activation::quick_gelu;
    else return false;
    return true;
}

namespace {

// x[0, n) = f(x) a vector at a time, the tail through one padded vector (the same arithmetic); long arrays
// split between threads (elements are independent, so the bits do not depend on the split).
template <typename F>
void map_in_place(float* x, long n, double work_per_value, F f) {
    auto run = [&](long begin, long end) {
        long i = begin;
        for (; i + kLanes <= end; i += kLanes) vstore(x + i, f(vload(x + i)));
        if (i == end) return;
        alignas(64) float tail[kLanes] = {};
        std::copy(x + i, x + end, tail);
        vstore(tail, f(vload(tail)));
        std::copy(tail, tail + (end - i), x + i);
    };
    constexpr long kBlock = 1024;   // a multiple of every kLanes: only the last block has a tail
    const long blocks = (n + kBlock - 1) / kBlock;
    if (blocks > INT32_MAX) return run(0, n);
    parallel_for_if_worth_it(static_cast<int>(blocks), work_per_value * static_cast<double>(n), [&](int begin, int end) {
        run(begin * kBlock, std::min(n, end * kBlock));
    });
}

// x / (1 + exp(-a x)): SiLU (a = 1) and quick GELU (a = 1.702).
inline Vec times_sigmoid(Vec x, float a) { return vdiv(x, vadd(vset1(1.0f), vexp(vmul(vset1(-a), x)))); }

}  // namespace

// The scalar reference of each formula is core/nn_act.cpp's activation_forward; tests hold this to it.
void activation_apply(Activation act, float* x, long n) {
    constexpr float kSqrt2OverPi = 0.7978845608028654f, kSqrtHalf = 0.7071067811865476f;
    const Vec half = vset1(0.5f), one = vset1(1.0f);
    switch (act) {
        case Activation::gelu_tanh:
        case Activation::gelu_fast:   // one formula (gelu_fast factors it as v k (1 + 0.044715 v^2))
            map_in_place(x, n, 20.0, [&](Vec v) {
                const Vec inner = vmul(vset1(kSqrt2OverPi), vfmadd(vmul(vset1(0.044715f), vmul(v, v)), v, v));
                return vmul(vmul(half, v), vadd(one, vtanh(inner)));
            });
            break;
        case Activation::gelu_erf:
            map_in_place(x, n, 20.0, [&](Vec v) { return vmul(vmul(half, v), vadd(one, verf(vmul(v, vset1(kSqrtHalf))))); });
            break;
        case Activation::relu:   // 0 for NaN, as the reference (x > 0 ? x : 0); the compiler vectorises it
            for (long i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
            break;
        case Activation::silu:
            map_in_place(x, n, 15.0, [](Vec v) { return times_sigmoid(v, 1.0f); });
            break;
        case Activation::quick_gelu:
            map_in_place(x, n, 15.0, [](Vec v) { return times_sigmoid(v, 1.702f); });
            break;
    }
}

void add_inplace(float* x, const float* y, long n) {
    for (long i = 0; i < n; ++i) x[i] += y[i];
}

}  // namespace attn
