// The attribution methods' pure parts on small hand-made inputs whose answers are worked out by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "analysis/activation_summary.h"
#include "analysis/attention_gradient.h"
#include "analysis/head_importance.h"
#include "analysis/integrated_gradients.h"
#include "analysis/logit_lens.h"
#include "analysis/occlusion.h"
#include "analysis/permutation.h"
#include "analysis/saliency.h"
#include "analysis/value_weighted.h"
#include "analysis_fixtures.h"

using namespace attn;

TEST_CASE("saliency_l2 and grad_x_input reduce each token's row (T=2, D=2)") {
    const std::vector<float> g = {3, 4, 0, -2}, e = {1, 2, 5, 0.5f};
    CHECK(saliency_l2(g, 2, 2) == std::vector<float>{5.0f, 2.0f});
    CHECK(grad_x_input(g, e, 2, 2) == std::vector<float>{11.0f, -1.0f});
}

TEST_CASE("integrated gradients: the right Riemann sum of a quadratic, and exact completeness for a linear score") {
    // f(e) = sum w e^2, grad at alpha e = 2 w alpha e, so ig = e * (1/N) sum_k 2 w (k/N) e = w e^2 (N+1)/N.
    const std::vector<float> w = {1.0f, -2.0f, 0.5f}, e = {2.0f, 1.0f, -3.0f};
    const int N = 4;
    IntegratedGradients ig(e, 3, 1, N);
    for (int k = N; k >= 1; --k) {   // any order
        std::vector<float> p = ig.path_point(k);
        CHECK(p[0] == doctest::Approx(e[0] * k / N));
        std::vector<float> grad(3);
        for (int i = 0; i < 3; ++i) grad[i] = 2 * w[i] * p[i];
        ig.add(grad);
    }
    CHECK(ig.steps_added() == N);
    std::vector<float> r = ig.result();
    for (int i = 0; i < 3; ++i) CHECK(r[i] == doctest::Approx(w[i] * e[i] * e[i] * (N + 1.0) / N));

    // Linear: f(e) = w . e, constant gradient; sum(ig) = f(e) - f(0) exactly.
    IntegratedGradients lin(e, 1, 3, 7);
    for (int k = 1; k <= 7; ++k) lin.add(w);
    std::vector<float> one = lin.result();
    REQUIRE(one.size() == 1);
    const float f = w[0] * e[0] + w[1] * e[1] + w[2] * e[2];
    CHECK(one[0] == doctest::Approx(f));
    CHECK(ig_completeness_gap(one, f + 1.5f, 1.5f) == doctest::Approx(0.0f).epsilon(1e-6));
    CHECK(ig_completeness_gap({1.0f, 2.0f}, 5.0f, 1.0f) == doctest::Approx(-1.0f));
}

TEST_CASE("occluded_embeds zeroes one row and ignores tokens outside the input (T=3, D=2)") {
    const std::vector<float> e = {1, 2, 3, 4, 5, 6};
    CHECK(occluded_embeds(e, 2, 1) == std::vector<float>{1, 2, 0, 0, 5, 6});
    CHECK(occluded_embeds(e, 2, 3) == e);
    CHECK(occluded_embeds(e, 2, -1) == e);
}

TEST_CASE("SplitMix64 gives Vigna's reference sequence") {
    SplitMix64 rng(1234567);
    CHECK(rng.next() == 6457827717110365317ull);
    CHECK(rng.next() == 3203168211198807973ull);
    CHECK(rng.next() == 9817491932198370423ull);
}

TEST_CASE("permutation tokens: seeded, in the vocabulary, never the original, covering it") {
    std::set<int32_t> seen;
    for (int sample = 0; sample < 400; ++sample) {
        const int32_t r = permutation_token(7, 3, sample, 10, 4);
        CHECK(r >= 0);
        CHECK(r < 10);
        CHECK(r != 4);
        CHECK(r == permutation_token(7, 3, sample, 10, 4));   // the same (seed, token, sample), the same token
        seen.insert(r);
    }
    CHECK(seen.size() == 9);   // every other token turns up
    // Different seeds and different positions draw differently.
    int same_seed = 0, same_token = 0;
    for (int sample = 0; sample < 50; ++sample) {
        same_seed += permutation_token(1, 0, sample, 50000, 0) == permutation_token(2, 0, sample, 50000, 0);
        same_token += permutation_token(1, 0, sample, 50000, 0) == permutation_token(1, 1, sample, 50000, 0);
    }
    CHECK(same_seed < 3);
    CHECK(same_token < 3);
    CHECK(permutation_token(1, 0, 0, 1, 0) == 0);   // a one-token vocabulary has nothing else to draw
}

TEST_CASE("attention x gradient (Chefer 2021): R = I, R += mean_h((dA*A)^+) @ R, row of the scored position") {
    // One layer, two heads, T = 2. Head 0: A = [[1,0],[.5,.5]], dA = [[0,0],[1,-1]] -> (dA*A)^+ = [[0,0],[.5,0]].
    // Head 1: A = [[1,0],[.2,.8]], dA = [[3,0],[0,1]] -> [[3,0],[0,.8]]. Mean: [[1.5,0],[.25,.4]].
    AttentionTensor a = attention_from({{{{1, 0}, {0.5f, 0.5f}}, {{1, 0}, {0.2f, 0.8f}}}}, true);
    std::vector<float> da = {0, 0, 1, -1, 3, 0, 0, 1};
    // R = I + cam = [[2.5, 0], [.25, 1.4]].
    std::vector<float> r1 = attention_x_gradient(a, da, 1);
    REQUIRE(r1.size() == 2);
    CHECK(r1[0] == doctest::Approx(0.25));
    CHECK(r1[1] == doctest::Approx(1.4));
    CHECK(attention_x_gradient(a, da, 0)[0] == doctest::Approx(2.5));

    // Two layers, one head each: the second layer multiplies on the left (cam2 @ R), not on the right.
    AttentionTensor b = attention_from({{{{1, 0}, {1, 0}}}, {{{0, 1}, {0, 1}}}}, false);
    std::vector<float> db = {0, 0, 1, 0,    // layer 0: cam1 = [[0,0],[1,0]]
                             0, 1, 0, 0};   // layer 1: cam2 = [[0,1],[0,0]]
    // R1 = I + cam1 = [[1,0],[1,1]]; R2 = R1 + cam2 @ R1 = [[1,0],[1,1]] + [[1,1],[0,0]] = [[2,1],[1,1]].
    // (R1 + R1 @ cam2 would give [[1,1],[1,2]].)
    std::vector<float> r0 = attention_x_gradient(b, db, 0);
    CHECK(r0 == std::vector<float>{2.0f, 1.0f});
    CHECK(attention_x_gradient(b, db, 1) == std::vector<float>{1.0f, 1.0f});

    CHECK(attention_x_gradient(b, db, 2).empty());
    CHECK(attention_x_gradient(b, {1.0f}, 0).empty());
}

TEST_CASE("head importance is |d score / d gate|; ablation gates switch one head off (L=2, H=3)") {
    CHECK(head_importance({-0.5f, 0.0f, 2.0f}) == std::vector<float>{0.5f, 0.0f, 2.0f});
    CHECK(ablation_gates(2, 3, 1, 2) == std::vector<float>{1, 1, 1, 1, 1, 0});
    CHECK(ablation_gates(2, 3, 0, 0) == std::vector<float>{0, 1, 1, 1, 1, 1});
}

TEST_CASE("logit lens of one state: argmax, top-k softmax, rank and probability of a token (T=2, V=4)") {
    const std::vector<float> z = {1, 3, 2, 3,      // position 0: a tie between ids 1 and 3
                                  0, 0, 0, std::log(5.0f)};
    std::vector<int32_t> argmax(2), ids(6);
    std::vector<float> probs(6);
    lens_state_fill(z.data(), 2, 4, 3, argmax.data(), ids.data(), probs.data());
    CHECK(argmax == std::vector<int32_t>{1, 3});
    CHECK(ids == std::vector<int32_t>{1, 3, 2, 3, 0, 1});
    const double s0 = std::exp(1.0) + 2 * std::exp(3.0) + std::exp(2.0);
    CHECK(probs[0] == doctest::Approx(std::exp(3.0) / s0));
    CHECK(probs[2] == doctest::Approx(std::exp(2.0) / s0));
    CHECK(probs[3] == doctest::Approx(5.0 / 8.0));
    CHECK(probs[4] == doctest::Approx(1.0 / 8.0));

    TokenRank r = lens_token_rank(z.data(), 4, 3);
    CHECK(r.rank == 1);   // id 1 has the same logit and a lower id
    CHECK(r.prob == doctest::Approx(std::exp(3.0) / s0));
    CHECK(lens_token_rank(z.data(), 4, 0).rank == 3);
    CHECK(lens_token_rank(z.data() + 4, 4, 3).rank == 0);

    // k larger than the vocabulary: the extra slots say "none".
    std::vector<int32_t> ids5(5);
    std::vector<float> probs5(5);
    lens_state_fill(z.data() + 4, 1, 4, 5, nullptr, ids5.data(), probs5.data());
    CHECK(ids5[4] == -1);
    CHECK(probs5[4] == 0.0f);
}

TEST_CASE("activation summary: norms of the observed stream and sublayer outputs (L=1, T=2, D=2)") {
    ObservedTensors seen(activation_names(1));
    ForwardObserver observe = seen.observer();
    const float embed[] = {3, 4, 0, 1}, attn_out[] = {1, 0, 0, 2}, mlp_out[] = {0, 0, 6, 8}, out[] = {4, 4, 6, 11};
    const float other[] = {9, 9, 9, 9};
    observe("embed", 2, 2, embed);
    observe("layer.0.attn_out", 2, 2, attn_out);
    observe("layer.0.resid_mid", 2, 2, other);   // not asked for: not kept
    observe("layer.0.mlp_out", 2, 2, mlp_out);
    observe("layer.0.out", 2, 2, out);
    CHECK(seen.find("layer.0.resid_mid") == nullptr);
    ActivationSummary s = activation_summary(seen, 1, 2);
    CHECK(s.hidden_norm[0] == doctest::Approx(5));
    CHECK(s.hidden_norm[1] == doctest::Approx(1));
    CHECK(s.hidden_norm[2] == doctest::Approx(std::sqrt(32.0)));
    CHECK(s.hidden_norm[3] == doctest::Approx(std::sqrt(157.0)));
    CHECK(s.attn_norm == std::vector<float>{1, 2});
    CHECK(s.mlp_norm == std::vector<float>{0, 10});

    ObservedTensors none(activation_names(1));
    ActivationSummary empty = activation_summary(none, 1, 2);   // nothing observed: zeros, shapes kept
    CHECK(empty.hidden_norm.size() == 4);
    CHECK(empty.mlp_norm == std::vector<float>{0, 0});
}

TEST_CASE("value-weighted attention: a sink with a zero value gets no weight (grouped-query values, H=2, KV=1)") {
    ObservedTensors seen(value_names(1));
    // Keys: 0 a sink (value 0), 1 with ||v|| = 5, 2 with ||v|| = 1; one kv head of size 2 read by both heads.
    const float values[] = {0, 0, 3, 4, 1, 0};
    seen.observer()("layer.0.values", 3, 2, values);
    std::vector<float> vn = value_norms(seen, 1, 2, 1, 3);
    CHECK(vn == std::vector<float>{0, 5, 1, 0, 5, 1});

    AttentionTensor a = attention_from({{{{0.8f, 0.1f, 0.1f}, {0.5f, 0.0f, 0.5f}, {1, 0, 0}},
                                         {{0.2f, 0.4f, 0.4f}, {0, 0, 1}, {0.5f, 0.5f, 0}}}},
                                       false);
    std::vector<float> w = value_weighted_attention(a, vn);
    REQUIRE(w.size() == 18);
    CHECK(w[0] == 0.0f);
    CHECK(w[1] == doctest::Approx(0.5 / 0.6));   // 0.1*5 / (0.1*5 + 0.1*1)
    CHECK(w[2] == doctest::Approx(0.1 / 0.6));
    CHECK(w[5] == doctest::Approx(1.0));         // 0.5 on the sink, 0.5 on key 2: all on key 2
    CHECK(w[6] == 0.0f);                          // a row only on the sink stays zero
    CHECK(w[7] == 0.0f);
    CHECK(w[9] == 0.0f);
    CHECK(w[10] == doctest::Approx(2.0 / 2.4));  // head 1 row 0: 0.4*5 / (0.4*5 + 0.4*1)
    CHECK(w[16] == doctest::Approx(1.0));        // head 1 row 2: 0.5 on the sink, 0.5 on key 1
    CHECK(value_weighted_attention(a, {1.0f}) == std::vector<float>(18, 0.0f));
}
