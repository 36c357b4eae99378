// Drives the checks run for the checks view (see app_checks.h): starts the picked suite on Run, steps it
// within a frame budget so the page keeps drawing, keeps what a cancel leaves, drops results of another
// model, and turns a clicked case into the input on screen with its best head selected.
#include "ui/app_checks.h"

#include <algorithm>

#include "analysis/check_suites.h"
#include "ui/app.h"
#include "ui/frame_budget.h"
#include "ui/study_views.h"

namespace attn {

namespace {

void keep_result(ChecksState& s, const CheckRun& run, bool cancelled) {
    s.has_result = true;
    ++s.results;
    s.result_model = s.run_model;
    s.suite = s.run_suite;
    s.result = run.result();
    s.cancelled = cancelled;
    s.error = run.error();
    s.progress = 1.0f;
    s.stage.clear();
}

// The case's input on screen, its attention kind, its best head (layer) selected and the query pinned.
void open_case(App& app, int index) {
    ChecksState& s = app.checks;
    if (index < 0 || index >= static_cast<int>(s.result.cases.size()) || index >= static_cast<int>(s.suite.cases.size()))
        return;
    const CheckCase& c = s.suite.cases[index];
    const CheckCaseResult& r = s.result.cases[index];
    const bool seq2seq = app.model && app.model->info().encoder_decoder;
    if (seq2seq && !c.target.empty()) {
        app.target = c.target;
        ++app.target_generation;
        app.stepped_decoder_ids.clear();
    }
    app_set_text(app, c.text);
    Selection& sel = app.selection;
    sel.kind = c.attention == "cross" ? AttentionKind::cross : c.attention == "decoder" ? AttentionKind::decoder : AttentionKind::self;
    if (r.query >= 0) sel.pinned_query = r.query;
    if (r.best >= 0 && r.scope == CheckScope::head) {
        sel.layer = r.best / r.n_head;
        sel.head = r.best % r.n_head;
        sel.head_mode = HeadMode::one;
    } else if (r.best >= 0 && r.scope == CheckScope::layer_average) {
        sel.layer = r.best;
        sel.head_mode = HeadMode::average_all;
    }
    app.main_view = MainView::heatmap;
}

}  // namespace

int check_head_cases(const CheckSuiteResult& result) {
    int n = 0;
    for (const CheckCaseResult& c : result.cases)
        n += c.error.empty() && c.scope == CheckScope::head && c.n_layer == result.n_layer && c.n_head == result.n_head;
    return n;
}

std::vector<uint8_t> check_heads_passing_most(const CheckSuiteResult& result) {
    const int n = check_head_cases(result);
    std::vector<uint8_t> out(result.head_pass_count.size(), 0);
    bool any = false;
    for (size_t i = 0; i < out.size(); ++i) any |= (out[i] = n > 0 && result.head_pass_count[i] * 2 > n);
    return any ? out : std::vector<uint8_t>{};
}

void app_checks_frame(App& app, double budget_ms) {
    ChecksState& s = app.checks;
    const Model* model = app.model.get();
    if (s.run && (s.cancel_requested || s.run_model != model)) {
        s.run->cancel();
        if (s.run_model == model) keep_result(s, *s.run, true);
        s.run.reset();
    }
    s.cancel_requested = false;
    if (s.has_result && s.result_model != model) {   // another model: its heads are not these
        s.has_result = false;
        s.result = CheckSuiteResult{};
        s.highlight = false;
    }
    if (s.run_requested && model && !s.run) {
        const auto& suites = builtin_check_suites();
        s.suite_index = std::clamp(s.suite_index, 0, static_cast<int>(suites.size()) - 1);
        Expected<CheckSuite> suite = parse_check_suite(suites[s.suite_index].json, suites[s.suite_index].file);
        if (suite) {
            s.run_suite = *suite;
            s.run = std::make_shared<CheckRun>(*model, std::move(*suite));
            s.run_model = model;
            s.progress = 0.0f;
            s.stage = s.run->stage();
            s.error.clear();
            s.longest_step_ms = 0.0;
        } else {
            s.error = suite.error().message;
        }
    }
    s.run_requested = false;
    if (s.run) {
        // One case at least per frame; more only while the longest case so far still fits the budget.
        step_within_budget(budget_ms, s.longest_step_ms, [&] { s.run->step(); }, [&] { return s.run->done(); });
        s.progress = s.run->progress();
        s.stage = s.run->stage();
        if (s.run->done()) {
            keep_result(s, *s.run, false);
            s.run.reset();
        }
    }
    if (s.clicked_case >= 0) open_case(app, s.clicked_case);
    s.clicked_case = -1;
    if (s.clicked_head >= 0 && s.result.n_head > 0) {
        app.selection.kind = AttentionKind::self;
        app.selection.layer = s.clicked_head / s.result.n_head;
        app.selection.head = s.clicked_head % s.result.n_head;
        app.selection.head_mode = HeadMode::one;
        app.main_view = MainView::grid;
    }
    s.clicked_head = -1;
    // Written only when the outline choice or the result changes: the grid's outline is the checks' to set,
    // but not to hold every frame (anything else may set it in between).
    const bool highlight = s.highlight && s.has_result;
    if (highlight != s.applied_highlight || (highlight && s.results != s.applied_results)) {
        app.heads.highlighted = highlight ? check_heads_passing_most(s.result) : std::vector<uint8_t>{};
        s.applied_highlight = highlight;
        s.applied_results = s.results;
    }
}

Expected<std::string> app_checks_probe(App& app, const std::string& name_or_json) {
    if (!app.model) return make_error("no model is loaded to run the checks on");
    Expected<CheckSuite> suite = check_suite_from(name_or_json, "suite");
    if (!suite) return make_error(suite.error().message);
    ChecksState& s = app.checks;
    if (s.run) s.run.reset();
    const auto& suites = builtin_check_suites();
    for (size_t i = 0; i < suites.size(); ++i)
        if (name_or_json == suites[i].name) s.suite_index = static_cast<int>(i);
    s.run_suite = *suite;
    s.run_model = app.model.get();
    CheckRun run(*app.model, std::move(*suite));
    step_job_finish(run);
    if (!run.error().empty()) return make_error(run.error());
    keep_result(s, run, false);
    return check_results_json(run.result());
}

}  // namespace attn
