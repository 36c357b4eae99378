// Log-softmax and the attribution score (plain and contrastive): backward against finite differences in
// double; the f32 log-softmax against a direct double computation on a wide row.
#include <doctest/doctest.h>

#include <cmath>

#include "core/nn_loss.h"
#include "finite_diff.h"

using namespace attn;
using namespace attn_test;

TEST_CASE("logsoftmax backward matches finite differences (T=3, V=7)") {
    const int T = 3, V = 7;
    std::mt19937 rng(71);
    std::vector<double> z = random_values(T * V, rng, 3.0);
    const std::vector<double> dlp = random_values(T * V, rng);
    std::vector<double> lp(T * V), dz(T * V);
    auto loss = [&] {
        logsoftmax_forward(lp.data(), z.data(), T, V);
        return dot(lp, dlp);
    };
    loss();
    logsoftmax_backward(dz.data(), dlp.data(), lp.data(), T, V);
    check_gradient(dz, numeric_gradient(z, loss), "logsoftmax dlogits");
}

TEST_CASE("score backward matches finite differences, target alone and with a foil (V=1, V=9)") {
    for (int V : {1, 9})
        for (int foil : {-1, 2}) {
            if (foil >= V) continue;
            const int target = V - 1;
            std::mt19937 rng(72 + V);
            std::vector<double> z = random_values(V, rng, 3.0), lp(V), dz(V);
            auto loss = [&] {
                logsoftmax_forward(lp.data(), z.data(), 1, V);
                return score_forward(lp.data(), target, foil);
            };
            loss();
            score_backward(dz.data(), lp.data(), V, target, foil, 1.0);
            check_gradient(dz, numeric_gradient(z, loss), "score dlogits V=" + std::to_string(V) + " foil=" +
                                                              std::to_string(foil));
            loss();  // numeric_gradient left lp at a perturbed point
            // The same gradient through the general log-softmax backward with a one-hot (or +1/-1) dlogprobs.
            std::vector<double> dlp(V, 0.0), dz_general(V, 0.0);
            dlp[target] += 1.0;
            if (foil >= 0) dlp[foil] -= 1.0;
            logsoftmax_backward(dz_general.data(), dlp.data(), lp.data(), 1, V);
            for (int i = 0; i < V; ++i) CHECK(dz[i] == doctest::Approx(dz_general[i]).epsilon(1e-12));
        }
}

TEST_CASE("logsoftmax f32 forward is accurate on a wide row (T=1, V=50257)") {
    const int V = 50257;
    std::mt19937 rng(73);
    const std::vector<double> z = random_values(V, rng, 4.0);
    const std::vector<float> zf = to_float(z);
    std::vector<float> lp(V);
    logsoftmax_forward(lp.data(), zf.data(), 1, V);
    double max_z = -1e300, sum = 0.0;
    for (float x : zf) max_z = std::max(max_z, static_cast<double>(x));
    for (float x : zf) sum += std::exp(x - max_z);
    double prob_total = 0.0;
    for (int i = 0; i < V; i += 997) CHECK(lp[i] == doctest::Approx(zf[i] - max_z - std::log(sum)).epsilon(1e-6));
    for (float x : lp) prob_total += std::exp(static_cast<double>(x));
    CHECK(prob_total == doctest::Approx(1.0).epsilon(1e-5));
}
