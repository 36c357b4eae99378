// LayerNorm and RMSNorm: backward against finite differences in double; f32 forward against core/ops.h.
#include <doctest/doctest.h>

#include <string>

#include "core/nn_norm.h"
#include "core/ops.h"
#include "finite_diff.h"

using namespace attn;
using namespace attn_test;

namespace {

void check_layernorm(int T, int C, bool affine, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<double> x = random_values(T * C, rng, 2.0), w = random_values(C, rng), b = random_values(C, rng);
    for (int c = 0; c < C; ++c) x[c] += 3.0;  // a row far from zero mean
    const std::vector<double> dout = random_values(T * C, rng);
    std::vector<double> out(T * C), mean(T), rstd(T);
    const double* wp = affine ? w.data() : nullptr;
    const double* bp = affine ? b.data() : nullptr;
    auto loss = [&] {
        layernorm_forward(out.data(), mean.data(), rstd.data(), x.data(), wp, bp, 1e-5, T, C);
        return dot(out, dout);
    };
    loss();
    std::vector<double> dx(T * C), dw(C), db(C);
    layernorm_backward(dx.data(), affine ? dw.data() : nullptr, affine ? db.data() : nullptr, dout.data(), x.data(),
                       wp, mean.data(), rstd.data(), T, C);
    check_gradient(dx, numeric_gradient(x, loss), "layernorm dinp");
    if (affine) {
        check_gradient(dw, numeric_gradient(w, loss), "layernorm dweight");
        check_gradient(db, numeric_gradient(b, loss), "layernorm dbias");
    }
}

void check_rmsnorm(int T, int C, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<double> x = random_values(T * C, rng, 2.0), w = random_values(C, rng);
    const std::vector<double> dout = random_values(T * C, rng);
    std::vector<double> out(T * C), rstd(T);
    auto loss = [&] {
        rmsnorm_forward(out.data(), rstd.data(), x.data(), w.data(), 1e-6, T, C);
        return dot(out, dout);
    };
    loss();
    std::vector<double> dx(T * C), dw(C);
    rmsnorm_backward(dx.data(), dw.data(), dout.data(), x.data(), w.data(), rstd.data(), T, C);
    check_gradient(dx, numeric_gradient(x, loss), "rmsnorm dinp");
    check_gradient(dw, numeric_gradient(w, loss), "rmsnorm dweight");
}

}  // namespace

TEST_CASE("layernorm backward matches finite differences (T=1, C=5)") { check_layernorm(1, 5, true, 1); }
TEST_CASE("layernorm backward matches finite differences (T=3, C=5)") { check_layernorm(3, 5, true, 2); }
TEST_CASE("layernorm backward matches finite differences (T=7, C=8)") { check_layernorm(7, 8, true, 3); }
TEST_CASE("layernorm backward matches finite differences (T=3, C=8, no weight or bias)") {
    check_layernorm(3, 8, false, 4);
}
TEST_CASE("rmsnorm backward matches finite differences (T=1, C=5)") { check_rmsnorm(1, 5, 5); }
TEST_CASE("rmsnorm backward matches finite differences (T=3, C=8)") { check_rmsnorm(3, 8, 6); }
TEST_CASE("rmsnorm backward matches finite differences (T=7, C=5)") { check_rmsnorm(7, 5, 7); }

TEST_CASE("layernorm and rmsnorm f32 forwards equal core/ops.h (T=7, C=33)") {
    std::mt19937 rng(8);
    const int T = 7, C = 33;
    const std::vector<float> x = to_float(random_values(T * C, rng, 3.0)), w = to_float(random_values(C, rng)),
                             b = to_float(random_values(C, rng));
    std::vector<float> ours(T * C), theirs(T * C), mean(T), rstd(T);
    layernorm_forward(ours.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), 1e-5f, T, C);
    layer_norm(x.data(), T, C, w.data(), b.data(), 1e-5f, theirs.data());
    for (int i = 0; i < T * C; ++i) CHECK(ours[i] == doctest::Approx(theirs[i]).epsilon(1e-6));
    rmsnorm_forward(ours.data(), rstd.data(), x.data(), w.data(), 1e-6f, T, C);
    rms_norm(x.data(), T, C, w.data(), 1e-6f, theirs.data());
    for (int i = 0; i < T * C; ++i) CHECK(ours[i] == doctest::Approx(theirs[i]).epsilon(1e-6));
}
