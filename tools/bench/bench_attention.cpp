// Attention kernel benchmark: scalar reference vs SIMD kernel, 12 heads of d=64, T = 64/128/256/512,
// causal and not.
// Reports medians over rounds and the ratio measured in the same run (the machine is shared).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "core/attention.h"

using namespace attn;

static double median_ms(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <class Kernel>
static double time_heads(Kernel kernel, const AttentionShape& shape, int heads, const std::vector<float>& q,
                         const std::vector<float>& k, const std::vector<float>& v, std::vector<float>& probs,
                         std::vector<float>& out, int rounds) {
    std::vector<double> ms;
    for (int r = 0; r < rounds; ++r) {
        auto start = std::chrono::steady_clock::now();
        for (int h = 0; h < heads; ++h) kernel(shape, q.data(), k.data(), v.data(), probs.data(), out.data());
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return median_ms(ms);
}

int main() {
    const int heads = 12, hs = 64;
    std::printf("attention, %d heads, d=%d, kernels: %s\n", heads, hs, simd_name());
    std::printf("%-10s %6s %12s %12s %8s %10s\n", "mask", "T", "scalar ms", "simd ms", "speedup", "GFLOP/s");
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (bool causal : {true, false})
    for (int T : {64, 128, 256, 512}) {
        std::vector<float> q(static_cast<size_t>(T) * hs), k = q, v = q, probs(static_cast<size_t>(T) * T), out = q;
        for (auto* b : {&q, &k, &v})
            for (float& x : *b) x = normal(rng);
        AttentionShape shape{T, T, hs, hs, hs, hs, hs, causal, 0, 1.0f / std::sqrt(static_cast<float>(hs))};
        const int rounds = T >= 256 ? 7 : 21;
        double scalar = time_heads(attention_head_reference, shape, heads, q, k, v, probs, out, rounds);
        double simd = time_heads(attention_head, shape, heads, q, k, v, probs, out, rounds);
        // QK^T and P.V: 2 * T * S * hs flops each, halved (about) under a causal mask.
        const double flops = 4.0 * T * T * hs * heads * (causal ? 0.5 : 1.0);
        std::printf("%-10s %6d %12.3f %12.3f %7.2fx %10.1f\n", causal ? "causal" : "not causal", T, scalar, simd,
                    scalar / simd, flops / (simd * 1e6));
    }
    return 0;
}
