// Attention flow (max flow on the layered graph): a case solved by hand, the bounds any max flow here
// must respect (rollout is a feasible flow, so it is a lower bound; the output node's in-capacity 1
// and the input node's out-capacity are upper bounds), and every fixture case the reference
// computed with networkx (T <= 12).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "analysis/attention_flow.h"
#include "analysis/analysis_fixtures.h"

using namespace attn;

namespace {

// Checks flow against rollout and the capacity bounds, for every pair.
void check_flow_bounds(const ResidualAttention& ahat, const std::vector<double>& flow, bool causal) {
    const int T = ahat.n_token;
    std::vector<double> r = attention_rollout(ahat);
    for (int i = 0; i < T; ++i) {
        double out_capacity = 0.0;   // column i of Ahat_1: everything that can leave input node i
        for (int k = 0; k < T; ++k) out_capacity += ahat.at(0, k, i);
        for (int j = 0; j < T; ++j) {
            const double f = flow[static_cast<size_t>(j) * T + i];
            CHECK(f >= r[static_cast<size_t>(j) * T + i] - 1e-9);
            CHECK(f <= 1.0 + 1e-9);
            CHECK(f <= out_capacity + 1e-9);
            if (causal && i > j) CHECK(f == 0.0);
        }
    }
}

}  // namespace

TEST_CASE("attention_flow: 2 layers x 2 tokens by hand") {
    // Ahat_1 = [[1,0],[.25,.75]], Ahat_2 = [[1,0],[.5,.5]] (see test_rollout.cpp).
    // Into (2,1) from (0,0): via (1,0) min(1,.5) = .5, via (1,1) min(.25,.5) = .25, total .75.
    // From (0,1): only via (1,1), min(.75,.5) = .5. Rollout gives .625 and .375: flow is not rollout.
    ResidualAttention ahat = residual_attention(attention_from({{{{1, 0}, {0.5f, 0.5f}}}, {{{1, 0}, {1, 0}}}}, true));
    std::vector<double> f = attention_flow(ahat);
    REQUIRE(f.size() == 4);
    CHECK(f[0] == doctest::Approx(1.0));    // [j=0][i=0]
    CHECK(f[1] == doctest::Approx(0.0));    // causal: token 1 cannot reach output 0
    CHECK(f[2] == doctest::Approx(0.75));
    CHECK(f[3] == doctest::Approx(0.5));
    std::vector<double> row = attention_flow_row(ahat, 1);
    CHECK(row[0] == doctest::Approx(0.75));
    CHECK(row[1] == doctest::Approx(0.5));
    CHECK(attention_flow_edge_count(ahat) == 6);   // 3 per layer: the zero above the diagonal is no edge
    CHECK(attention_flow_edge_count(ahat, 0) == 3);
    CHECK(attention_flow_edge_count(ahat, 1) == 3);
}

TEST_CASE("attention_flow: 3 tokens, 2 layers by hand, with dead-end branches") {
    // Branches into layer-2 nodes other than the output must not count. Hand computation below.
    // Layer 1 (one head) attention rows: t0 [1,0,0], t1 [1,0,0], t2 [0,1,0]
    //   Ahat_1 = [[1,0,0],[.5,.5,0],[0,.5,.5]]
    // Layer 2: t2 [.5,.5,0] (others self)   Ahat_2 row 2 = [.25,.25,.5]
    // Output (2,2) in-edges: (1,0) .25, (1,1) .25, (1,2) .5.
    // From input 0: (0,0)->(1,0) 1 -> .25; (0,0)->(1,1) .5 -> .25; (1,2) unreachable from (0,0). Flow .5.
    // From input 1: (0,1)->(1,1) .5 -> .25; (0,1)->(1,2) .5 -> .5. Flow .75.
    // From input 2: (0,2)->(1,2) .5 -> .5. Flow .5.
    AttentionTensor a = attention_from({{{{1, 0, 0}, {1, 0, 0}, {0, 1, 0}}}, {{{1, 0, 0}, {0, 1, 0}, {0.5f, 0.5f, 0}}}}, true);
    ResidualAttention ahat = residual_attention(a);
    std::vector<double> row = attention_flow_row(ahat, 2);
    CHECK(row[0] == doctest::Approx(0.5));
    CHECK(row[1] == doctest::Approx(0.75));
    CHECK(row[2] == doctest::Approx(0.5));
    check_flow_bounds(ahat, attention_flow(ahat), true);
}

TEST_CASE("attention_flow: one pair at a time equals the row and the matrix") {
    Reference ref = Reference::load("gpt2-tiny");
    const std::vector<float> probs = ref.f32(1, "attentions");   // T=10, 2 layers, 4 heads
    AttentionTensor a;
    a.n_layer = 2;
    a.n_head = 4;
    a.n_query = a.n_key = 10;
    a.causal = true;
    a.probs = probs;
    ResidualAttention ahat = residual_attention(a);
    std::vector<double> all = attention_flow(ahat);
    AttentionFlowSolver solver = attention_flow_solver(ahat);
    for (int j : {9, 3, 0}) {
        std::vector<double> row = attention_flow_row(ahat, j);
        for (int i = 9; i >= 0; --i) {   // any order: the solver keeps nothing between queries
            CHECK(row[i] == all[static_cast<size_t>(j) * 10 + i]);
            CHECK(attention_flow_between(solver, i, j) == doctest::Approx(row[i]).epsilon(1e-12));
        }
    }
    CHECK(attention_flow_between(solver, -1, 0) == 0.0);
    CHECK(attention_flow_between(solver, 0, 10) == 0.0);
    // Built in steps of a few rows (what the flow view does for a long trace): the same arrays.
    AttentionFlowSolver in_steps;
    attention_flow_solver_begin(ahat, &in_steps);
    for (int l = 1; l <= ahat.n_layer; ++l)
        for (int k = 0; k < 10; k += 3) attention_flow_solver_count(ahat, l, k, std::min(10, k + 3), &in_steps);
    attention_flow_solver_offsets(&in_steps);
    for (int l = 1; l <= ahat.n_layer; ++l)
        for (int k = 0; k < 10; k += 4) attention_flow_solver_fill(ahat, l, k, std::min(10, k + 4), &in_steps);
    attention_flow_solver_end(&in_steps);
    CHECK(in_steps.first == solver.first);
    CHECK(in_steps.arc_to == solver.arc_to);
    CHECK(in_steps.arc_edge == solver.arc_edge);
    CHECK(in_steps.capacity == solver.capacity);
    CHECK(attention_flow_between(in_steps, 2, 9) == attention_flow_between(solver, 2, 9));
    check_flow_bounds(ahat, all, true);

    // A layer at a time into a reused buffer (what the flow view does for a long trace): the same bits.
    ResidualAttention stepped;
    stepped.values.assign(7, 3.0);   // what was there goes
    residual_attention_begin(a, &stepped);
    CHECK(stepped.n_layer == 2);
    CHECK(stepped.n_token == 10);
    CHECK(stepped.values.empty());   // reserved, not zeroed: each layer faults in only its own block
    CHECK(stepped.values.capacity() >= ahat.values.size());
    for (int l = 0; l < stepped.n_layer; ++l) {
        residual_attention_layer(a, l, &stepped);
        CHECK(stepped.values.size() == static_cast<size_t>(l + 1) * 10 * 10);
    }
    CHECK(stepped.values == ahat.values);
    residual_attention_begin(a, &stepped);   // again, into the same memory: the same bits
    for (int l = 0; l < stepped.n_layer; ++l) residual_attention_layer(a, l, &stepped);
    CHECK(stepped.values == ahat.values);
    // A few rows at a time (what the flow view does at T = 1024): values holds just the rows made, and
    // the edge counts of the row ranges add up to the layer's.
    residual_attention_begin(a, &stepped);
    for (int l = 0; l < stepped.n_layer; ++l) {
        size_t edges = 0;
        for (int k = 0; k < 10; k += 3) {
            const int end = std::min(10, k + 3);
            residual_attention_rows(a, l, k, end, &stepped);
            CHECK(stepped.values.size() == static_cast<size_t>(l) * 100 + static_cast<size_t>(end) * 10);
            edges += attention_flow_edge_count(stepped, l, k, end);
        }
        CHECK(edges == attention_flow_edge_count(ahat, l));
    }
    CHECK(stepped.values == ahat.values);
    CHECK(attention_flow_edge_count(ahat, 1, 4, 4) == 0);
    CHECK(attention_flow_edge_count(ahat, 1, 3, 4) == 4);   // causal: row 3 reaches tokens 0..3
    a.n_key = 9;   // not square: empty, as residual_attention
    a.probs.resize(static_cast<size_t>(2) * 4 * 10 * 9);
    residual_attention_begin(a, &stepped);
    CHECK(stepped.empty());
    CHECK(stepped.n_layer == 0);
}

TEST_CASE("attention_flow: bounds on a synthetic 4-layer, 24-token non-causal stack") {
    const int L = 4, H = 3, T = 24;
    AttentionTensor a;
    a.n_layer = L;
    a.n_head = H;
    a.n_query = a.n_key = T;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h)
            for (int t = 0; t < T; ++t) {
                std::vector<float> row(T);
                float sum = 0.0f;
                for (int s = 0; s < T; ++s) sum += row[s] = std::exp(std::sin(0.7f * s * (h + 1) + 1.3f * t + l) * 3.0f);
                for (float w : row) a.probs.push_back(w / sum);
            }
    ResidualAttention ahat = residual_attention(a);
    std::vector<double> f = attention_flow(ahat);
    check_flow_bounds(ahat, f, false);
    // A non-causal, well-mixed stack lets most inputs push far more than their rollout share.
    double flow_sum = 0.0, rollout_sum = 0.0;
    std::vector<double> r = attention_rollout(ahat);
    for (size_t x = 0; x < f.size(); ++x) flow_sum += f[x], rollout_sum += r[x];
    CHECK(flow_sum > rollout_sum);
}

TEST_CASE("attention_flow matches networkx on every fixture case that has it (T <= 12)") {
    int compared = 0;
    for (const AnalysisFixture& fx : analysis_fixtures()) {
        for_each_reference_case(fx.name, [&](const AttentionTensor& a, const Reference& ref, int c) {
            if (!ref.has(c, "attention_flow")) return;
            ResidualAttention ahat = residual_attention(a);
            std::vector<double> f = attention_flow(ahat);
            CHECK(max_abs_diff(to_float(f), ref.f32(c, "attention_flow")) < fx.tolerance);
            check_flow_bounds(ahat, f, a.causal);
            ++compared;
        });
    }
    CHECK(compared >= 10);   // 2 cases in each of the 5 decoder fixtures
}
