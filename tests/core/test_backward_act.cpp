// Activations, SwiGLU and the residual add: backward against finite differences in double; the f32
// activation forwards against core/ops.h's activation_apply.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/nn_act.h"
#include "finite_diff.h"

using namespace attn;
using namespace attn_test;

namespace {

const Activation kAll[] = {Activation::gelu_tanh, Activation::gelu_erf, Activation::relu,
                           Activation::silu,      Activation::gelu_fast, Activation::quick_gelu};

void check_activation(Activation act, int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<double> x = random_values(n, rng, 2.0);
    // ReLU has a kink at 0 that central differences straddle; keep samples away from it.
    for (double& v : x)
        if (std::fabs(v) < 1e-3) v += 0.1;
    const std::vector<double> dout = random_values(n, rng);
    std::vector<double> out(n), dx(n);
    auto loss = [&] {
        activation_forward(act, out.data(), x.data(), n);
        return dot(out, dout);
    };
    activation_backward(act, dx.data(), dout.data(), x.data(), n);
    check_gradient(dx, numeric_gradient(x, loss), "activation " + std::to_string(static_cast<int>(act)) + " dinp");
}

}  // namespace

TEST_CASE("activation backward matches finite differences, every kind (n=1)") {
    for (Activation act : kAll) check_activation(act, 1, 11);
}
TEST_CASE("activation backward matches finite differences, every kind (n=37)") {
    for (Activation act : kAll) check_activation(act, 37, 12);
}

TEST_CASE("activation_backward_fast equals the reference, every kind, f32 and double, accumulating (n=4001, |x| up to 20)") {
    // x from -20 to 20 in steps of 0.01: tanh's saturated tails, 0 and everything between.
    const int n = 4001;
    std::vector<double> x(n), dout(n), start(n);
    std::mt19937 rng(77);
    const std::vector<double> noise = random_values(2 * n, rng);
    for (int i = 0; i < n; ++i) {
        x[i] = -20.0 + 0.01 * i;
        dout[i] = noise[i];
        start[i] = noise[n + i];   // both add to the same non-zero contents
    }
    const std::vector<float> xf = to_float(x), doutf = to_float(dout), startf = to_float(start);
    for (Activation act : kAll) {
        CAPTURE(static_cast<int>(act));
        std::vector<double> ref = start, fast = start;
        activation_backward(act, ref.data(), dout.data(), x.data(), n);
        activation_backward_fast(act, fast.data(), dout.data(), x.data(), n);
        for (int i = 0; i < n; ++i) CHECK(fast[i] == doctest::Approx(ref[i]).epsilon(1e-12));
        std::vector<float> reff = startf, fastf = startf;
        activation_backward(act, reff.data(), doutf.data(), xf.data(), n);
        activation_backward_fast(act, fastf.data(), doutf.data(), xf.data(), n);
        // Absolute, since the sum may cancel to near 0: tanh's few f32 ulps times x k (1 + 3a x^2) |dout|,
        // largest near |x| = 3 (5e-6 seen); the pass's gradients are held to 2e-5 + 2e-3 relative.
        float worst = 0.0f;
        for (int i = 0; i < n; ++i) worst = std::max(worst, std::fabs(fastf[i] - reff[i]));
        CHECK(worst < 1e-5f);
        if (act != Activation::gelu_tanh && act != Activation::gelu_fast) CHECK(fastf == reff);
    }
}

TEST_CASE("swiglu backward matches finite differences (n=5, n=24)") {
    for (int n : {5, 24}) {
        std::mt19937 rng(13 + n);
        std::vector<double> gate = random_values(n, rng, 2.0), up = random_values(n, rng), dout = random_values(n, rng);
        std::vector<double> out(n), dgate(n), dup(n);
        auto loss = [&] {
            swiglu_forward(out.data(), gate.data(), up.data(), n);
            return dot(out, dout);
        };
        swiglu_backward(dgate.data(), dup.data(), dout.data(), gate.data(), up.data(), n);
        check_gradient(dgate, numeric_gradient(gate, loss), "swiglu dgate");
        check_gradient(dup, numeric_gradient(up, loss), "swiglu dup");
    }
}

TEST_CASE("residual backward matches finite differences and accumulates (n=7)") {
    const int n = 7;
    std::mt19937 rng(14);
    std::vector<double> a = random_values(n, rng), b = random_values(n, rng), dout = random_values(n, rng);
    std::vector<double> out(n), da(n, 1.0), db(n);
    auto loss = [&] {
        residual_forward(out.data(), a.data(), b.data(), n);
        return dot(out, dout);
    };
    residual_backward(da.data(), db.data(), dout.data(), n);
    for (double& v : da) v -= 1.0;  // it added to what was there
    check_gradient(da, numeric_gradient(a, loss), "residual da");
    check_gradient(db, numeric_gradient(b, loss), "residual db");
}

TEST_CASE("activation f32 forwards equal core/ops.h activation_apply (n=101)") {
    std::mt19937 rng(15);
    const std::vector<float> x = to_float(random_values(101, rng, 3.0));
    for (Activation act : kAll) {
        std::vector<float> ours(x.size()), theirs = x;
        activation_forward(act, ours.data(), x.data(), static_cast<long>(x.size()));
        activation_apply(act, theirs.data(), static_cast<long>(theirs.size()));
        for (size_t i = 0; i < x.size(); ++i) CHECK(ours[i] == doctest::Approx(theirs[i]).epsilon(1e-6));
    }
}
