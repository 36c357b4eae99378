// Finite-difference checks for the backward ops in core/nn_*.h, taken in double precision.
//
// Quick start: adding an op with its backward and its test
//   1. core/nn_<family>.h: `template <typename Real> void op_forward(Real* out, ..., int T, int C);` and
//      `op_backward(Real* dinp, ..., const Real* dout, <saved forward values>, int T, int C)` that ADDS.
//   2. Instantiate both for float and double at the end of core/nn_<family>.cpp.
//   3. tests/core/test_backward_<family>.cpp, one TEST_CASE per shape, the shape in its name:
//        std::vector<double> x = random_values(T * C, rng), dout = random_values(T * C, rng), out(T * C);
//        auto loss = [&] { op_forward(out.data(), x.data(), T, C); return dot(out, dout); };
//        std::vector<double> dx(T * C); loss(); op_backward(dx.data(), dout.data(), x.data(), T, C);
//        check_gradient(dx, numeric_gradient(x, loss), "op dx");
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace attn_test {

inline std::vector<double> random_values(size_t n, std::mt19937& rng, double spread = 1.0) {
    std::normal_distribution<double> normal(0.0, spread);
    std::vector<double> v(n);
    for (double& x : v) x = normal(rng);
    return v;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Central differences of loss() with respect to every entry of x; x is perturbed in place and restored.
inline std::vector<double> numeric_gradient(std::vector<double>& x, const std::function<double()>& loss,
                                            double h = 1e-5) {
    std::vector<double> g(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const double keep = x[i];
        x[i] = keep + h;
        const double up = loss();
        x[i] = keep - h;
        const double down = loss();
        x[i] = keep;
        g[i] = (up - down) / (2.0 * h);
    }
    return g;
}

// Central differences are accurate to ~1e-9 here; 1e-6 absolute + 1e-6 relative catches any real slip.
inline void check_gradient(const std::vector<double>& analytic, const std::vector<double>& numeric,
                           const std::string& what, double tol = 1e-6) {
    REQUIRE(analytic.size() == numeric.size());
    int bad = 0;
    for (size_t i = 0; i < analytic.size(); ++i) {
        const double err = std::fabs(analytic[i] - numeric[i]);
        if (err > tol * (1.0 + std::fabs(numeric[i])) && bad++ < 5)
            FAIL_CHECK(what << "[" << i << "]: backward " << analytic[i] << " but finite differences " << numeric[i]);
    }
    CHECK_MESSAGE(bad == 0, what << ": " << bad << " of " << analytic.size() << " entries differ");
}

inline std::vector<float> to_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

}  // namespace attn_test
