// The app drives the AttributionJob through real frames on real fixtures: the job is stepped across
// frames with a progress bar, its result is the job's own (run directly here), it is cached across view
// switches and recomputed when the text or foil changes, Cancel keeps what finished, a clicked
// activations cell lists the neurons top_neurons gives, and the page's analyze bytes carry the tensors.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "analysis/attribution.h"
#include "analysis/value_weighted.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_analysis.h"

using namespace attn;

namespace {

bool running(const UiHarness& ui) { return static_cast<bool>(ui.app.analysis.job); }


// Frames until the job is gone (finished or cancelled); the progress seen on the way.
std::vector<float> run_to_end(UiHarness& ui, int max_frames = 2000) {
    std::vector<float> seen;
    for (int i = 0; i < max_frames; ++i) {
        ui.frame();
        if (!ui.app.analysis.job) break;
        seen.push_back(ui.app.analysis.progress);
    }
    return seen;
}

std::unique_ptr<AttributionJob> direct_job(const App& app, int foil) {
    AttributionOptions opt;
    opt.score.foil = foil;
    opt.ig_steps = app.analysis.ig_steps;
    auto job = std::make_unique<AttributionJob>(*app.model, app.trace.tokens.ids, opt);
    while (!job->step()) {
    }
    return job;
}

}  // namespace

TEST_CASE("ui: the Attributions view steps the job across frames and shows its result") {
    UiHarness ui(ImVec2(1280, 720));
    ui.load_fixture("gpt2-tiny");
    app_set_text(ui.app, "The animal didn't cross the street because it was too tired");
    ui.app.trace_budget_ms = 0.0;   // one step a frame (the jobs share it): the progress bar must move through frames
    ui.frame();
    CHECK_FALSE(running(ui));   // nothing starts while no analysis view is open
    ui.app.main_view = MainView::attributions;
    ui.frame();
    REQUIRE(running(ui));
    ui.frame();
    CHECK(ui.app.widgets.analysis.progress[2] > 0.0f);   // the bar is on screen while it runs
    std::vector<float> seen = run_to_end(ui);
    REQUIRE_FALSE(running(ui));
    REQUIRE(seen.size() > 3);
    for (size_t i = 1; i < seen.size(); ++i) CHECK(seen[i] >= seen[i - 1]);
    CHECK(std::any_of(seen.begin(), seen.end(), [](float p) { return p > 0.0f && p < 1.0f; }));
    REQUIRE(app_analysis_current(ui.app));
    CHECK(ui.app.analysis.error.empty());

    // The cached result is the job's own result for this input.
    std::unique_ptr<AttributionJob> job = direct_job(ui.app, -1);
    const Attribution& want = job->result();
    const Attribution& got = ui.app.analysis.result;
    CHECK(got.target == want.target);
    CHECK(got.position == want.position);
    REQUIRE(got.integrated_gradients.size() == want.integrated_gradients.size());
    for (size_t i = 0; i < want.integrated_gradients.size(); ++i)
        CHECK(got.integrated_gradients[i] == doctest::Approx(want.integrated_gradients[i]).epsilon(1e-6));
    CHECK(ui.app.analysis.lens.argmax == job->lens().argmax);
    CHECK(ui.app.analysis.activations.hidden_norm.size() == job->activations().hidden_norm.size());
    ui.frame();
    CHECK(ui.app.widgets.analysis.tokens[2] > 0.0f);   // the coloured tokens are drawn
    CHECK(ui.app.widgets.analysis.progress[2] == 0.0f);   // and the bar is gone

    // Other views and back: nothing is recomputed.
    const int stepped = ui.app.analysis.frames_stepped;
    for (MainView v : {MainView::lens, MainView::activations, MainView::heatmap, MainView::attributions}) {
        ui.app.main_view = v;
        ui.frame();
        CHECK_FALSE(running(ui));
    }
    CHECK(ui.app.analysis.frames_stepped == stepped);
    ui.app.main_view = MainView::lens;
    ui.frame();
    CHECK(ui.app.widgets.analysis.lens_grid[2] > 0.0f);

    // Picking a foil in the panel recomputes the contrast "why A and not B".
    ui.app.main_view = MainView::attributions;
    ui.frame();
    REQUIRE(ui.app.widgets.analysis.foils.size() >= 3);
    const int foil = ui.app.next_predictions[1].id;
    ui.click(center(ui.app.widgets.analysis.foils[2]));   // "no foil", then the candidates in order
    ui.frame();                                            // the job starts at the next frame
    CHECK(ui.app.analysis.foil == foil);
    CHECK(running(ui));
    run_to_end(ui);
    REQUIRE(app_analysis_current(ui.app));
    CHECK(ui.app.analysis.result.foil == foil);
    CHECK(ui.app.analysis.result.score == doctest::Approx(direct_job(ui.app, foil)->result().score).epsilon(1e-6));

    // A new text recomputes while the view is open.
    app_set_text(ui.app, "The animal didn't cross the street");
    ui.frame();
    CHECK(running(ui));
    run_to_end(ui);
    CHECK(app_analysis_current(ui.app));
    CHECK(ui.app.analysis.result.n_token == ui.app.trace.tokens.size());
}

TEST_CASE("ui: Cancel stops the job, keeps what finished and does not restart by itself") {
    UiHarness ui(ImVec2(1280, 720));
    ui.load_fixture("llama-tiny");
    app_set_text(ui.app, "The animal didn't cross the street because it was too tired");
    ui.app.trace_budget_ms = 0.0;
    ui.app.analysis.ig_steps = 64;
    ui.app.main_view = MainView::attributions;
    for (int i = 0; i < 4; ++i) ui.frame();
    REQUIRE(running(ui));
    const float before = ui.app.analysis.progress;
    CHECK(before < 1.0f);
    ui.click(center(ui.app.widgets.analysis.cancel));
    ui.frame();   // the request is acted on before the next frame's views
    CHECK_FALSE(running(ui));
    CHECK(ui.app.analysis.cancelled);
    CHECK(ui.app.analysis.has_result);
    for (int i = 0; i < 5; ++i) ui.frame();
    CHECK_FALSE(running(ui));   // no restart until Run
    ui.click(center(ui.app.widgets.analysis.run));
    ui.frame();
    CHECK(running(ui));
    run_to_end(ui);
    CHECK_FALSE(ui.app.analysis.cancelled);
    CHECK(ui.app.analysis.result.integrated_gradients.size() == static_cast<size_t>(ui.app.trace.tokens.size()));
}

TEST_CASE("ui: clicking an activations cell lists that token's top neurons") {
    UiHarness ui(ImVec2(1280, 720));
    ui.load_fixture("gpt2-tiny");
    app_set_text(ui.app, "The animal didn't cross the street");
    ui.app.main_view = MainView::activations;
    run_to_end(ui);
    ui.frame();
    const std::array<float, 4> g = ui.app.widgets.analysis.activations_grid;
    REQUIRE(g[2] > 0.0f);
    const int T = ui.app.trace.tokens.size(), L = ui.app.model->info().n_layer;
    // The top row is the state after the last layer; column 2.
    ui.click(ImVec2(g[0] + g[2] * (2.5f / T), g[1] + g[3] * (0.5f / (L + 1))));
    CHECK(ui.app.analysis.cell_layer == L - 1);
    CHECK(ui.app.analysis.cell_token == 2);
    ui.frame();
    Expected<std::vector<Neuron>> want = top_neurons(*ui.app.model, ui.app.trace.tokens.ids, L - 1, 2, 10);
    REQUIRE(want.ok());
    REQUIRE(ui.app.analysis.neurons.size() == want->size());
    for (size_t i = 0; i < want->size(); ++i) CHECK(ui.app.analysis.neurons[i].index == (*want)[i].index);
}

TEST_CASE("ui: analyze bytes for the page, and models the views cannot explain") {
    UiHarness ui(ImVec2(1280, 720));
    ui.load_fixture("bert-tiny");
    app_set_text(ui.app, "The capital of France is [MASK].");
    AnalyzeRequest req;
    req.ig_steps = 8;
    Expected<Bytes> st = app_analyze_safetensors(ui.app, req);
    REQUIRE_MESSAGE(st.ok(), st.error().message);
    const std::string bytes(st->begin(), st->end());
    for (const char* name : {"integrated_gradients", "saliency_grad", "logit_lens_argmax", "head_importance"})
        CHECK(bytes.find(name) != std::string::npos);
    req.foil = req.target = 5;
    CHECK_FALSE(app_analyze_safetensors(ui.app, req).ok());
    req.foil = req.target = -1;
    req.position = 999;
    Expected<Bytes> bad = app_analyze_safetensors(ui.app, req);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("outside") != std::string::npos);
}

TEST_CASE("ui: encoder-decoder models get a sentence instead of a job") {
    UiHarness seq(ImVec2(1280, 720));
    seq.load_fixture("bart-tiny");
    app_set_text(seq.app, "The animal didn't cross the street");
    seq.app.main_view = MainView::attributions;
    seq.frame();
    CHECK_FALSE(running(seq));
    CHECK(app_analysis_unavailable(seq.app).find("encoder-decoder") != std::string::npos);
    CHECK_FALSE(app_analyze_safetensors(seq.app, AnalyzeRequest{}).ok());
}

TEST_CASE("ui: the heatmap's value-weighted option shows attention x ||value|| of the trace") {
    UiHarness ui(ImVec2(1280, 720));
    ui.load_fixture("llama-tiny");   // grouped-query attention: heads share value vectors
    app_set_text(ui.app, "The animal didn't cross the street");
    ui.app.main_view = MainView::heatmap;
    ui.app.selection.layer = 1;
    ui.app.selection.head = 2;
    ui.frame();
    const std::vector<float> plain = ui.textures.slots[kSlotHeatmap].values;
    ui.app.selection.value_weighted = true;
    ui.frame();
    const std::vector<float> shown = ui.textures.slots[kSlotHeatmap].values;
    // The same, computed here from a pass of its own.
    const Model& model = *ui.app.model;
    const int L = model.info().n_layer;
    ObservedTensors seen(value_names(L));
    TraceOptions options;
    options.hooks.observer = seen.observer();
    Expected<Trace> t = model_trace(model, ui.app.trace.tokens.ids, options);
    REQUIRE(t.ok());
    const AttentionTensor& a = t->attentions;
    std::vector<float> w = value_weighted_attention(a, value_norms(seen, L, a.n_head, model.info().n_kv_head, a.n_key));
    const size_t T = static_cast<size_t>(a.n_query), off = (static_cast<size_t>(1) * a.n_head + 2) * T * T;
    REQUIRE(shown.size() == T * T);
    double diff_plain = 0.0;
    for (size_t i = 0; i < T * T; ++i) {
        CHECK(shown[i] == doctest::Approx(w[off + i]).epsilon(1e-5));
        diff_plain += std::fabs(shown[i] - plain[i]);
    }
    CHECK(diff_plain > 1e-3);   // it is not the plain attention
    ui.app.selection.value_weighted = false;
    ui.frame();
    CHECK(ui.textures.slots[kSlotHeatmap].values == plain);
}
