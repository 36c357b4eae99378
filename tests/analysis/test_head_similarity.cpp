// Jensen-Shannon divergence between heads (0 for the same map, ln 2 for disjoint one-hot rows,
// symmetric) and classical MDS (recovers the distances of points on a line and in a plane).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "analysis/analysis_fixtures.h"
#include "analysis/head_similarity.h"

using namespace attn;

TEST_CASE("JSD between heads: identical 0, disjoint ln 2, symmetric, a known middle value") {
    // Bidirectional, 3 heads, 2 queries, 2 keys: head 0 and 1 identical, head 2 disjoint from both.
    AttentionTensor a = attention_from({{{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}, {{0, 1}, {1, 0}}}}, false);
    HeadSimilarity s = head_similarity(a);
    REQUIRE(s.n == 3);
    REQUIRE(s.jsd.size() == 9);
    CHECK(s.jsd[0 * 3 + 1] == doctest::Approx(0.0f));
    CHECK(s.jsd[0 * 3 + 2] == doctest::Approx(std::log(2.0)));
    CHECK(s.jsd[1 * 3 + 2] == doctest::Approx(std::log(2.0)));
    for (int i = 0; i < 3; ++i) {
        CHECK(s.jsd[i * 3 + i] == 0.0f);
        for (int j = 0; j < 3; ++j) CHECK(s.jsd[i * 3 + j] == s.jsd[j * 3 + i]);
    }
    // (1, 0) against (0.5, 0.5): JSD = 0.5 ln(1/0.75) + 0.5 (0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25)).
    AttentionTensor b;
    b.n_layer = 1;
    b.n_head = 2;
    b.n_query = 1;
    b.n_key = 2;
    b.probs = {1, 0, 0.5f, 0.5f};
    const double expected = 0.5 * std::log(1 / 0.75) + 0.5 * (0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(0.5 / 0.25));
    CHECK(head_similarity(b).jsd[1] == doctest::Approx(expected).epsilon(1e-5));
    // The layout puts the identical heads on one point and the other ln(2)^(1/2) away.
    REQUIRE(s.layout.size() == 6);
    const float dx = s.layout[0] - s.layout[4], dy = s.layout[1] - s.layout[5];
    CHECK(std::hypot(dx, dy) == doctest::Approx(std::sqrt(std::log(2.0))).epsilon(1e-4));
    CHECK(std::hypot(s.layout[0] - s.layout[2], s.layout[1] - s.layout[3]) == doctest::Approx(0.0f).epsilon(1e-4));
}

TEST_CASE("a head with NaN is unlike every head (NaN JSD), off the layout, and leaves the others' layout as without it") {
    // Heads 0 and 1 identical, head 2 disjoint, head 3 holds a NaN (xlogx alone would read it as a one-hot row).
    const float nan = std::numeric_limits<float>::quiet_NaN();
    AttentionTensor a = attention_from({{{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}, {{0, 1}, {1, 0}}, {{nan, 0}, {0, 1}}}}, false);
    HeadSimilarity s = head_similarity(a);
    REQUIRE(s.n == 4);
    CHECK(s.bad == std::vector<char>{0, 0, 0, 1});
    for (int i = 0; i < 4; ++i) {
        CHECK(std::isnan(s.jsd[3 * 4 + i]));
        CHECK(std::isnan(s.jsd[i * 4 + 3]));
    }
    CHECK(s.jsd[0 * 4 + 2] == doctest::Approx(std::log(2.0)));
    CHECK(std::isnan(s.layout[6]));
    CHECK(std::isnan(s.layout[7]));
    const HeadSimilarity clean = head_similarity(attention_from({{{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}, {{0, 1}, {1, 0}}}}, false));
    for (int k = 0; k < 6; ++k) CHECK(s.layout[k] == doctest::Approx(clean.layout[k]));
}

TEST_CASE("JSD leaves out a causal model's first query row") {
    // Causal, 2 heads: they differ only... they cannot differ in row 0; rows 1 differ completely.
    AttentionTensor a = attention_from({{{{1, 0}, {1, 0}}, {{1, 0}, {0, 1}}}}, true);
    CHECK(head_similarity(a, true).jsd[1] == doctest::Approx(std::log(2.0)));
    CHECK(head_similarity(a, false).jsd[1] == doctest::Approx(std::log(2.0) / 2));
}

TEST_CASE("classical MDS recovers distances of points on a line and in a plane") {
    auto check_recovers = [](const std::vector<std::vector<double>>& points, int dims) {
        const int n = static_cast<int>(points.size());
        std::vector<float> d(static_cast<size_t>(n) * n);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0;
                for (size_t k = 0; k < points[i].size(); ++k) s += (points[i][k] - points[j][k]) * (points[i][k] - points[j][k]);
                d[static_cast<size_t>(i) * n + j] = static_cast<float>(std::sqrt(s));
            }
        std::vector<float> x = classical_mds(d, n, dims);
        REQUIRE(x.size() == static_cast<size_t>(n) * dims);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0;
                for (int k = 0; k < dims; ++k) s += (x[i * dims + k] - x[j * dims + k]) * (x[i * dims + k] - x[j * dims + k]);
                CHECK(std::sqrt(s) == doctest::Approx(d[static_cast<size_t>(i) * n + j]).epsilon(1e-4).scale(1));
            }
        return x;
    };
    std::vector<float> line = check_recovers({{0}, {1}, {3}, {7}, {-2}}, 2);
    for (int i = 0; i < 5; ++i) CHECK(line[i * 2 + 1] == doctest::Approx(0.0f).scale(1));   // one real axis
    check_recovers({{0, 0}, {4, 0}, {0, 3}, {1, 1}, {-2, 5}, {3, -1}}, 2);
    // Deterministic, with each axis's largest |coordinate| positive.
    std::vector<float> again = check_recovers({{0}, {1}, {3}, {7}, {-2}}, 2);
    CHECK(again == line);
    float largest = 0;
    for (int i = 0; i < 5; ++i)
        if (std::abs(line[i * 2]) > std::abs(largest)) largest = line[i * 2];
    CHECK(largest > 0);
}

TEST_CASE("head similarity on a fixture: n = L * H, symmetric, in [0, ln 2]") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    auto trace = model_trace_text(*model, "The animal didn't cross the street because it was too tired.", TraceOptions{});
    REQUIRE(trace.ok());
    HeadSimilarity s = head_similarity(trace->attentions);
    const int n = trace->attentions.n_layer * trace->attentions.n_head;
    REQUIRE(s.n == n);
    REQUIRE(s.layout.size() == static_cast<size_t>(n) * 2);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const float v = s.jsd[static_cast<size_t>(i) * n + j];
            CHECK(v == s.jsd[static_cast<size_t>(j) * n + i]);
            CHECK(v >= 0.0f);
            CHECK(v <= std::log(2.0f) + 1e-6f);
        }
}

TEST_CASE("HeadSimilarityJob: a unit per head, per pair and for the layout; any cut gives the same bits") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    auto trace = model_trace_text(*model, "The animal didn't cross the street because it was too tired.", TraceOptions{});
    REQUIRE(trace.ok());
    AttentionTensor a = trace->attentions;
    a.probs[a.probs.size() / 2 + 3] = std::numeric_limits<float>::quiet_NaN();   // one head with a bad value
    const int n = a.n_layer * a.n_head;
    const HeadSimilarity want = head_similarity(a);
    REQUIRE(want.n == n);
    for (long per_step : {1L, 7L, 1000L}) {
        CAPTURE(per_step);
        HeadSimilarityJob job(a);
        REQUIRE(job.units_total() == n + static_cast<long>(n) * (n - 1) / 2 + 1);
        long steps = 0;
        while (!job.step(per_step)) {
            ++steps;
            CHECK(job.units_done() == steps * per_step);
        }
        CHECK(steps + 1 == (job.units_total() + per_step - 1) / per_step);
        const HeadSimilarity got = job.take();
        CHECK(got.n == n);
        CHECK(got.bad == want.bad);
        REQUIRE(got.jsd.size() == want.jsd.size());
        REQUIRE(got.layout.size() == want.layout.size());
        CHECK(std::memcmp(got.jsd.data(), want.jsd.data(), got.jsd.size() * sizeof(float)) == 0);
        CHECK(std::memcmp(got.layout.data(), want.layout.data(), got.layout.size() * sizeof(float)) == 0);
    }
    // The last pair (n-2, n-1) was computed, and by the definition: the mean over rows 1.. of each row's JSD.
    const int i = n - 2, j = n - 1, T = a.n_query;
    double sum = 0.0;
    for (int t = 1; t < T; ++t) {
        double jsd = 0.0;
        for (int s = 0; s <= t; ++s) {
            const double p = a.at(i / a.n_head, i % a.n_head, t, s), q = a.at(j / a.n_head, j % a.n_head, t, s);
            const double m = 0.5 * (p + q);
            if (p > 0) jsd += 0.5 * p * std::log(p / m);
            if (q > 0) jsd += 0.5 * q * std::log(q / m);
        }
        sum += jsd;
    }
    CHECK(want.jsd[static_cast<size_t>(i) * n + j] == doctest::Approx(sum / (T - 1)).epsilon(1e-4));
    HeadSimilarityJob none{AttentionTensor{}};
    CHECK(none.done());
    CHECK(none.take().n == 0);
}
