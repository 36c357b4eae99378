// Residual-adjusted attention and rollout: a hand-computed 2-layer case, then every fixture against
// transformers' attentions pushed through the reference's numpy rollout.
#include <doctest/doctest.h>

#include "analysis/rollout.h"
#include "analysis/analysis_fixtures.h"

using namespace attn;

namespace {

// One head. Layer 1 attends [1,0],[.5,.5]; layer 2 attends [1,0],[1,0].
// Ahat_1 = [[1,0],[.25,.75]], Ahat_2 = [[1,0],[.5,.5]], R = Ahat_2 Ahat_1 = [[1,0],[.625,.375]].
AttentionTensor two_by_two() { return attention_from({{{{1, 0}, {0.5f, 0.5f}}}, {{{1, 0}, {1, 0}}}}, true); }

}  // namespace

TEST_CASE("residual_attention and rollout: 2 layers x 2 tokens by hand") {
    ResidualAttention ahat = residual_attention(two_by_two());
    REQUIRE(ahat.n_layer == 2);
    REQUIRE(ahat.n_token == 2);
    CHECK(ahat.at(0, 1, 0) == doctest::Approx(0.25));
    CHECK(ahat.at(0, 1, 1) == doctest::Approx(0.75));
    CHECK(ahat.at(1, 1, 0) == doctest::Approx(0.5));
    std::vector<double> r = attention_rollout(ahat);
    CHECK(r[0] == doctest::Approx(1.0));
    CHECK(r[1] == doctest::Approx(0.0));
    CHECK(r[2] == doctest::Approx(0.625));
    CHECK(r[3] == doctest::Approx(0.375));

    // Importance of each node for output token 1: row L is the indicator, row 0 the rollout row.
    std::vector<double> imp = rollout_importance(ahat, 1);
    REQUIRE(imp.size() == 6);
    CHECK(imp[4] == 0.0);
    CHECK(imp[5] == 1.0);
    CHECK(imp[2] == doctest::Approx(0.5));   // (1,0): Ahat_2[1][0]
    CHECK(imp[3] == doctest::Approx(0.5));
    CHECK(imp[0] == doctest::Approx(0.625));
    CHECK(imp[1] == doctest::Approx(0.375));
    CHECK(rollout_importance(ahat, 2).empty());
}

TEST_CASE("residual_attention averages heads and renormalises rows") {
    // Two heads that disagree; the mean is [.5,.5] in row 1, so Ahat_1 row 1 = [.25,.75].
    AttentionTensor a = attention_from({{{{1, 0}, {1, 0}}, {{1, 0}, {0, 1}}}}, true);
    ResidualAttention ahat = residual_attention(a);
    CHECK(ahat.at(0, 1, 0) == doctest::Approx(0.25));
    CHECK(ahat.at(0, 1, 1) == doctest::Approx(0.75));
    // Rows not summing to 1 (a model never does this, but the definition renormalises anyway).
    AttentionTensor loose = attention_from({{{{0.5f, 0}, {0.2f, 0.2f}}}}, false);
    ResidualAttention n = residual_attention(loose);
    CHECK(n.at(0, 0, 0) == doctest::Approx(1.0));
    CHECK(n.at(0, 1, 0) == doctest::Approx(0.1 / 0.7));
}

TEST_CASE("rollout: cross attention and empty tensors have none") {
    AttentionTensor cross;
    cross.n_layer = 1;
    cross.n_head = 1;
    cross.n_query = 2;
    cross.n_key = 3;
    cross.probs.assign(6, 1.0f / 3);
    CHECK(residual_attention(cross).empty());
    CHECK(residual_attention(AttentionTensor{}).empty());
    CHECK(attention_rollout(residual_attention(cross)).empty());
}

TEST_CASE("rollout matches the reference on every fixture that has one") {
    for (const AnalysisFixture& f : analysis_fixtures()) {
        for_each_reference_case(f.name, [&](const AttentionTensor& a, const Reference& ref, int c) {
            ResidualAttention ahat = residual_attention(a);
            std::vector<double> r = attention_rollout(ahat);
            CHECK(max_abs_diff(to_float(r), ref.f32(c, "rollout")) < f.tolerance);
            const int T = a.n_query;
            for (int j = 0; j < T; ++j) {   // rows are distributions; causal: nothing from the future
                double sum = 0.0;
                for (int i = 0; i < T; ++i) sum += r[static_cast<size_t>(j) * T + i];
                CHECK(sum == doctest::Approx(1.0).epsilon(1e-9));
                if (a.causal && j + 1 < T) CHECK(r[static_cast<size_t>(j) * T + j + 1] == 0.0);
            }
            // Node importance for the last token bottoms out in the rollout's last row.
            std::vector<double> imp = rollout_importance(ahat, T - 1);
            for (int i = 0; i < T; ++i) CHECK(imp[i] == doctest::Approx(r[static_cast<size_t>(T - 1) * T + i]).epsilon(1e-9));
        });
    }
}

TEST_CASE("residual_attention's row extents: where each row's nonzero shares end; importance reads only them") {
    for (const AnalysisFixture& f : analysis_fixtures()) {
        for_each_reference_case(f.name, [&](const AttentionTensor& a, const Reference&, int) {
            const ResidualAttention ahat = residual_attention(a);
            const int T = a.n_query;
            REQUIRE(ahat.row_extent.size() == static_cast<size_t>(a.n_layer) * T);
            for (int l = 0; l < a.n_layer; ++l)
                for (int k = 0; k < T; ++k) {
                    const int n = ahat.extent(l, k);
                    REQUIRE(n > k);                                  // the identity half is on the diagonal
                    if (n < T) CHECK(ahat.at(l, k, n - 1) != 0.0);   // the last nonzero,
                    for (int i = n; i < T; ++i) CHECK(ahat.at(l, k, i) == 0.0);   // zeros after it
                    if (a.causal) CHECK(n == k + 1);   // transformers' masked softmax gives exact zeros
                }
            // The importance of every output token, the same bits as over whole rows.
            ResidualAttention whole_rows = ahat;
            whole_rows.row_extent.clear();
            for (int j = 0; j < T; ++j) CHECK(rollout_importance(ahat, j) == rollout_importance(whole_rows, j));
        });
    }
    // A zero share inside the row stays in it: only the tail is cut.
    const ResidualAttention gap = residual_attention(attention_from({{{{0.5f, 0, 0.5f}, {0, 1, 0}, {0, 0, 1}}}}, false));
    CHECK(gap.extent(0, 0) == 3);
    CHECK(gap.extent(0, 1) == 2);
    CHECK(gap.extent(0, 2) == 3);
}

TEST_CASE("rollout of BART's encoder and decoder self attention stacks") {
    ModelPtr model = load_fixture_model("bart-tiny");
    Reference ref = Reference::load("bart-tiny");
    auto trace = model_trace_seq2seq(*model, ref.ids(0, "input_ids"), ref.ids(0, "decoder_input_ids"), TraceOptions{});
    REQUIRE_MESSAGE(trace.ok(), trace.error().message);
    for (const AttentionTensor* a : {&trace->attentions, &trace->decoder_attentions}) {
        std::vector<double> r = attention_rollout(residual_attention(*a));
        const int T = a->n_query;
        REQUIRE(r.size() == static_cast<size_t>(T) * T);
        for (int j = 0; j < T; ++j) {
            double sum = 0.0;
            for (int i = 0; i < T; ++i) sum += r[static_cast<size_t>(j) * T + i];
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-9));
        }
    }
    CHECK(residual_attention(trace->cross_attentions).empty());
}
