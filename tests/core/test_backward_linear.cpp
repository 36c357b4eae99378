// Linear and embedding pairs: backward against finite differences in double; forwards against
// core/linear.h; the 16-bit input gradient against the f32 one over the widened weights.
#include <doctest/doctest.h>

#include <cstdint>

#include "core/nn_linear.h"
#include "finite_diff.h"

using namespace attn;
using namespace attn_test;

namespace {

void check_linear(int T, int C_in, int C_out, WeightLayout layout, bool with_bias, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<double> x = random_values(T * C_in, rng), w = random_values(C_in * C_out, rng),
                        b = random_values(C_out, rng);
    const std::vector<double> dout = random_values(T * C_out, rng);
    std::vector<double> out(T * C_out);
    const double* bp = with_bias ? b.data() : nullptr;
    auto loss = [&] {
        linear_forward(out.data(), x.data(), w.data(), bp, T, C_in, C_out, layout);
        return dot(out, dout);
    };
    std::vector<double> dx(T * C_in), dw(C_in * C_out), db(C_out);
    linear_backward(dx.data(), dw.data(), with_bias ? db.data() : nullptr, dout.data(), x.data(), w.data(), T, C_in,
                    C_out, layout);
    check_gradient(dx, numeric_gradient(x, loss), "linear dinp");
    check_gradient(dw, numeric_gradient(w, loss), "linear dweight");
    if (with_bias) check_gradient(db, numeric_gradient(b, loss), "linear dbias");
}

}  // namespace

TEST_CASE("linear backward matches finite differences (T=1, C_in=5, C_out=3, out_in)") {
    check_linear(1, 5, 3, WeightLayout::out_in, true, 21);
}
TEST_CASE("linear backward matches finite differences (T=3, C_in=8, C_out=5, in_out)") {
    check_linear(3, 8, 5, WeightLayout::in_out, true, 22);
}
TEST_CASE("linear backward matches finite differences (T=7, C_in=5, C_out=8, out_in, no bias)") {
    check_linear(7, 5, 8, WeightLayout::out_in, false, 23);
}

TEST_CASE("linear f32 forward equals core/linear.h in both layouts (T=7, C_in=33, C_out=17)") {
    const int T = 7, C_in = 33, C_out = 17;
    std::mt19937 rng(24);
    const std::vector<float> x = to_float(random_values(T * C_in, rng)), w = to_float(random_values(C_in * C_out, rng)),
                             b = to_float(random_values(C_out, rng));
    for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out}) {
        const bool oi = layout == WeightLayout::out_in;
        WeightMatrix wm{DType::F32, oi ? C_out : C_in, oi ? C_in : C_out, w.data(), layout};
        std::vector<float> ours(T * C_out), theirs(T * C_out);
        linear_forward(ours.data(), x.data(), w.data(), b.data(), T, C_in, C_out, layout);
        linear_forward_stored(theirs.data(), x.data(), wm, b.data(), T);
        // Eigen sums the 33 products in another order than the naive loop: a few f32 ulps apart.
        for (int i = 0; i < T * C_out; ++i) CHECK(ours[i] == doctest::Approx(theirs[i]).epsilon(1e-5));
    }
}

TEST_CASE("linear input gradient through F16/BF16 weights equals the f32 one on the widened weights (T=3, 9x130)") {
    // 130 stored rows cross core/linear.cpp's 128-row widening block.
    const int T = 3;
    std::mt19937 rng(25);
    const std::vector<float> dout_small = to_float(random_values(T * 130, rng));
    for (DType dtype : {DType::F16, DType::BF16}) {
        for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out}) {
            const int rows = 130, cols = 9;
            const int C_out = layout == WeightLayout::out_in ? rows : cols;
            const int C_in = layout == WeightLayout::out_in ? cols : rows;
            const std::vector<float> w = to_float(random_values(rows * cols, rng));
            std::vector<uint16_t> half(w.size());
            std::vector<float> widened(w.size());
            for (size_t i = 0; i < w.size(); ++i) {
                half[i] = dtype == DType::F16 ? f32_to_f16(w[i]) : f32_to_bf16(w[i]);
                widened[i] = dtype == DType::F16 ? f16_to_f32(half[i]) : bf16_to_f32(half[i]);
            }
            const WeightMatrix wm{dtype, rows, cols, half.data(), layout};
            const std::vector<float> dout(dout_small.begin(), dout_small.begin() + T * C_out);
            std::vector<float> ours(T * C_in, 0.5f), reference(T * C_in, 0.5f);  // both accumulate onto 0.5
            linear_backward_input(ours.data(), dout.data(), wm, T);
            linear_backward<float>(reference.data(), nullptr, nullptr, dout.data(), nullptr, widened.data(), T, C_in,
                                   C_out, layout);
            for (int i = 0; i < T * C_in; ++i) CHECK(ours[i] == doctest::Approx(reference[i]).epsilon(1e-5));

            const std::vector<float> x = to_float(random_values(T * C_in, rng));
            std::vector<float> y16(T * C_out), y32(T * C_out);
            linear_forward_stored(y16.data(), x.data(), wm, nullptr, T);
            linear_forward<float>(y32.data(), x.data(), widened.data(), nullptr, T, C_in, C_out, layout);
            for (int i = 0; i < T * C_out; ++i) CHECK(y16[i] == doctest::Approx(y32[i]).epsilon(1e-5));
        }
    }
}

TEST_CASE("embedding backward matches finite differences, repeated ids (T=5, V=4, C=3, pos0=2)") {
    const int T = 5, V = 4, C = 3, n_ctx = 8, pos0 = 2;
    const int ids[T] = {1, 3, 1, 0, 1};
    for (double token_scale : {1.0, 1.7}) {
        std::mt19937 rng(26);
        std::vector<double> wte = random_values(V * C, rng), wpe = random_values(n_ctx * C, rng);
        const std::vector<double> dout = random_values(T * C, rng);
        std::vector<double> out(T * C);
        auto loss = [&] {
            embedding_forward(out.data(), ids, wte.data(), wpe.data(), token_scale, pos0, T, C);
            return dot(out, dout);
        };
        std::vector<double> dwte(V * C), dwpe(n_ctx * C), dtok(T * C);
        embedding_backward(dwte.data(), dwpe.data(), dtok.data(), dout.data(), ids, token_scale, pos0, T, C);
        check_gradient(dwte, numeric_gradient(wte, loss), "embedding dwte");
        check_gradient(dwpe, numeric_gradient(wpe, loss), "embedding dwpe");
        // The looked-up rows as free inputs: perturb a copy of each row the forward reads.
        std::vector<double> tok(T * C);
        for (int t = 0; t < T; ++t)
            for (int c = 0; c < C; ++c) tok[t * C + c] = wte[ids[t] * C + c];
        auto tok_loss = [&] {
            double s = 0.0;
            for (int t = 0; t < T; ++t)
                for (int c = 0; c < C; ++c)
                    s += (token_scale * tok[t * C + c] + wpe[(pos0 + t) * C + c]) * dout[t * C + c];
            return s;
        };
        CHECK(tok_loss() == doctest::Approx(loss()).epsilon(1e-12));  // the copy is what the forward reads
        check_gradient(dtok, numeric_gradient(tok, tok_loss), "embedding dtok");
    }
}

TEST_CASE("fast linear backward equals the reference (T=7, C_in=33, C_out=17; T=5, C_in=130, C_out=70; both layouts)") {
    const int shapes[][3] = {{7, 33, 17}, {5, 130, 70}, {1, 1, 1}};
    std::mt19937 rng(27);
    for (const auto& sh : shapes)
        for (WeightLayout layout : {WeightLayout::out_in, WeightLayout::in_out}) {
            const int T = sh[0], C_in = sh[1], C_out = sh[2];
            const std::vector<float> x = to_float(random_values(T * C_in, rng)),
                                     w = to_float(random_values(C_in * C_out, rng)),
                                     dout = to_float(random_values(T * C_out, rng));
            // Both accumulate onto the same nonzero start.
            std::vector<float> dx_ref(T * C_in, 0.25f), dw_ref(C_in * C_out, -0.5f), db_ref(C_out, 1.0f);
            std::vector<float> dx = dx_ref, dw = dw_ref, db = db_ref;
            linear_backward<float>(dx_ref.data(), dw_ref.data(), db_ref.data(), dout.data(), x.data(), w.data(), T, C_in,
                                   C_out, layout);
            linear_backward_fast(dx.data(), dw.data(), db.data(), dout.data(), x.data(), w.data(), T, C_in, C_out, layout);
            for (size_t i = 0; i < dx.size(); ++i) CHECK(dx[i] == doctest::Approx(dx_ref[i]).epsilon(1e-5));
            for (size_t i = 0; i < dw.size(); ++i) CHECK(dw[i] == doctest::Approx(dw_ref[i]).epsilon(1e-5));
            for (size_t i = 0; i < db.size(); ++i) CHECK(db[i] == doctest::Approx(db_ref[i]).epsilon(1e-5));
        }
}
