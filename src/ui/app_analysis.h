// The app's side of the views about one prediction: which input a result belongs to, and (in
// app_analysis_job.cpp) the driver that steps the AttributionJob a few milliseconds per frame.
//
//   each frame: app_analysis_frame(app, view_open, budget_ms);   // starts, steps, finishes or cancels the job
//   if (app_analysis_current(app)) ... app.analysis.result ...
#pragma once
#include <string>
#include <vector>

#include "ui/app.h"

namespace attn {

// The input and choices the result on screen must match (model, token ids, target, foil, IG steps).
AnalysisKey app_analysis_key(const App& app);
// Why nothing can be explained now ("" when it can): no model, an encoder-decoder model, no text.
std::string app_analysis_unavailable(const App& app);
// app.analysis holds a result for exactly what is on screen.
bool app_analysis_current(const App& app);
// The top predictions at the scored position: what the target / foil picker offers (null: none).
const std::vector<TokenProb>* app_analysis_candidates(const App& app);

// Steps the job (called once a frame, before the views): starts it when an analysis view is open and
// the input on screen has no result yet (or Run was pressed), spends at most budget_ms on it (frame_budget.h:
// at least one step; none when negative), takes its results when it finishes, acts on Cancel, and looks up
// a clicked cell's neurons.
void app_analysis_frame(App& app, bool view_open, double budget_ms);
// Starts a job for the input on screen now (replacing any running one).
void app_analysis_start(App& app);

// The page's analyze(): the CLI's `analyze` tensors for the input on screen, computed to the end.
struct AnalyzeRequest {
    int position = -1, target = -1, foil = -1;   // -1: defaults (the model's prediction, no foil)
    int ig_steps = 0;                            // 0: the job's default
};
Expected<Bytes> app_analyze_safetensors(const App& app, const AnalyzeRequest& request);

}  // namespace attn
