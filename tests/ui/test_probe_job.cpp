// The random-weights probe of a large model (past App::probe_in_steps_above_params) runs after the first
// trace shows, a block a frame, and ends where the probe at once ends; a model loaded meanwhile, or one
// the trainer shows, drops it.
#include <doctest/doctest.h>

#include "tests/ui/ui_harness.h"

using namespace attn;

TEST_CASE("ui: a large model's random-weights probe runs in steps after its first trace") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "The cat sat on the mat.";
    ui.app.probe_in_steps_above_params = 1;   // every fixture counts as large
    ui.app.trace_budget_ms = 0.0;             // one step a frame
    ui.load_fixture("gpt2-tiny");
    CHECK(ui.app.has_trace);                  // the first trace is on screen before the probe is done
    REQUIRE(app_probing(ui.app));
    CHECK_FALSE(ui.app.random_weights);       // not known yet
    const int L = ui.app.model->info().n_layer;
    int frames = 0;
    while (app_probing(ui.app) && frames < 100) {
        ui.frame();
        ++frames;
    }
    CHECK(frames == 2 * L + 3);               // embeddings, attention and MLP of each block, final norm, LM head
    CHECK(ui.app.random_weights);             // as the probe at once says of every fixture

    // The probe waits while an edit's stepped retrace runs: what the user asked for goes first.
    ui.app.trace_step_above_ms = -1.0;
    ui.load_fixture("llama-tiny");
    REQUIRE(app_probing(ui.app));
    app_set_text(ui.app, "one two three four");
    REQUIRE(app_tracing(ui.app));
    ui.frame();
    int done = -1;
    while (app_tracing(ui.app, &done) && frames < 300) {
        CHECK(app_probing(ui.app));
        ui.frame();
        ++frames;
    }
    while (app_probing(ui.app) && frames < 300) {
        ui.frame();
        ++frames;
    }
    CHECK(ui.app.random_weights);

    // Below the threshold the probe runs at once, as the CLI's and the tests' always do.
    ui.app.probe_in_steps_above_params = ui.app.model->info().n_params;
    ui.load_fixture("llama-tiny");
    CHECK_FALSE(app_probing(ui.app));
    CHECK(ui.app.random_weights);
}

TEST_CASE("ui: another model loaded while a probe is in flight drops it; the new model is measured") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello world";
    ui.app.probe_in_steps_above_params = 1;
    ui.app.trace_budget_ms = 0.0;
    ui.load_fixture("gpt2-tiny");
    REQUIRE(app_probing(ui.app));
    ui.frame();
    ui.load_fixture("bart-tiny");   // an encoder-decoder's probe runs in steps too
    REQUIRE(app_probing(ui.app));
    int frames = 0;
    while (app_probing(ui.app) && frames < 300) {
        ui.frame();
        ++frames;
    }
    // Its encoder and decoder blocks, a step a frame, and the same answer as at once.
    CHECK(frames == ui.app.model->info().n_layer + ui.app.model->info().n_decoder_layer + 4);   // + two embeddings, rows, head
    CHECK(ui.app.random_weights);
}
