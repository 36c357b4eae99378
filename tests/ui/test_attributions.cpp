// The views about one prediction, drawn from hand-made results (the job's own output is checked against
// the model in test_attribution_job.cpp): the Attributions panel's colours, picker and agreement
// numbers, the logit lens grid and its hover, the activations grid's clicks, and the job progress strip.
#include <doctest/doctest.h>

#include <cmath>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/analysis_views.h"
#include "ui/attribution_methods.h"
#include "ui/colormap.h"

using namespace attn;

namespace {

// One frame that draws only `draw` in a full-display window; returns the largest draw list's vertices.
template <class F>
int view_frame(ImVec2 mouse, bool down, F&& draw) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse;
    io.MouseDown[0] = down;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("view", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    draw();
    ImGui::End();
    ImGui::Render();
    int most = 0;
    ImDrawData* dd = ImGui::GetDrawData();
    for (int i = 0; i < dd->CmdListsCount; ++i) most = std::max(most, dd->CmdLists[i]->VtxBuffer.Size);
    return most;
}

// A click: one frame with the button down, one with it up, `draw` run in both.
template <class F>
void view_click(ImVec2 at, F&& draw) {
    view_frame(at, true, draw);
    view_frame(at, false, draw);
}

Attribution hand_made_attribution(int T, int L, int H) {
    Attribution a;
    a.n_token = T;
    a.n_layer = L;
    a.n_head = H;
    a.n_embd = 4;
    a.position = T - 1;
    a.target = 7;
    a.score = -1.5f;
    a.target_logprob = -1.5f;
    a.baseline_logprob = -4.0f;
    a.ig_completeness_gap = 0.01f;
    for (int t = 0; t < T; ++t) {
        const float x = static_cast<float>(t);
        a.saliency_l2.push_back(1.0f + std::sin(x));
        a.grad_x_input.push_back(std::sin(0.7f * x));
        a.integrated_gradients.push_back(std::cos(0.5f * x) - 0.2f);
        a.occlusion_zero.push_back(0.1f * x - 0.3f);
        a.attn_x_grad.push_back(x == T - 1 ? 1.0f : 0.1f);
    }
    a.rollout.assign(static_cast<size_t>(T) * T, 1.0f / T);
    return a;
}

std::string piece_of(int32_t id) { return "\xC4\xA0tok" + std::to_string(id); }

}  // namespace

TEST_CASE("attribution methods: one table, Spearman's rho and the top token") {
    CHECK(attribution_method_index("integrated_gradients") == kMethodIntegratedGradients);
    CHECK(attribution_method_index("rollout") == kNumAttributionMethods - 1);
    CHECK(attribution_method_index("nope") == -1);
    CHECK(spearman({1, 2, 3, 4}, {10, 20, 30, 40}) == doctest::Approx(1.0));
    CHECK(spearman({1, 2, 3, 4}, {4, 3, 2, 1}) == doctest::Approx(-1.0));
    CHECK(spearman({1, 2, 3, 4}, {5, 5, 5, 5}) == 0.0f);   // constant: no order
    // Ties get mean ranks: ranks (0, 1.5, 1.5, 3) against (0, 1, 2, 3).
    CHECK(spearman({1, 2, 2, 3}, {1, 2, 3, 4}) == doctest::Approx(0.9486833).epsilon(1e-5));
    CHECK(top_index({0.1f, -3.0f, 0.5f, 0.2f}) == 2);
    CHECK(top_index({}) == -1);
    // The rollout method reads the scored position's row of the (T, T) matrix.
    Attribution a = hand_made_attribution(5, 2, 2);
    a.rollout[4 * 5 + 2] = 0.9f;
    std::vector<float> row = kAttributionMethods[attribution_method_index("rollout")].scores(a);
    REQUIRE(row.size() == 5);
    CHECK(row[2] == 0.9f);
    CHECK(kAttributionMethods[attribution_method_index("permutation")].scores(a).empty());   // not computed
}

TEST_CASE("diverging colormap: blue below zero, near-white at zero, red above") {
    const ColormapTable& t = colormap_diverging();
    CHECK(t[0] < t[2]);                      // index 0: blue dominates
    CHECK(t[255 * 4] > t[255 * 4 + 2]);      // index 255: red dominates
    const uint8_t* mid = &t[128 * 4];
    CHECK(std::min({mid[0], mid[1], mid[2]}) > 230);
    CHECK(colormap_signed_color(0.0f, 1.0f) == colormap_color(t, 0.5f));
    CHECK(colormap_signed_color(-5.0f, 1.0f) == colormap_color(t, 0.0f));   // clamped
}

TEST_CASE("ui smoke: the Attributions panel draws scores, picks a foil and reports its buttons") {
    const ImVec2 display(1280, 720);
    UiHarness ui(display);
    Trace trace = make_synthetic_trace(2, 2, 12, true);
    Attribution a = hand_made_attribution(12, 2, 2);
    std::vector<TokenProb> candidates = {{7, "a", 0.5f}, {9, "b", 0.2f}, {11, "c", 0.1f}};
    std::vector<std::array<float, 4>> targets, foils;
    std::array<float, 4> run{}, tokens{}, method{};
    AttributionsActions got;
    for (int m = 0; m < kNumAttributionMethods; ++m) {
        CAPTURE(m);
        AttributionsData d;
        d.result = &a;
        d.tokens = &trace.tokens;
        d.piece_style = PieceStyle::byte_level;
        d.piece_of = piece_of;
        d.method = m;
        d.candidates = &candidates;
        d.target_rects = &targets;
        d.foil_rects = &foils;
        d.run_rect = &run;
        d.tokens_rect = &tokens;
        d.method_rect = &method;
        CHECK(view_frame(ImVec2(-1, -1), false, [&] { show_attributions(ui.app.selection, d); }) < 65536);
        const bool computed = !kAttributionMethods[m].scores(a).empty();
        CHECK((tokens[2] > 0.0f) == computed);   // the coloured tokens only for a computed method
    }
    REQUIRE(targets.size() == 3);
    REQUIRE(foils.size() == 4);   // "no foil" first
    CHECK(run[2] > 0.0f);

    AttributionsData d;
    d.result = &a;
    d.tokens = &trace.tokens;
    d.piece_of = piece_of;
    d.candidates = &candidates;
    d.target_rects = &targets;
    d.foil_rects = &foils;
    d.run_rect = &run;
    d.tokens_rect = &tokens;
    auto draw = [&] {
        AttributionsActions act = show_attributions(ui.app.selection, d);
        if (act.foil != -2) got.foil = act.foil;
        if (act.target != -2) got.target = act.target;
        if (act.run) got.run = true;
    };
    view_frame(ImVec2(-1, -1), false, draw);
    view_click(center(foils[2]), draw);      // the second candidate as the foil: "and not 'b'"
    CHECK(got.foil == 9);
    view_click(center(targets[2]), draw);    // the third as the target
    CHECK(got.target == 11);
    d.target = 11;
    view_click(center(targets[0]), draw);    // the top prediction again: back to the default (-1)
    CHECK(got.target == -1);
    d.foil = 9;
    got = AttributionsActions{};
    view_click(center(foils[0]), draw);      // "no foil"
    CHECK(got.foil == -1);
    view_click(center(run), draw);
    CHECK(got.run);
    // Hovering the coloured tokens sets the shared hover (the heatmap and chips follow it).
    ui.app.selection.hover_query = -1;
    view_frame(ImVec2(tokens[0] + 4.0f, tokens[1] + 4.0f), false, draw);
    CHECK(ui.app.selection.hover_query == 0);

    // Without a result: no tokens, the hint; while running: the progress strip and its Cancel.
    d.result = nullptr;
    std::array<float, 4> bar{}, cancel{};
    d.job.running = true;
    d.job.progress = 0.4f;
    d.job.stage = "integrated gradients 13/32";
    d.job.bar_rect = &bar;
    d.job.cancel_rect = &cancel;
    got = AttributionsActions{};
    auto draw_cancel = [&] {
        AttributionsActions act = show_attributions(ui.app.selection, d);
        if (act.cancel) got.cancel = true;
    };
    view_frame(ImVec2(-1, -1), false, draw_cancel);
    CHECK(bar[2] > 0.0f);
    view_click(center(cancel), draw_cancel);
    CHECK(got.cancel);
}

TEST_CASE("ui smoke: the Attributions panel stays within 16-bit draw lists at T=256") {
    UiHarness ui(ImVec2(1280, 720));
    Trace trace = make_synthetic_trace(2, 2, 256, true);
    Attribution a = hand_made_attribution(256, 2, 2);
    AttributionsData d;
    d.result = &a;
    d.tokens = &trace.tokens;
    d.piece_of = piece_of;
    d.method = kMethodIntegratedGradients;
    CHECK(view_frame(ImVec2(400, 300), false, [&] { show_attributions(ui.app.selection, d); }) < 65536);
}

namespace {

LogitLens hand_made_lens(int L, int T, int k) {
    LogitLens lens;
    lens.n_state = L + 1;
    lens.n_token = T;
    lens.top_k = k;
    for (int r = 0; r < L + 1; ++r)
        for (int t = 0; t < T; ++t) {
            lens.argmax.push_back(100 * r + t);
            for (int j = 0; j < k; ++j) {
                lens.topk_ids.push_back(100 * r + t + j);
                lens.topk_probs.push_back(0.5f / (j + 1));
                if (r < L) {
                    lens.mid_topk_ids.push_back(1000 + 100 * r + t + j);
                    lens.mid_topk_probs.push_back(0.3f / (j + 1));
                }
            }
        }
    for (int r = 0; r < L + 1; ++r) {
        lens.target_rank.push_back(L - r);
        lens.target_prob.push_back(0.1f * r);
    }
    return lens;
}

}  // namespace

TEST_CASE("ui smoke: the logit lens grid, its hover and the after-attention toggle") {
    UiHarness ui(ImVec2(1280, 720));
    const int L = 3, T = 9, k = 4;
    Trace trace = make_synthetic_trace(L, 2, T, true);
    LogitLens lens = hand_made_lens(L, T, k);
    bool mid = false;
    std::array<float, 4> grid{};
    LensData d;
    d.lens = &lens;
    d.tokens = &trace.tokens;
    d.piece_of = piece_of;
    d.position = T - 1;
    d.target_label = "x";
    d.after_attention = &mid;
    d.grid_rect = &grid;
    auto draw = [&] { show_logit_lens(ui.app.selection, d); };
    CHECK(view_frame(ImVec2(-1, -1), false, draw) < 65536);
    REQUIRE(grid[2] > 0.0f);
    // Column t, row r (from the top: the output row first) of L + 1 states.
    const float cw = grid[2] / T, ch = grid[3] / (L + 1);
    view_frame(ImVec2(grid[0] + cw * 4.5f, grid[1] + ch * 0.5f), false, draw);
    CHECK(ui.app.selection.hover_query == 4);
    // The toggle: after attention the grid has L rows.
    const float full_h = grid[3];
    view_click(ImVec2(grid[0] + 8.0f, grid[1] - ImGui::GetFrameHeightWithSpacing() * 0.5f), draw);
    CHECK(mid);
    view_frame(ImVec2(-1, -1), false, draw);
    CHECK(grid[3] / L == doctest::Approx(full_h / (L + 1)).epsilon(0.02));
    // No lens (computing): a hint, no grid.
    d.lens = nullptr;
    d.hint = "Computing...";
    view_frame(ImVec2(-1, -1), false, draw);
    CHECK(grid[2] == 0.0f);
}

TEST_CASE("ui smoke: the activations grid reports the clicked layer and token and lists its neurons") {
    UiHarness ui(ImVec2(1280, 720));
    const int L = 2, T = 6;
    Trace trace = make_synthetic_trace(L, 2, T, true);
    ActivationSummary s;
    s.n_layer = L;
    s.n_token = T;
    for (int r = 0; r <= L; ++r)
        for (int t = 0; t < T; ++t) s.hidden_norm.push_back(1.0f + r + 0.1f * t);
    for (int l = 0; l < L; ++l)
        for (int t = 0; t < T; ++t) {
            s.attn_norm.push_back(0.5f + t);
            s.mlp_norm.push_back(2.0f - 0.2f * t);
        }
    std::vector<Neuron> neurons = {{12, 3.0f}, {5, -2.0f}};
    ActivationMode mode = ActivationMode::hidden_norm;
    std::array<float, 4> grid{};
    std::array<int, 2> clicked{-1, -1};
    ActivationsData d;
    d.summary = &s;
    d.tokens = &trace.tokens;
    d.mode = &mode;
    d.grid_rect = &grid;
    d.neurons = &neurons;
    auto draw = [&] {
        std::array<int, 2> c = show_activations(ui.app.selection, d);
        if (c[0] >= 0) clicked = c;
    };
    CHECK(view_frame(ImVec2(-1, -1), false, draw) < 65536);
    REQUIRE(grid[2] > 0.0f);
    // Hidden norms: L + 1 rows, the embeddings at the bottom; the top row is after layer L-1.
    float cw = grid[2] / T, ch = grid[3] / (L + 1);
    view_click(ImVec2(grid[0] + cw * 3.5f, grid[1] + ch * 0.5f), draw);
    CHECK(clicked == std::array<int, 2>{L - 1, 3});
    clicked = {-1, -1};
    view_click(ImVec2(grid[0] + cw * 1.5f, grid[1] + ch * (L + 0.5f)), draw);   // the embeddings: no layer
    CHECK(clicked == std::array<int, 2>{-1, -1});
    // Attention vs MLP: L rows, layer 0 at the bottom.
    mode = ActivationMode::attn_vs_mlp;
    view_frame(ImVec2(-1, -1), false, draw);
    cw = grid[2] / T;
    ch = grid[3] / L;
    view_click(ImVec2(grid[0] + cw * 5.5f, grid[1] + ch * (L - 0.5f)), draw);
    CHECK(clicked == std::array<int, 2>{0, 5});
    d.cell_layer = 0;
    d.cell_token = 5;
    CHECK(view_frame(ImVec2(-1, -1), false, draw) < 65536);
}
