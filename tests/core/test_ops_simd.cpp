// core/ops.h's SIMD norms and activations against their scalar references (layer_norm_reference,
// rms_norm_reference, nn_act's activation_forward) on many shapes, in both builds; their splits between
// threads give the same bits.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/nn_act.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "finite_diff.h"
#include "thread_count_guard.h"

using namespace attn;
using namespace attn_test;

namespace {

// Widths around every vector width (4, 8, 16 lanes), with and without tails, and the models' widths.
const int kWidths[] = {1, 3, 4, 15, 16, 17, 32, 33, 64, 80, 128, 768, 1023};

// A row like a residual stream: values of `spread` around `offset`, with one outlier of 100 x spread
// (GPT-2's hidden states have a few dimensions in the thousands).
std::vector<float> rows(int T, int D, std::mt19937& rng, double spread, double offset) {
    std::vector<float> x = to_float(random_values(static_cast<size_t>(T) * D, rng, spread));
    for (int t = 0; t < T; ++t) {
        for (int d = 0; d < D; ++d) x[static_cast<size_t>(t) * D + d] += static_cast<float>(offset);
        x[static_cast<size_t>(t) * D + (t * 7) % D] += static_cast<float>(100.0 * spread);
    }
    return x;
}

void check_close(const std::vector<float>& fast, const std::vector<float>& reference, float rel, float abs) {
    REQUIRE(fast.size() == reference.size());
    for (size_t i = 0; i < fast.size(); ++i) {
        CAPTURE(i);
        CHECK(std::abs(fast[i] - reference[i]) <= rel * std::abs(reference[i]) + abs);
    }
}

}  // namespace

TEST_CASE("layer_norm and rms_norm (SIMD) match their references on many widths, spreads and offsets") {
    std::mt19937 rng(41);
    int compared = 0;
    for (int D : kWidths)
        for (int T : {1, 3}) {
            for (double spread : {1e-3, 1.0, 30.0})
                for (double offset : {0.0, 5.0}) {
                    CAPTURE(D);
                    CAPTURE(T);
                    CAPTURE(spread);
                    const std::vector<float> x = rows(T, D, rng, spread, offset);
                    const std::vector<float> w = to_float(random_values(static_cast<size_t>(D), rng)),
                                             b = to_float(random_values(static_cast<size_t>(D), rng));
                    std::vector<float> fast(x.size()), reference(x.size());
                    for (bool affine : {true, false}) {
                        const float* gamma = affine ? w.data() : nullptr;
                        const float* beta = affine ? b.data() : nullptr;
                        layer_norm(x.data(), T, D, gamma, beta, 1e-5f, fast.data());
                        layer_norm_reference(x.data(), T, D, gamma, beta, 1e-5f, reference.data());
                        // Normalised values are O(1) (the outlier up to sqrt(D)): float partial sums against
                        // double ones leave a few ulp.
                        check_close(fast, reference, 2e-5f, 2e-5f);
                        rms_norm(x.data(), T, D, gamma, 1e-6f, fast.data());
                        rms_norm_reference(x.data(), T, D, gamma, 1e-6f, reference.data());
                        check_close(fast, reference, 2e-5f, 1e-6f);
                        ++compared;
                    }
                }
        }
    CHECK(compared == 13 * 2 * 3 * 2 * 2);
}

TEST_CASE("layer_norm and rms_norm may write over their input") {
    std::mt19937 rng(42);
    for (int D : {17, 768}) {
        const std::vector<float> x = rows(5, D, rng, 2.0, 1.0), w = to_float(random_values(static_cast<size_t>(D), rng));
        std::vector<float> apart(x.size()), in_place = x;
        layer_norm(x.data(), 5, D, w.data(), nullptr, 1e-5f, apart.data());
        layer_norm(in_place.data(), 5, D, w.data(), nullptr, 1e-5f, in_place.data());
        CHECK(std::memcmp(apart.data(), in_place.data(), apart.size() * sizeof(float)) == 0);
        in_place = x;
        rms_norm(x.data(), 5, D, w.data(), 1e-6f, apart.data());
        rms_norm(in_place.data(), 5, D, w.data(), 1e-6f, in_place.data());
        CHECK(std::memcmp(apart.data(), in_place.data(), apart.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("activation_apply (SIMD) matches nn_act's scalar activation_forward for every activation") {
    // Sizes around every vector width and the 1024-value blocks threads split at; values from tiny to
    // saturated (tanh and erf are +-1, the sigmoid 0 or 1) to large.
    const Activation all[] = {Activation::gelu_tanh, Activation::gelu_fast, Activation::gelu_erf,
                              Activation::relu,      Activation::silu,      Activation::quick_gelu};
    std::mt19937 rng(43);
    int compared = 0;
    for (Activation act : all)
        for (long n : {0L, 1L, 3L, 4L, 5L, 15L, 16L, 17L, 33L, 101L, 1023L, 1024L, 1025L, 4097L})
            for (double scale : {1e-3, 1.0, 4.0, 30.0, 1e4}) {
                CAPTURE(static_cast<int>(act));
                CAPTURE(n);
                CAPTURE(scale);
                const std::vector<float> x = to_float(random_values(static_cast<size_t>(n), rng, scale));
                std::vector<float> reference(x.size()), fast = x;
                activation_forward(act, reference.data(), x.data(), n);
                activation_apply(act, fast.data(), n);
                // A few ulps of tanh, erf or exp, scaled by x: relative 1e-5, or absolute 1e-6 near zero.
                check_close(fast, reference, 1e-5f, 1e-6f);
                ++compared;
            }
    CHECK(compared == 6 * 14 * 5);
}

TEST_CASE("activation_apply keeps NaN and infinities where the formulas do") {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    for (Activation act : {Activation::gelu_tanh, Activation::gelu_erf, Activation::silu, Activation::quick_gelu}) {
        CAPTURE(static_cast<int>(act));
        std::vector<float> x(37, 0.5f);
        x[3] = nan;   // in a whole vector
        x[36] = nan;  // in the tail
        x[20] = inf;
        activation_apply(act, x.data(), static_cast<long>(x.size()));
        CHECK(std::isnan(x[3]));
        CHECK(std::isnan(x[36]));
        CHECK(x[20] == inf);   // GELU and x sigmoid(x) of +inf are +inf
        CHECK(std::isfinite(x[0]));
    }
}

TEST_CASE("norms and activations give the same bits at 1, 2 and 3 threads") {
    ThreadCountGuard guard;
    set_parallel_min_work(0);
    std::mt19937 rng(44);
    const int T = 37, D = 80;
    const std::vector<float> x = rows(T, D, rng, 3.0, 0.5), w = to_float(random_values(static_cast<size_t>(D), rng));
    const long n = 5000;   // five blocks of 1024 and a tail
    const std::vector<float> a = to_float(random_values(static_cast<size_t>(n), rng, 3.0));
    auto run = [&] {
        std::vector<float> out(x.size() * 2);
        layer_norm(x.data(), T, D, w.data(), w.data(), 1e-5f, out.data());
        rms_norm(x.data(), T, D, w.data(), 1e-6f, out.data() + x.size());
        std::vector<float> acts = a;
        activation_apply(Activation::gelu_erf, acts.data(), n);
        out.insert(out.end(), acts.begin(), acts.end());
        return out;
    };
    set_thread_count_for_tests(1);
    const std::vector<float> one = run();
    for (int threads : {2, 3}) {
        CAPTURE(threads);
        set_thread_count_for_tests(threads);
        const std::vector<float> many = run();
        CHECK(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)) == 0);
    }
}
