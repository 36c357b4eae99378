// A retrace after an edit runs in steps when the model is slow (App::trace_step_above_ms): the views keep
// the previous trace while it runs, the status bar says how far it is, each frame does at most its budget,
// and the finished trace equals a synchronous one. A newer edit or another model replaces it.
#include <doctest/doctest.h>

#include <cstring>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "tests/same_floats.h"

using namespace attn;

TEST_CASE("ui: an edit on a slow model retraces in steps, one a frame, and ends as the synchronous trace") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "The cat sat on the mat.";
    ui.load_fixture("gpt2-tiny");
    REQUIRE(ui.app.has_trace);
    const std::vector<int32_t> before = ui.app.trace.tokens.ids;
    const int L = ui.app.model->info().n_layer;

    ui.app.trace_step_above_ms = -1.0;   // every model counts as slow
    ui.app.trace_budget_ms = 0.0;        // one step a frame
    const std::string text = "The dog ran across the road because it was late.";
    app_set_text(ui.app, text);
    int done = -1, total = -1;
    REQUIRE(app_tracing(ui.app, &done, &total));
    CHECK(done == 0);
    CHECK(total == 2 * L + 3);   // embeddings, attention and MLP of each pre-LN block, final norm, LM head
    CHECK(ui.app.trace.tokens.ids == before);   // the old trace stays on screen meanwhile
    const uint64_t version = ui.app.trace_version;

    int frames = 0;
    while (app_tracing(ui.app) && frames < 100) {
        CHECK(ui.app.trace_version == version);
        ui.frame();
        ++frames;
    }
    CHECK(frames == 2 * L + 3);
    CHECK_FALSE(app_tracing(ui.app));
    CHECK(ui.app.trace_version == version + 1);
    CHECK(ui.app.trace_error.empty());
    CHECK(ui.app.trace_ms >= 0.0);
    CHECK(ui.app.trace.tokens.ids != before);

    // The same text traced synchronously gives the same numbers and predictions.
    const Trace stepped = ui.app.trace;
    const std::vector<TokenProb> stepped_next = ui.app.next_predictions;
    app_retrace(ui.app);
    CHECK(same_floats(stepped.attentions.probs, ui.app.trace.attentions.probs));
    CHECK(same_floats(stepped.logits, ui.app.trace.logits));
    REQUIRE(stepped_next.size() == ui.app.next_predictions.size());
    for (size_t i = 0; i < stepped_next.size(); ++i) CHECK(stepped_next[i].id == ui.app.next_predictions[i].id);
}

TEST_CASE("ui: an encoder-decoder's source or target edit on a slow model retraces in steps, to the synchronous trace") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "The cat sat on the mat.";
    ui.app.target = "Le chat";
    ui.load_fixture("bart-tiny");
    REQUIRE(ui.app.has_trace);
    const ModelInfo& info = ui.app.model->info();
    const int blocks = info.n_layer + info.n_decoder_layer;
    ui.app.trace_step_above_ms = -1.0;   // every model counts as slow
    ui.app.trace_budget_ms = 0.0;        // one step a frame
    for (int edit = 0; edit < 2; ++edit) {
        CAPTURE(edit);
        const std::vector<int32_t> source = ui.app.trace.tokens.ids, target = ui.app.trace.decoder_tokens.ids;
        const uint64_t version = ui.app.trace_version;
        if (edit == 0) app_set_text(ui.app, "The dog ran across the road because it was late.");
        else app_set_target(ui.app, "Le chien a couru");
        int done = -1, total = -1;
        REQUIRE(app_tracing(ui.app, &done, &total));
        CHECK(done == 0);
        CHECK(total == blocks + 4);   // each stack's embeddings and blocks (post-LN: a block a step), rows, LM head
        int frames = 0;
        while (app_tracing(ui.app) && frames < 100) {
            CHECK(ui.app.trace.tokens.ids == source);   // the old trace stays on screen meanwhile
            CHECK(ui.app.trace.decoder_tokens.ids == target);
            ui.frame();
            ++frames;
        }
        CHECK(frames == blocks + 4);
        CHECK(ui.app.trace_version == version + 1);
        CHECK(ui.app.trace_error.empty());
        CHECK((edit == 0 ? ui.app.trace.tokens.ids != source : ui.app.trace.decoder_tokens.ids != target));
        // The same input traced synchronously gives the same numbers and predictions.
        const Trace stepped = ui.app.trace;
        const std::vector<TokenProb> stepped_next = ui.app.next_predictions;
        app_retrace(ui.app);
        CHECK(same_floats(stepped.attentions.probs, ui.app.trace.attentions.probs));
        CHECK(same_floats(stepped.cross_attentions.probs, ui.app.trace.cross_attentions.probs));
        CHECK(same_floats(stepped.decoder_attentions.probs, ui.app.trace.decoder_attentions.probs));
        CHECK(same_floats(stepped.logits, ui.app.trace.logits));
        REQUIRE(stepped_next.size() == ui.app.next_predictions.size());
        for (size_t i = 0; i < stepped_next.size(); ++i) CHECK(stepped_next[i].id == ui.app.next_predictions[i].id);
    }
}

TEST_CASE("ui: a newer edit replaces a stepped retrace in flight; a budget lets several steps share a frame") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "one two three";
    ui.load_fixture("llama-tiny");
    ui.app.trace_step_above_ms = -1.0;
    ui.app.trace_budget_ms = 0.0;
    app_set_text(ui.app, "first edit of the text");
    ui.frame();
    int done = 0;
    REQUIRE(app_tracing(ui.app, &done));
    CHECK(done == 1);
    app_set_text(ui.app, "second edit");   // starts again from the embeddings
    REQUIRE(app_tracing(ui.app, &done));
    CHECK(done == 0);
    ui.app.trace_budget_ms = 1e9;   // a generous budget: the whole trace in one frame
    ui.frame();
    CHECK_FALSE(app_tracing(ui.app));
    const Expected<Trace> expect = model_trace_text(*ui.app.model, "second edit", TraceOptions{});
    REQUIRE(expect.ok());
    CHECK(ui.app.trace.tokens.ids == expect->tokens.ids);
}

TEST_CASE("ui: loading another model drops a stepped retrace of the old one; fast models trace at once") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello there";
    ui.load_fixture("gpt2-tiny");
    ui.app.trace_step_above_ms = -1.0;
    ui.app.trace_budget_ms = 0.0;
    app_set_text(ui.app, "Hello again, world");
    REQUIRE(app_tracing(ui.app));
    ui.load_fixture("llama-tiny");
    CHECK_FALSE(app_tracing(ui.app));
    CHECK(ui.app.trace.tokens.ids == model_trace_text(*ui.app.model, "Hello again, world", TraceOptions{})->tokens.ids);

    ui.app.trace_step_above_ms = 1e9;   // nothing is slow: the edit is traced before app_set_text returns
    app_set_text(ui.app, "short");
    CHECK_FALSE(app_tracing(ui.app));
    CHECK(ui.app.trace.tokens.ids == model_trace_text(*ui.app.model, "short", TraceOptions{})->tokens.ids);
}

TEST_CASE("ui: a large trace's NaN warning is read over the next frames; an export reads the rest at once") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.step_above_weights = 2000;   // this trace's 4 x 4 x 40 x 40 weights count as large
    ui.app.trace_budget_ms = 0.0;       // one step a frame
    Trace t = make_synthetic_trace(4, 4, 40, true);
    t.attentions.probs[(2 * 4 + 1) * 40 * 40 + 7 * 40 + 3] = std::nanf("");   // layer 2, head 1
    const std::string want = nonfinite_message(first_nonfinite(t));
    REQUIRE(want.find('2') != std::string::npos);
    app_show_trace(ui.app, t, 0.1);
    CHECK(ui.app.trace_warning.empty());   // not read yet
    int frames = 0;
    while (ui.app.trace_warning.empty() && frames < 50) {
        ui.frame();
        ++frames;
    }
    CHECK(ui.app.trace_warning == want);
    CHECK(frames >= 10);   // 25,600 weights, 1,000 a step (half of step_above_weights)
    // An export right after a new trace does not wait for the frames.
    app_show_trace(ui.app, make_synthetic_trace(4, 4, 40, true), 0.1);
    app_show_trace(ui.app, t, 0.1);
    CHECK(ui.app.trace_warning.empty());
    REQUIRE(app_export_file(ui.app, ExportKind::csv, 1).ok());
    CHECK(ui.app.trace_warning == want);
    // A finite trace clears it; a small one is read as it is shown.
    ui.app.step_above_weights = 4e6;
    app_show_trace(ui.app, make_synthetic_trace(4, 4, 40, true), 0.1);
    CHECK(ui.app.trace_warning.empty());
    app_show_trace(ui.app, t, 0.1);
    CHECK(ui.app.trace_warning == want);
}

TEST_CASE("ui: App::trace_step_multiply_adds cuts a stepped retrace into more, smaller steps, to the same trace") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "The cat sat on the mat.";
    ui.load_fixture("gpt2-tiny");
    const int L = ui.app.model->info().n_layer;
    ui.app.trace_step_above_ms = -1.0;
    ui.app.trace_budget_ms = 0.0;   // one step a frame
    int frames[2] = {0, 0};
    Trace traces[2];
    for (int pass = 0; pass < 2; ++pass) {
        ui.app.trace_step_multiply_adds = pass == 0 ? 0.0 : 1.0;   // 1: a block of columns, a head, a step
        app_set_text(ui.app, pass == 0 ? "The dog ran across the road." : "The dog ran across the road!");
        app_set_text(ui.app, "The dog ran across the road because it was late.");
        while (app_tracing(ui.app) && frames[pass] < 10000) {
            ui.frame();
            ++frames[pass];
        }
        traces[pass] = ui.app.trace;
    }
    CHECK(frames[0] == 2 * L + 3);
    CHECK(frames[1] > 4 * frames[0]);
    CHECK(same_floats(traces[1].attentions.probs, traces[0].attentions.probs));
    CHECK(same_floats(traces[1].logits, traces[0].logits));
}

TEST_CASE("ui: an edit is traced in steps when the last trace was slow or the new text would be, at its time a token") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "one two three four";
    ui.load_fixture("gpt2-tiny");
    REQUIRE(ui.app.has_trace);
    const size_t shown = ui.app.trace.tokens.size();
    // The last trace took 1 ms a token (set, so the rule is tested, not this machine's speed).
    auto one_ms_a_token = [&] {
        ui.app.trace_ms = static_cast<double>(ui.app.trace.tokens.size());
        ui.app.trace_ms_per_token = 1.0;
    };
    ui.app.trace_step_above_ms = 3.0 * static_cast<double>(shown);
    one_ms_a_token();
    app_set_text(ui.app, "five six seven eight");   // about as long: traced at once
    CHECK_FALSE(app_tracing(ui.app));
    // Eight times as long: past the threshold, so in steps, although the last trace was fast.
    std::string longer;
    for (int i = 0; i < 8; ++i) longer += "one two three four ";
    one_ms_a_token();
    app_set_text(ui.app, longer);
    CHECK(app_tracing(ui.app));
    while (app_tracing(ui.app)) ui.frame();
    CHECK(ui.app.trace.tokens.size() > 6 * shown);
    // A short text after the slow trace: in steps too (a large model reads all its weights whatever the text).
    one_ms_a_token();
    app_set_text(ui.app, "one two");
    CHECK(app_tracing(ui.app));
    while (app_tracing(ui.app)) ui.frame();
    CHECK(ui.app.trace.tokens.size() < shown + 1);
    // Cleared, then the long text pasted after a fast trace: the kept time a token says it is slow.
    one_ms_a_token();
    app_set_text(ui.app, "");
    CHECK_FALSE(ui.app.has_trace);
    app_set_text(ui.app, longer);
    CHECK(app_tracing(ui.app));
}

TEST_CASE("ui: while a retrace runs in steps, the shown trace's grid tiles get only what it left of the frame") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "The cat sat on the mat.";
    ui.load_fixture("gpt2-tiny");
    ui.app.main_view = MainView::grid;
    ui.app.step_above_weights = 0.0;     // the tiles come in steps
    ui.app.trace_step_above_ms = -1.0;   // edits trace in steps
    ui.app.trace_budget_ms = 0.0;        // one step a frame, nothing left over
    app_show_trace(ui.app, ui.app.trace, 1.0);   // the tiles start over
    ui.frame();
    REQUIRE(ui.app.grid_tiles.heads_done == 1);   // alone, a tile a frame
    app_set_text(ui.app, "The dog ran across the road.");
    REQUIRE(app_tracing(ui.app));
    const uint64_t version = ui.app.trace_version;
    const int made = ui.app.grid_tiles.heads_done;
    int frames = 0;
    while (app_tracing(ui.app)) {
        ui.frame();
        ++frames;
        if (ui.app.trace_version == version) CHECK(ui.app.grid_tiles.heads_done == made);   // the retrace took the frame
    }
    CHECK(frames > 2);
    // The new trace's tiles then come a head a frame again.
    ui.frame();
    const int after = ui.app.grid_tiles.heads_done;
    ui.frame();
    CHECK(ui.app.grid_tiles.heads_done == after + 1);
}
