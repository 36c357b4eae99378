// The checks area's app side: drives the check run a few milliseconds per frame, applies what the checks
// view asked for (a clicked case, a clicked head, the grid highlight), and runs a suite at once for the
// page's attnscope.probe. The view (view_checks.cpp) only draws and sets requests.
#pragma once
#include <string>
#include <vector>

#include "analysis/checks.h"
#include "core/error.h"

namespace attn {

struct App;

// Runs the suite (a built-in name or its JSON) on the loaded model to the end and keeps it as the checks
// view's result; the results as check_results_json writes them (the CLI's `probe --out`).
Expected<std::string> app_checks_probe(App& app, const std::string& name_or_json);

// Heads the grid outlines: those passing more than half of the head-scope cases that ran, (L, H) 0/1;
// empty when none does.
std::vector<uint8_t> check_heads_passing_most(const CheckSuiteResult& result);
int check_head_cases(const CheckSuiteResult& result);   // head-scope cases that ran on the counted stack

}  // namespace attn
