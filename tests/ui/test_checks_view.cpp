// The checks view on a real model: Run steps the suite over frames to the same result as running it at once,
// Cancel keeps what finished, "Outline in head grid" sets the heads the grid outlines, a clicked case becomes
// the input with its best head selected and the query pinned, and another model drops the result.
#include <doctest/doctest.h>

#include "analysis/check_suites.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_checks.h"
#include "ui/study_views.h"

using namespace attn;

namespace {

int suite_index(const char* name) {
    const auto& suites = builtin_check_suites();
    for (size_t i = 0; i < suites.size(); ++i)
        if (std::string(suites[i].name) == name) return static_cast<int>(i);
    return -1;
}

}  // namespace

TEST_CASE("checks view: Run, the result, outline in grid, clicking a case, another model") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Hello there";
    ui.load_fixture("gpt2-tiny");
    ui.app.main_view = MainView::checks;
    ui.frame();
    ChecksState& s = ui.app.checks;
    CHECK(s.run_rect[2] > 0.0f);   // Run is on screen

    s.suite_index = suite_index("coreference");
    REQUIRE(s.suite_index >= 0);
    ui.app.trace_budget_ms = 0.0;   // one case a frame (the jobs share it): the run spans frames
    ui.click(ImVec2(s.run_rect[0] + s.run_rect[2] * 0.5f, s.run_rect[1] + s.run_rect[3] * 0.5f));
    ui.frame();   // the press asked for the run; the next frame starts it
    REQUIRE(static_cast<bool>(s.run));
    const size_t n_cases = s.run_suite.cases.size();
    int frames = 0;
    while (s.run && frames < 100) {
        ui.frame();
        ++frames;
    }
    CHECK(frames >= static_cast<int>(n_cases) - 2);
    REQUIRE(s.has_result);
    CHECK_FALSE(s.cancelled);
    REQUIRE(s.result.cases.size() == n_cases);

    // The same numbers as a run to the end (what probe and the page return).
    Expected<CheckSuite> suite = check_suite_from("coreference");
    REQUIRE(suite.ok());
    CheckRun direct(*ui.app.model, *suite);
    step_job_finish(direct);
    CHECK(check_results_json(direct.result()) == check_results_json(s.result));

    // Outline in head grid: the heads passing more than half of the head cases.
    ui.frame();
    REQUIRE(s.highlight_rect[2] > 0.0f);
    ui.click(ImVec2(s.highlight_rect[0] + s.highlight_rect[3] * 0.5f, s.highlight_rect[1] + s.highlight_rect[3] * 0.5f));
    CHECK(s.highlight);
    CHECK(ui.app.main_view == MainView::grid);
    ui.frame();
    const int n_head_cases = check_head_cases(s.result);
    CHECK(n_head_cases == 10);
    std::vector<uint8_t> want(s.result.head_pass_count.size());
    bool any = false;
    for (size_t i = 0; i < want.size(); ++i) any |= (want[i] = s.result.head_pass_count[i] * 2 > n_head_cases);
    CHECK(ui.app.heads.highlighted == (any ? want : std::vector<uint8_t>{}));

    // A clicked case: its text, its best head, its query pinned, in the heatmap.
    const CheckCaseResult& c = s.result.cases[1];
    REQUIRE(c.error.empty());
    s.clicked_case = 1;
    ui.frame();
    CHECK(ui.app.text == s.suite.cases[1].text);
    CHECK(ui.app.main_view == MainView::heatmap);
    CHECK(ui.app.selection.layer == c.best / c.n_head);
    CHECK(ui.app.selection.head == c.best % c.n_head);
    CHECK(ui.app.selection.pinned_query == c.query);
    CHECK(ui.app.trace.tokens.size() > c.query);

    // Cancel keeps the finished cases.
    ui.app.main_view = MainView::checks;
    s.run_requested = true;
    ui.frame();
    REQUIRE(static_cast<bool>(s.run));
    s.cancel_requested = true;
    ui.frame();
    CHECK_FALSE(static_cast<bool>(s.run));
    CHECK(s.cancelled);
    CHECK(s.result.cases.size() < n_cases);
    CHECK(s.result.cases.size() >= 1);

    // Another model: its heads are not these.
    ui.load_fixture("bert-tiny");
    ui.frame();
    CHECK_FALSE(s.has_result);
    CHECK(ui.app.heads.highlighted.empty());
}

TEST_CASE("checks view: probe keeps the result the view shows; a malformed suite is refused") {
    UiHarness ui(ImVec2(1024, 700));
    CHECK(app_checks_probe(ui.app, "coreference").error().message == "no model is loaded to run the checks on");
    ui.app.text = "Hello";
    ui.load_fixture("llama-tiny");
    Expected<std::string> json = app_checks_probe(ui.app, "agreement");
    REQUIRE_MESSAGE(json.ok(), json.error().message);
    CHECK(ui.app.checks.has_result);
    CHECK(ui.app.checks.result.suite == "agreement");
    CHECK(builtin_check_suites()[ui.app.checks.suite_index].name == std::string("agreement"));
    CHECK(*json == check_results_json(ui.app.checks.result));
    Expected<std::string> bad = app_checks_probe(ui.app, R"({"cases": [{"name": "x", "query": "it"}]})");
    CHECK(bad.error().message == "suite: case 'x': field 'text' is missing");
    CHECK(ui.app.checks.result.suite == "agreement");   // the shown result stays
    ui.app.main_view = MainView::checks;
    ui.frame();
    ui.frame();
}

TEST_CASE("checks view: a run shares the frame's budget with a retrace in steps, which goes first") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.text = "Hello there";
    ui.load_fixture("gpt2-tiny");
    ui.app.main_view = MainView::checks;
    ui.app.trace_budget_ms = 0.0;   // one step a frame for the first job to step; nothing left for the rest
    ChecksState& s = ui.app.checks;
    s.suite_index = suite_index("coreference");
    REQUIRE(s.suite_index >= 0);
    s.run_requested = true;
    ui.frame();   // starts the run: its first case
    ui.frame();
    REQUIRE(static_cast<bool>(s.run));
    const float before = s.progress;
    REQUIRE(before > 0.0f);
    // An edit traced in steps: while it runs, each frame's budget is its; the checks wait.
    ui.app.trace_step_above_ms = -1.0;
    app_set_text(ui.app, "The dog ran across the road because it was late.");
    REQUIRE(app_tracing(ui.app));
    int frames = 0;
    while (app_tracing(ui.app) && frames < 100) {
        ui.frame();
        ++frames;
        if (app_tracing(ui.app)) CHECK(s.progress == before);
    }
    CHECK(frames == 2 * ui.app.model->info().n_layer + 3);
    // Then the run goes on, a case a frame, to the end.
    ui.frame();
    CHECK(s.progress > before);
    while (s.run && frames < 300) {
        ui.frame();
        ++frames;
    }
    CHECK(s.has_result);
}
