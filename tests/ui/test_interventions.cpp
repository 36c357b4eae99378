// Interventions and activation patching in the app: the panel's Ablate button re-traces with the head
// off, the heatmap's before / change pictures, the patching view's job and messages, the page API's
// JSON calls, and a new model dropping the interventions.
#include <doctest/doctest.h>

#include <cmath>

#include "core/json.h"
#include "tests/ui/ui_click_mark.h"
#include "tests/same_floats.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_analysis.h"
#include "ui/app_interventions.h"
#include "ui/draw_pacing.h"
#include "ui/widget_marks.h"

using namespace attn;

namespace {

const char* kText = "The animal didn't cross the street because it was too tired.";


std::vector<float> softmax(const float* z, int V) {
    std::vector<float> p(V);
    double m = z[0], sum = 0.0;
    for (int i = 0; i < V; ++i) m = std::max<double>(m, z[i]);
    for (int i = 0; i < V; ++i) sum += std::exp(z[i] - m);
    for (int i = 0; i < V; ++i) p[i] = static_cast<float>(std::exp(z[i] - m) / sum);
    return p;
}

}  // namespace

TEST_CASE("interventions ui: Ablate re-traces with the head off and shows before -> after") {
    const ImVec2 display(1280, 2400);   // tall: the panel under the head table is on screen
    UiHarness ui(display);
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    const std::vector<float> plain_logits = ui.app.trace.logits;
    const AnalysisKey plain_key = app_analysis_key(ui.app);
    ui.app.selection.layer = 1;
    ui.app.selection.head = 2;
    ui.frame();
    const WidgetMark* ablate = find_mark("iv_ablate");
    REQUIRE(ablate);
    ui.click(center(ablate->rect));
    ui.frame();   // the panel drawn with the new trace
    const InterventionState& s = ui.app.interventions;
    REQUIRE(s.current.heads.size() == 1);
    CHECK(s.current.heads[0].layer == 1);
    CHECK(s.current.heads[0].head == 2);
    CHECK(s.current.heads[0].mode == AblationMode::zero);
    // The app's trace is the ablated one; `before` the plain one.
    CHECK(s.before.logits == plain_logits);
    CHECK(ui.app.trace.logits != plain_logits);
    TraceOptions opt;
    opt.hooks.head_gates = head_gates_ones(2, 4);
    opt.hooks.head_gates[1 * 4 + 2] = 0.0f;
    Expected<Trace> direct = model_trace(*ui.app.model, ui.app.trace.tokens.ids, opt);
    REQUIRE(direct.ok());
    CHECK(direct->logits == ui.app.trace.logits);
    REQUIRE(!s.effect.tokens.empty());
    CHECK(s.effect_rows.size() == s.effect.tokens.size());   // one drawn row per token
    CHECK(app_analysis_key(ui.app) != plain_key);           // attributions recompute

    // Clear all puts the plain model back.
    const WidgetMark* clear = find_mark("iv_clear");
    REQUIRE(clear);
    ui.click(center(clear->rect));
    CHECK(s.current.empty());
    CHECK(ui.app.trace.logits == plain_logits);
    CHECK(app_analysis_key(ui.app) == plain_key);
}

TEST_CASE("interventions ui: the heatmap shows before, after or the change") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    Interventions iv;
    iv.heads.push_back({0, 1, AblationMode::mean});
    iv.masked_tokens.push_back(1);
    app_intervene(ui.app, iv);
    ui.app.selection.layer = 1;
    ui.app.selection.head = 0;
    const InterventionState& s = ui.app.interventions;
    REQUIRE(s.before_trace == ui.app.trace_version);
    const int T = ui.app.trace.tokens.size();
    auto shown = [&] { return ui.textures.slots.at(kSlotHeatmap).values; };
    auto head = [&](const Trace& t) {
        const float* p = t.attentions.head(1, 0);
        return std::vector<float>(p, p + T * T);
    };
    ui.frame();
    CHECK(shown() == head(ui.app.trace));
    ui.app.interventions.show = InterventionShow::before;
    ui.frame();
    CHECK(shown() == head(s.before));
    CHECK(head(s.before) != head(ui.app.trace));
    ui.app.interventions.show = InterventionShow::change;
    CHECK(ui.frame(ImVec2(640, 400)) < 65536);
    // The masked token gets nothing from other rows after, something before.
    CHECK(ui.app.trace.attentions.at(1, 0, 5, 1) == 0.0f);
    CHECK(s.before.attentions.at(1, 0, 5, 1) > 0.0f);
}

TEST_CASE("interventions ui: patching view runs, explains a length mismatch, and the page API agrees") {
    const ImVec2 display(1280, 800);
    UiHarness ui(display);
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    ui.app.main_view = MainView::patching;
    ui.frame();
    InterventionState& s = ui.app.interventions;
    CHECK(s.corrupted == "The street didn't cross the street because it was too tired.");
    const PatchLengths n = app_patch_lengths(ui.app);
    REQUIRE(n.clean == n.corrupted);

    s.run_requested = true;
    for (int i = 0; i < 2000 && (s.run_requested || s.job); ++i) ui.frame(ImVec2(600, 500));
    REQUIRE_MESSAGE(s.has_result, s.error);
    const PatchingResult& r = s.result;
    const int L = r.n_layer, T = r.n_token;
    CHECK(r.residual[static_cast<size_t>(L) * T + T - 1] == doctest::Approx(1.0).epsilon(1e-4));
    CHECK(s.longest_frame_ms >= 0.0);

    // The page API: the same numbers.
    Json page = json_parse(app_patch_json(ui.app, Json{{"corrupted", s.corrupted}}.dump()), "patch");
    REQUIRE(!page.contains("error"));
    CHECK(page["clean_diff"].get<float>() == r.clean_diff);
    CHECK(page["residual"].size() == static_cast<size_t>(L + 1));
    CHECK(page["residual"][L][T - 1].get<float>() == r.residual[static_cast<size_t>(L) * T + T - 1]);
    Json same = json_parse(app_patch_json(ui.app, Json{{"clean", kText}, {"corrupted", kText}}.dump()), "patch");
    for (const Json& row : same["residual"])
        for (const Json& v : row) CHECK(v.get<float>() == 0.0f);

    s.corrupted = "The big brown animal didn't cross the street because it was too tired.";
    ui.frame();
    app_patch_now(ui.app);
    CHECK(s.error.find("same number") != std::string::npos);
    CHECK(s.error.find(std::to_string(n.clean)) != std::string::npos);
    Json bad = json_parse(app_patch_json(ui.app, Json{{"corrupted", s.corrupted}}.dump()), "patch");
    CHECK(bad.contains("error"));
    CHECK(ui.frame() < 65536);
}

TEST_CASE("interventions ui: intervene over JSON equals a direct trace, and bad requests name the problem") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    const std::vector<float> plain = ui.app.trace.logits;
    const std::string out = app_intervene_json(ui.app, R"({"ablate": [{"layer": 1, "head": 3, "mode": "zero"}]})");
    Json r = json_parse(out, "intervene");
    REQUIRE_MESSAGE(!r.contains("error"), out);
    TraceOptions opt;
    opt.hooks.head_gates = head_gates_ones(2, 4);
    opt.hooks.head_gates[1 * 4 + 3] = 0.0f;
    Expected<Trace> direct = model_trace(*ui.app.model, ui.app.trace.tokens.ids, opt);
    REQUIRE(direct.ok());
    const int V = direct->n_vocab, pos = r["position"].get<int>();
    const std::vector<float> p = softmax(direct->logits_at(pos), V);
    REQUIRE(r["after"].size() == 5);
    for (const Json& t : r["after"]) CHECK(t["prob"].get<float>() == doctest::Approx(p[t["id"].get<int>()]).epsilon(1e-6));
    CHECK(r["before"][0]["prob"].get<float>() != r["after"][0]["prob"].get<float>());

    for (const char* bad : {R"({"ablate": [{"layer": 9, "head": 0}]})", R"({"knockouts": [{"query": 99, "key": 0}]})",
                            R"({"mask": ["x"]})", R"({"ablate": [{"layer": 0, "head": 0, "mode": "half"}]})", "[1, 2"}) {
        CAPTURE(bad);
        Json e = json_parse(app_intervene_json(ui.app, bad), "intervene");
        CHECK(e.contains("error"));
    }
    CHECK(ui.app.interventions.current.heads.size() == 1);   // a bad request keeps the ones in
    Json cleared = json_parse(app_clear_interventions_json(ui.app), "clear");
    CHECK(ui.app.interventions.current.empty());
    CHECK(cleared["interventions"] == "");
    CHECK(ui.app.trace.logits == plain);
}

TEST_CASE("interventions ui: another model drops them") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    Interventions iv;
    iv.heads.push_back({1, 1, AblationMode::zero});
    app_intervene(ui.app, iv);
    ui.frame();
    REQUIRE(!ui.app.interventions.current.empty());
    ui.load_fixture("llama-tiny");
    ui.frame();
    CHECK(ui.app.interventions.current.empty());
    CHECK(ui.app.interventions.before_trace == 0);
}

TEST_CASE("interventions ui: the default corruption swaps one word of a known pair") {
    CHECK(default_corruption("The animal was tired") == "The street was tired");
    CHECK(default_corruption("he said") == "she said");
    CHECK(default_corruption("the shepherd") == "the shepherd");   // whole words only
    CHECK(default_corruption("Paris is big") == "Rome is big");
    CHECK(default_corruption("nothing here") == "nothing here");
}

TEST_CASE("interventions ui: on a slow model the traces with and without them run in steps; intervene() answers with both at once") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = kText;
    ui.load_fixture("gpt2-tiny");
    const std::vector<float> plain_logits = ui.app.trace.logits;
    const int L = ui.app.model->info().n_layer;
    ui.app.trace_step_above_ms = -1.0;   // every trace counts as slow
    ui.app.trace_budget_ms = 0.0;        // one step a frame
    Interventions iv;
    iv.heads.push_back({1, 2, AblationMode::zero});
    app_intervene(ui.app, iv);           // the ablated trace in steps, then the one without it
    const InterventionState& s = ui.app.interventions;
    REQUIRE(app_tracing(ui.app));
    CHECK_FALSE(s.before_job);
    CHECK(same_floats(ui.app.trace.logits, plain_logits));   // the old trace stays on screen meanwhile
    for (int frames = 0; app_tracing(ui.app) && frames < 100; ++frames) ui.frame();
    CHECK_FALSE(same_floats(ui.app.trace.logits, plain_logits));
    REQUIRE(s.before_job);
    CHECK(s.before_trace != ui.app.trace_version);   // no before yet: the panel shows after alone
    CHECK((app_work_on_screen(ui.app).jobs & WorkOnScreen::before) != 0);
    int frames = 0;
    while (s.before_job && frames < 100) {
        ui.frame();
        ++frames;
    }
    CHECK(frames == 2 * L + 3);   // a step a frame: the embeddings, half blocks, final norm, LM head
    CHECK(s.before_trace == ui.app.trace_version);
    CHECK(same_floats(s.before.logits, plain_logits));
    CHECK(same_floats(s.before.attentions.probs, model_trace(*ui.app.model, ui.app.trace.tokens.ids, TraceOptions{})->attentions.probs));
    CHECK_FALSE(s.effect.tokens.empty());
    // A newer trace replaces a before in flight for the old one (which waits while the retrace has the
    // frame's budget).
    app_intervene(ui.app, iv);
    while (app_tracing(ui.app)) ui.frame();
    REQUIRE(s.before_job);
    const uint64_t old_trace = s.before_job_trace;
    app_set_text(ui.app, "The dog ran across the road.");
    REQUIRE(app_tracing(ui.app));
    while (app_tracing(ui.app)) {
        CHECK(s.before_job);   // waiting, not finished: the retrace has the budget
        CHECK(s.before_trace != old_trace);
        ui.frame();
    }
    REQUIRE(s.before_job);   // the new trace's, started as it finished
    CHECK(s.before_job_trace == ui.app.trace_version);
    CHECK(s.before_job_trace != old_trace);
    // The page's intervene(): the new trace and the before come with the answer.
    const Json out = json_parse(app_intervene_json(ui.app, R"({"ablate": [{"layer": 1, "head": 3, "mode": "zero"}]})"), "intervene");
    CHECK_FALSE(app_tracing(ui.app));
    CHECK(ui.app.interventions.current.heads.size() == 1);
    CHECK(ui.app.interventions.current.heads[0].head == 3);
    CHECK_FALSE(s.before_job);
    CHECK(s.before_trace == ui.app.trace_version);
    CHECK(out["before"] != out["after"]);
}
