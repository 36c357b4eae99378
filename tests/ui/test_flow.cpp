// The flow view: the pure edge selection (threshold, lit paths, cap), then frames on synthetic 12-layer
// traces of T = 1, 2, 64, 512 and on real gpt2-tiny and bart-tiny traces, hovering a top token through
// the rects the view publishes (as the browser tests do). The harness turns IM_ASSERTs into exceptions;
// every draw list must stay under 16-bit indices (WebGL).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>

#include "platform/file_io.h"
#include "tests/fixture_path.h"
#include "tests/ui/drawn_text.h"
#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/flow_edges.h"
#include "ui/flow_state.h"
#include "ui/picture.h"
#include "ui/views.h"

using namespace attn;

namespace {

bool drawn_text_has(std::string text) {
    text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
    return drawn_text().find(text) != std::string::npos;
}

ImVec2 center_of(const std::array<float, 4>& r) { return ImVec2(r[0] + r[2] * 0.5f, r[1] + r[3] * 0.5f); }

// Hovers top token j for enough frames to finish its max-flow row (or gives up after `max_frames`).
int hover_until_done(UiHarness& ui, int j, int max_frames) {
    int most = 0;
    for (int f = 0; f < max_frames; ++f) {
        REQUIRE(static_cast<int>(ui.app.widgets.flow_top.size()) > j);
        most = std::max(most, ui.frame(center_of(ui.app.widgets.flow_top[j])));
        if (ui.app.flow.flow_rows.count(j)) break;
    }
    return most;
}

}  // namespace

TEST_CASE("flow_edges: threshold, lit paths of an output token, cap") {
    Trace t = make_synthetic_trace(3, 2, 8, true);
    ResidualAttention ahat = residual_attention(t.attentions);
    const int T = 8;
    std::vector<FlowEdge> plain = flow_edges(ahat, 0.1f, {}, 0.005f, 100000);
    REQUIRE(!plain.empty());
    for (size_t x = 0; x < plain.size(); ++x) {
        const FlowEdge& e = plain[x];
        CHECK(e.weight >= 0.1f);
        CHECK(e.importance == 0.0f);
        CHECK(e.from <= e.to);   // causal: information only flows forward
        CHECK(e.weight == static_cast<float>(ahat.at(e.layer - 1, e.to, e.from)));
        if (x > 0) CHECK(plain[x - 1].weight <= e.weight);
    }
    // Self loops (the residual) are always strong: at least half of every token is itself.
    int loops = 0;
    for (const FlowEdge& e : plain) loops += e.from == e.to;
    CHECK(loops == 3 * T);

    // Lit paths for output token 5: nothing reaches it from tokens after it, every lit edge carries
    // importance(layer, to) * weight, and the lit importances entering each layer's row add up to 1
    // (all of token 5 comes from somewhere) when nothing is cut off.
    std::vector<double> imp = rollout_importance(ahat, 5);
    std::vector<FlowEdge> lit = flow_edges(ahat, 1.1f, imp, 0.0f, 100000);
    std::vector<double> per_layer(4, 0.0);
    for (const FlowEdge& e : lit) {
        CHECK(e.importance > 0.0f);
        CHECK(e.to <= 5);
        CHECK(e.importance == doctest::Approx(imp[static_cast<size_t>(e.layer) * T + e.to] * e.weight).epsilon(1e-5));
        per_layer[e.layer] += e.importance;
    }
    for (int l = 1; l <= 3; ++l) CHECK(per_layer[l] == doctest::Approx(1.0).epsilon(1e-4));
    // The top edges of the lit set all end at output token 5.
    for (const FlowEdge& e : lit)
        if (e.layer == 3) CHECK(e.to == 5);

    // A cap keeps lit edges first, and they are drawn last (on top).
    size_t dropped = 0;
    std::vector<FlowEdge> mixed = flow_edges(ahat, 0.0f, imp, 0.005f, 40, &dropped);
    REQUIRE(mixed.size() == 40);
    CHECK(dropped > 0);
    CHECK(mixed.back().importance > 0.0f);
    bool seen_lit = false;
    for (const FlowEdge& e : mixed) {
        if (e.importance > 0.0f) seen_lit = true;
        else CHECK_FALSE(seen_lit);   // no unlit edge after a lit one
    }
    CHECK(flow_edges(ResidualAttention{}, 0.0f, {}, 0.0f, 10).empty());
}

namespace {

// flow_edges' definition as one pass over Ahat (what it was before the candidates), without the cap.
std::vector<FlowEdge> flow_edges_by_definition(const ResidualAttention& ahat, float threshold,
                                               const std::vector<double>& importance, float min_importance) {
    std::vector<FlowEdge> edges;
    const int L = ahat.n_layer, T = ahat.n_token;
    const bool lit = importance.size() == static_cast<size_t>(L + 1) * T;
    for (int l = 1; l <= L; ++l)
        for (int k = 0; k < T; ++k)
            for (int i = 0; i < T; ++i) {
                const double w64 = ahat.at(l - 1, k, i), above = lit ? importance[static_cast<size_t>(l) * T + k] : 0.0;
                const float w = static_cast<float>(w64), imp = static_cast<float>(above * w64);
                const bool on_path = lit && imp > 0.0f && imp >= min_importance;
                if (w > 0.0f && (w >= threshold || on_path)) edges.push_back({w, on_path ? imp : 0.0f, l, i, k});
            }
    return edges;
}

std::vector<std::tuple<int, int, int, float, float>> as_list(const std::vector<FlowEdge>& edges) {
    std::vector<std::tuple<int, int, int, float, float>> out;
    for (const FlowEdge& e : edges) out.emplace_back(e.layer, e.to, e.from, e.weight, e.importance);
    return out;
}

std::vector<std::tuple<int, int, int, float, float>> as_set(const std::vector<FlowEdge>& edges) {
    std::vector<std::tuple<int, int, int, float, float>> out = as_list(edges);
    std::sort(out.begin(), out.end());
    return out;
}

// The candidates as the view gathered them before it made a layer in steps: whole layers, in order.
std::vector<FlowEdge> candidates_layer_by_layer(const ResidualAttention& ahat, float threshold) {
    std::vector<FlowEdge> out;
    for (int l = 1; l <= ahat.n_layer; ++l) flow_candidates_add(ahat, l, threshold, &out);
    return out;
}

}  // namespace

TEST_CASE("flow_edges from the candidates is the one-pass definition: thresholds, focus tokens, min importance, cap") {
    Trace t = make_synthetic_trace(4, 3, 24, true);
    ResidualAttention ahat = residual_attention(t.attentions);
    int checked = 0;
    for (float threshold : {0.0f, 0.05f, 0.1f, 0.5f})
        for (int focus : {-1, 0, 7, 23})
            for (float min_importance : {0.0f, 0.005f, 0.05f}) {
                CAPTURE(threshold);
                CAPTURE(focus);
                CAPTURE(min_importance);
                const std::vector<double> imp = focus >= 0 ? rollout_importance(ahat, focus) : std::vector<double>{};
                const std::vector<FlowEdge> want = flow_edges_by_definition(ahat, threshold, imp, min_importance);
                size_t dropped = 1;
                const std::vector<FlowEdge> all = flow_edges(ahat, threshold, imp, min_importance, SIZE_MAX, &dropped);
                CHECK(dropped == 0);
                CHECK(as_set(all) == as_set(want));
                // A cap keeps as many edges of each rank as the definition's top ones.
                const size_t cap = want.size() / 3;
                const std::vector<FlowEdge> capped = flow_edges(ahat, threshold, imp, min_importance, cap, &dropped);
                CHECK(capped.size() == cap);
                CHECK(dropped == want.size() - cap);
                ++checked;
            }
    CHECK(checked == 4 * 4 * 3);
}

TEST_CASE("flow view state: candidates gathered a layer a step, again when the threshold moves, given up when too many") {
    Trace t = make_synthetic_trace(3, 2, 16, false);
    FlowViewState s;
    s.threshold = 0.1f;
    flow_state_begin(s, 1, t.attentions);
    flow_state_step(s, t.attentions);
    CHECK(s.candidates_layers == 1);
    CHECK_FALSE(flow_state_candidates(s));   // two layers are still to be made
    while (!flow_state_ready(s)) flow_state_step(s, t.attentions);
    REQUIRE(flow_state_candidates(s));
    CHECK(as_set(s.candidates) == as_set(flow_edges_by_definition(s.ahat, 0.1f, {}, 0.005f)));
    s.threshold = 0.3f;   // up: the candidates are filtered
    REQUIRE(flow_state_candidates(s));
    CHECK(as_set(s.candidates) == as_set(flow_edges_by_definition(s.ahat, 0.3f, {}, 0.005f)));
    s.threshold = 0.05f;  // down: gathered again
    REQUIRE(flow_state_candidates(s));
    CHECK(as_set(s.candidates) == as_set(flow_edges_by_definition(s.ahat, 0.05f, {}, 0.005f)));
    // 12 layers of 480 x 480 at threshold 0: more edges than the state keeps (about a million).
    Trace big = make_synthetic_trace(12, 1, 480, false);
    FlowViewState b;
    b.threshold = 0.0f;
    flow_state_begin(b, 2, big.attentions);
    while (!flow_state_ready(b)) flow_state_step(b, big.attentions);
    INFO("edges: " << b.edge_count);
    REQUIRE(b.edge_count > (size_t{1} << 20));
    CHECK_FALSE(flow_state_candidates(b));
    CHECK(b.candidates.empty());
    b.threshold = 0.2f;   // a stricter threshold fits again
    CHECK(flow_state_candidates(b));
}

TEST_CASE("flow view state: a long trace's layer in several steps, the candidates kept up with its rows") {
    const Trace t = make_synthetic_trace(3, 2, 16, true);
    const ResidualAttention want = residual_attention(t.attentions);
    FlowViewState s;
    s.threshold = 0.1f;
    s.step_probs = 2 * 16 * 5;   // five rows of two heads' 16 probabilities: 4 steps a layer (5, 5, 5, 1)
    flow_state_begin(s, 1, t.attentions);
    flow_state_step(s, t.attentions);
    CHECK(s.ahat_done == 0);
    CHECK(s.ahat_rows == 5);
    CHECK(s.ahat.values.size() == 5 * 16);
    CHECK(s.candidates_layers == 0);
    CHECK(s.candidates_rows == 5);
    std::vector<FlowEdge> rows;
    flow_candidates_add(want, 1, 0.1f, &rows, 0, 5);
    CHECK(as_set(s.candidates) == as_set(rows));
    CHECK(s.edge_count == attention_flow_edge_count(want, 0, 0, 5));
    int steps = 1;
    for (; steps < 6; ++steps) flow_state_step(s, t.attentions);   // into layer 2: rows 0..5 of it made
    CHECK(s.ahat_done == 1);
    CHECK(s.ahat_rows == 10);
    s.threshold = 0.05f;   // mid-layer: gathered again over every row made so far, then kept up
    CHECK_FALSE(flow_state_candidates(s));
    CHECK(s.candidates_layers == 1);
    CHECK(s.candidates_rows == 10);
    while (!flow_state_ready(s)) {
        flow_state_step(s, t.attentions);
        ++steps;
    }
    CHECK(steps == 12);
    CHECK(s.ahat_rows == 0);
    CHECK(s.ahat.values == want.values);   // the same bits as the whole tensor at once
    CHECK(s.edge_count == attention_flow_edge_count(want));
    REQUIRE(flow_state_candidates(s));
    CHECK(as_list(s.candidates) == as_list(candidates_layer_by_layer(want, 0.05f)));   // in the same order
    CHECK(as_set(s.candidates) == as_set(flow_edges_by_definition(want, 0.05f, {}, 0.005f)));
}

TEST_CASE("flow view state: the max-flow row of a token the pointer rests on, the network built in steps") {
    const Trace t = make_synthetic_trace(3, 2, 16, true);
    FlowViewState s;
    s.step_probs = 2 * 16 * 5;   // Ahat 5 rows a step; the network's passes 10 rows a step
    flow_state_begin(s, 1, t.attentions);
    flow_state_focus(s, 7);
    CHECK(flow_state_row_wanted(s) == -1);   // Ahat is not made yet
    while (!flow_state_ready(s)) flow_state_step(s, t.attentions);
    REQUIRE(s.flow_fits);
    CHECK(flow_state_row_wanted(s) == -1);   // hovered for one frame: a sweeping pointer starts nothing
    flow_state_focus(s, 8);
    CHECK(flow_state_row_wanted(s) == -1);
    flow_state_focus(s, 8);
    REQUIRE(flow_state_row_wanted(s) == 8);  // rested for two frames
    int steps = 0;
    while (flow_state_row_wanted(s) == 8 && steps < 1000) {
        flow_state_row_step(s, 8);
        ++steps;
    }
    // The network: 3 layers of 16 rows, 10 rows a step, counted then filled (12 steps); then 16 sources.
    CHECK(steps == 12 + 16);
    CHECK(s.solver_pass == FlowViewState::SolverPass::built);
    REQUIRE(s.flow_rows.count(8) == 1);
    CHECK(s.flow_rows[8] == attention_flow_row(residual_attention(t.attentions), 8));   // the same bits
    const AttentionFlowSolver whole = attention_flow_solver(residual_attention(t.attentions));
    CHECK(s.solver.arc_to == whole.arc_to);
    CHECK(s.solver.capacity == whole.capacity);
    // A pinned token is wanted at once; a finished row is not wanted again.
    s.pinned = 3;
    flow_state_focus(s, 3);
    CHECK(flow_state_row_wanted(s) == 3);
    flow_state_focus(s, 8);
    flow_state_focus(s, 8);
    CHECK(flow_state_row_wanted(s) == -1);
    // A new trace starts over: nothing built, nothing in focus.
    flow_state_begin(s, 2, t.attentions);
    CHECK(s.solver_pass == FlowViewState::SolverPass::none);
    CHECK(s.flow_rows.empty());
    CHECK(s.focus == -1);
}

TEST_CASE("picture: a pinned flow token's max-flow row is computed whole, however long the trace") {
    UiHarness ui(ImVec2(1280, 800));
    const Trace trace = make_synthetic_trace(4, 2, 300, true);   // about 180k edges: 5 sources a frame, once
    app_show_trace(ui.app, trace, 1.0);
    ui.app.flow.pinned = 250;
    const Picture p = picture_render(ui.app, MainView::flow, 900, 600);
    REQUIRE_FALSE(p.image.rgba.empty());
    REQUIRE(ui.app.flow.flow_rows.count(250) == 1);
    CHECK(ui.app.flow.flow_rows[250] == attention_flow_row(residual_attention(trace.attentions), 250));
}

TEST_CASE("ui smoke: flow view on synthetic 12-layer traces, T = 1, 2, 64, 512") {
    const ImVec2 display(1280, 800);
    for (int T : {1, 2, 64, 512}) {
        CAPTURE(T);
        UiHarness ui(display);
        ui.app.main_view = MainView::flow;
        app_show_trace(ui.app, make_synthetic_trace(12, 4, T, true), 0.5);
        for (int iy = 0; iy < 5; ++iy)
            for (int ix = 0; ix < 5; ++ix) CHECK(ui.frame(ImVec2(display.x * (ix + 0.5f) / 5, display.y * (iy + 0.5f) / 5)) < 65536);
        // T = 512 is 12.6 M weights: Ahat comes a layer at a time (the test below); let it finish.
        for (int f = 0; f < 100 && !flow_state_ready(ui.app.flow); ++f) ui.frame();
        CHECK(ui.frame() < 65536);
        REQUIRE(static_cast<int>(ui.app.widgets.flow_top.size()) == T);
        const int j = T - 1;
        // Hovering the top token lights its paths: the drawn edges include lit ones, all into j at the top.
        CHECK(ui.frame(center_of(ui.app.widgets.flow_top[j])) < 65536);
        CHECK(ui.app.selection.hover_query == j);
        int lit = 0;
        for (const FlowEdge& e : ui.app.flow.edges)
            if (e.importance > 0.0f) {
                ++lit;
                if (e.layer == 12) CHECK(e.to == j);
            }
        CHECK(lit > 0);
        if (T <= 64) {   // small enough to finish the max-flow row in a few frames
            CHECK(hover_until_done(ui, j, 200) < 65536);
            REQUIRE(ui.app.flow.flow_rows.count(j) == 1);
            std::vector<double> expected = attention_flow_row(residual_attention(ui.app.trace.attentions), j);
            CHECK(ui.app.flow.flow_rows[j] == expected);
        }
        // Click pins the token: its paths stay lit with the mouse elsewhere; a second click unpins.
        ui.click(center_of(ui.app.widgets.flow_top[0]));
        CHECK(ui.app.flow.pinned == 0);
        CHECK(ui.frame(ImVec2(2, 2)) < 65536);
        CHECK(ui.app.flow.edges_token == 0);
        ui.click(center_of(ui.app.widgets.flow_top[0]));
        CHECK(ui.app.flow.pinned == -1);
        CHECK(ui.textures.uploads == 0);   // draw-list only
    }
}

TEST_CASE("ui smoke: flow view on gpt2-tiny and bart-tiny") {
    const ImVec2 display(1280, 800);
    {
        UiHarness ui(display);
        ui.app.main_view = MainView::flow;
        ui.app.text = "The animal didn't cross the street because it was too tired.";
        ui.load_fixture("gpt2-tiny");
        CHECK(ui.frame() < 65536);
        const int T = ui.app.trace.tokens.size();
        REQUIRE(static_cast<int>(ui.app.widgets.flow_top.size()) == T);
        for (int j : {T - 1, T / 2, 0}) {
            CAPTURE(j);
            CHECK(hover_until_done(ui, j, 50) < 65536);
            REQUIRE(ui.app.flow.flow_rows.count(j) == 1);
            const std::vector<double>& row = ui.app.flow.flow_rows[j];
            for (int i = j + 1; i < T; ++i) CHECK(row[i] == 0.0);   // causal: nothing from later tokens
            CHECK(row[j] > 0.25);   // the residual alone carries a quarter through two layers
        }
        // Threshold 1 hides every edge but the first token's self loops (it can only attend to itself).
        ui.app.flow.threshold = 1.0f;
        CHECK(ui.frame() < 65536);
        CHECK(ui.app.flow.edges.size() == 2);
        for (const FlowEdge& e : ui.app.flow.edges) CHECK((e.from == 0 && e.to == 0));
    }
    {
        UiHarness ui(display);
        ui.app.main_view = MainView::flow;
        ui.app.text = "The animal crossed the street.";
        ui.app.target = "L'animal a travers\xC3\xA9 la rue.";
        ui.load_fixture("bart-tiny");
        for (AttentionKind kind : {AttentionKind::self, AttentionKind::decoder, AttentionKind::cross}) {
            CAPTURE(attention_kind_name(kind));
            ui.app.selection.kind = kind;
            CHECK(ui.frame() < 65536);
            const int T = kind == AttentionKind::self ? ui.app.trace.tokens.size() : ui.app.trace.decoder_tokens.size();
            if (kind == AttentionKind::cross) {
                CHECK(ui.app.widgets.flow_top.empty());   // a message instead of a graph
                continue;
            }
            REQUIRE(static_cast<int>(ui.app.widgets.flow_top.size()) == T);
            CHECK(ui.app.flow.ahat.n_token == T);
            CHECK(hover_until_done(ui, T - 1, 50) < 65536);
            CHECK(ui.app.flow.flow_rows.count(T - 1) == 1);
        }
    }
}

TEST_CASE("ui: a large trace's flow graph comes a layer a frame, then equals residual_attention") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::flow;
    ui.app.step_above_weights = 0.0;   // every trace counts as large
    ui.app.trace_budget_ms = 0.0;      // one layer a frame
    const Trace trace = make_synthetic_trace(5, 3, 16, true);
    app_show_trace(ui.app, trace, 1.0);
    ui.frame();
    CHECK(ui.app.flow.ahat_done == 1);   // app_flow_frame begins it and makes one layer before the view draws
    CHECK(drawn_text_has("Preparing the flow graph: layer 1 of 5"));
    CHECK(ui.app.widgets.flow_top.empty());
    int frames = 1;
    while (!flow_state_ready(ui.app.flow) && frames < 50) {
        ui.frame();
        ++frames;
        if (!flow_state_ready(ui.app.flow)) CHECK(drawn_text_has("layer " + std::to_string(ui.app.flow.ahat_done) + " of 5"));
    }
    CHECK(frames == 5);
    ui.frame();
    CHECK(ui.app.widgets.flow_top.size() == 16);
    CHECK_FALSE(drawn_text_has("Preparing the flow graph"));
    CHECK(ui.app.flow.ahat.values == residual_attention(trace.attentions).values);
    CHECK(ui.app.flow.flow_fits);

    // A new trace starts over; other views make nothing; a picture makes it all at once.
    app_show_trace(ui.app, make_synthetic_trace(4, 2, 12, false), 1.0);
    ui.app.main_view = MainView::heatmap;
    for (int i = 0; i < 3; ++i) ui.frame();
    CHECK(ui.app.flow.ahat.n_token == 16);   // still the last trace's
    const Picture p = picture_render(ui.app, MainView::flow, 800, 500);
    CHECK(flow_state_ready(ui.app.flow));
    CHECK(ui.app.flow.ahat.n_token == 12);
    CHECK(p.widgets.flow_top.size() == 12);
}
