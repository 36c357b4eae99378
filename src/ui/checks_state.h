// What the app keeps for the checks view (the chosen suite, the run, its result and the heads it passes,
// which the head grid highlights); the explanation view's ExplainState is in explain_state.h.
#pragma once
#include "ui/explain_state.h"   // ExplainState (App::explain)
#include <array>
#include <memory>
#include <string>

#include "analysis/checks.h"

namespace attn {

struct ChecksState {
    int suite_index = 0;                // which built-in suite the picker shows (builtin_check_suites())
    std::shared_ptr<CheckRun> run;      // the run in progress; null when idle
    const Model* run_model = nullptr;   // the model it runs on (a new model drops it)
    CheckSuite run_suite;               // the suite it runs
    bool run_requested = false;         // Run pressed: app_checks_frame starts the picked suite
    bool cancel_requested = false;      // Cancel pressed: the run stops, finished cases stay
    float progress = 0.0f;
    std::string stage;
    double longest_step_ms = 0.0;

    bool has_result = false;
    const Model* result_model = nullptr;
    CheckSuite suite;                   // the suite of `result` (a clicked case's text comes from it)
    CheckSuiteResult result;
    bool cancelled = false;             // the result is what a cancelled run finished
    int results = 0;                    // bumps with every result kept (tests wait on it)
    std::string error;                  // why the last run could not start (a malformed suite)

    int clicked_case = -1;              // a results row clicked this frame: the app loads its text
    int clicked_head = -1;              // a pass-count cell clicked: l * H + h, the heatmap shows it
    bool highlight = false;             // the head grid outlines the heads passing most cases
    bool applied_highlight = false;     // what App::heads.highlighted was last set from
    int applied_results = -1;
    std::array<float, 4> run_rect{}, highlight_rect{};   // where Run and the outline box were drawn (page tests)
};

}  // namespace attn
