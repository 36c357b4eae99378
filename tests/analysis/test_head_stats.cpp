// Entropy and mean distance per (layer, head, query) against the reference, plus the textbook values:
// a one-hot row has entropy 0, a uniform row log(S); a previous-token head has mean distance 1.
#include <doctest/doctest.h>

#include <cmath>

#include "analysis/analysis_fixtures.h"
#include "analysis/head_stats.h"

using namespace attn;

TEST_CASE("attention_entropy and attention_mean_distance by hand") {
    // Head 0: previous-token (row 0 has only itself). Head 1: uniform over the allowed keys.
    AttentionTensor a = attention_from({{{{1, 0, 0}, {1, 0, 0}, {0, 1, 0}},
                                         {{1, 0, 0}, {0.5f, 0.5f, 0}, {1.f / 3, 1.f / 3, 1.f / 3}}}},
                                       true);
    std::vector<float> e = attention_entropy(a), d = attention_mean_distance(a);
    REQUIRE(e.size() == 6);
    REQUIRE(d.size() == 6);
    CHECK(e[0] == 0.0f);
    CHECK(e[1] == 0.0f);
    CHECK(e[2] == 0.0f);
    CHECK(e[4] == doctest::Approx(std::log(2.0)));
    CHECK(e[5] == doctest::Approx(std::log(3.0)));
    CHECK(d[0] == 0.0f);
    CHECK(d[1] == 1.0f);
    CHECK(d[2] == 1.0f);
    CHECK(d[4] == doctest::Approx(0.5));
    CHECK(d[5] == doctest::Approx(1.0));   // (2 + 1 + 0) / 3

    AttentionTensor cross;
    cross.n_layer = cross.n_head = 1;
    cross.n_query = 1;
    cross.n_key = 4;
    cross.probs = {0.25f, 0.25f, 0.25f, 0.25f};
    CHECK(attention_entropy(cross)[0] == doctest::Approx(std::log(4.0)));
    CHECK(attention_mean_distance(cross).empty());   // positions of two different sequences
}

TEST_CASE("entropy and mean distance match the reference on every fixture") {
    for (const AnalysisFixture& f : analysis_fixtures()) {
        for_each_reference_case(f.name, [&](const AttentionTensor& a, const Reference& ref, int c) {
            // Entropy amplifies tiny weights' errors by |log w|; distance by up to T positions.
            CHECK(max_abs_diff(attention_entropy(a), ref.f32(c, "entropy")) < f.stats_tolerance);
            CHECK(max_abs_diff(attention_mean_distance(a), ref.f32(c, "mean_distance")) < f.stats_tolerance);
        });
    }
}
