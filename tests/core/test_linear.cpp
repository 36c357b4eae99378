// linear() with F32, F16 and BF16 weights in both layouts against a plain double-precision product.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/linear.h"

using namespace attn;

namespace {

std::vector<uint16_t> narrow(const std::vector<float>& w, DType dtype) {
    std::vector<uint16_t> out(w.size());
    for (size_t i = 0; i < w.size(); ++i) out[i] = dtype == DType::F16 ? f32_to_f16(w[i]) : f32_to_bf16(w[i]);
    return out;
}

float widened(const std::vector<uint16_t>& h, size_t i, DType dtype) {
    return dtype == DType::F16 ? f16_to_f32(h[i]) : bf16_to_f32(h[i]);
}

}  // namespace

TEST_CASE("linear: every dtype and layout equals the naive product of the stored values") {
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {4, 64, 300}, {17, 129, 33}, {2, 300, 257}};
    for (const auto& s : shapes) {
        const int T = s[0], n_in = s[1], n_out = s[2];
        std::vector<float> x(static_cast<size_t>(T) * n_in), w(static_cast<size_t>(n_in) * n_out), bias(n_out);
        for (float& v : x) v = normal(rng);
        for (float& v : w) v = normal(rng);
        for (float& v : bias) v = normal(rng);
        for (WeightLayout layout : {WeightLayout::in_out, WeightLayout::out_in}) {
            const int rows = layout == WeightLayout::in_out ? n_in : n_out;
            const int cols = layout == WeightLayout::in_out ? n_out : n_in;
            for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
                std::vector<uint16_t> half = dtype == DType::F32 ? std::vector<uint16_t>() : narrow(w, dtype);
                const void* data = dtype == DType::F32 ? static_cast<const void*>(w.data()) : half.data();
                WeightMatrix m{dtype, rows, cols, data, layout};
                REQUIRE(m.n_in() == n_in);
                REQUIRE(m.n_out() == n_out);
                std::vector<float> y(static_cast<size_t>(T) * n_out);
                linear(x.data(), T, m, bias.data(), y.data());
                double worst = 0.0;
                for (int t = 0; t < T; ++t)
                    for (int o = 0; o < n_out; ++o) {
                        double acc = bias[o];
                        for (int i = 0; i < n_in; ++i) {
                            size_t wi = layout == WeightLayout::in_out ? static_cast<size_t>(i) * n_out + o
                                                                       : static_cast<size_t>(o) * n_in + i;
                            float wv = dtype == DType::F32 ? w[wi] : widened(half, wi, dtype);
                            acc += static_cast<double>(x[static_cast<size_t>(t) * n_in + i]) * wv;
                        }
                        worst = std::max(worst, std::fabs(acc - y[static_cast<size_t>(t) * n_out + o]));
                    }
                INFO("linear T=" << T << " in=" << n_in << " out=" << n_out << " dtype=" << dtype_name(dtype)
                                 << (layout == WeightLayout::in_out ? " in_out" : " out_in"));
                CHECK(worst < 1e-4 * std::sqrt(static_cast<double>(n_in)));
            }
        }
    }
}

TEST_CASE("weight_row_f32 widens one stored row") {
    std::vector<float> w = {1.0f, -2.5f, 0.125f, 3.0f, 65504.0f, -0.0f};
    std::vector<uint16_t> h = narrow(w, DType::F16), b = narrow(w, DType::BF16);
    float row[3];
    weight_row_f32(WeightMatrix{DType::F16, 2, 3, h.data(), WeightLayout::out_in}, 1, row);
    CHECK(row[0] == 3.0f);
    CHECK(row[1] == 65504.0f);
    weight_row_f32(WeightMatrix{DType::BF16, 2, 3, b.data(), WeightLayout::out_in}, 0, row);
    CHECK(row[1] == -2.5f);
    weight_row_f32(WeightMatrix{DType::F32, 2, 3, w.data(), WeightLayout::out_in}, 0, row);
    CHECK(row[2] == 0.125f);
}
