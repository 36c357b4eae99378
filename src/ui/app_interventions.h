// The app's side of interventions and activation patching (app_interventions.cpp): the hooks every
// trace and the attribution job run with, the "before" trace and what changed, the patching job.
// The panels (view_interventions.cpp, view_patching.cpp) draw from App::interventions and ask for
// changes through these calls.
#pragma once
#include <string>

#include "ui/app.h"

namespace attn {

// The current interventions as hooks for a pass over n_token tokens (gates, knockouts, the mean-ablation
// editor). Empty hooks when there are none or no model.
ForwardHooks app_intervention_hooks(const App& app, int n_token);
// Adds them to `hooks` (keeping its observer): what app_retrace's trace runs with.
void app_add_intervention_hooks(const App& app, ForwardHooks& hooks);
// After a new trace: the same input without the interventions and the effect (nothing when none); in
// steps over the next frames after a slow trace (App::trace_step_above_ms), as an edit's retrace is.
void app_interventions_traced(App& app);
// Runs the "before" trace in flight to the end (the page's intervene() answers with it at once).
void app_interventions_before_finish(App& app);
// Replaces the interventions and re-traces (the predictions, heatmaps and attributions follow): in steps
// when the model is slow (app_retrace_after_edit).
void app_intervene(App& app, const Interventions& iv);
// The heatmap under interventions: "before" or "change" instead of the app's own trace, with the toggle
// above. False (nothing drawn) when the heatmap should draw `hd` as it is.
struct HeatmapData;
bool app_intervention_heatmap(App& app, const HeatmapData& hd);
// The patching view's default corrupted text: `clean` with one word swapped for another of its kind
// (animal -> street, he -> she, ...); `clean` itself when it has none of those words.
std::string default_corruption(const std::string& clean);
// Token counts of the clean (the app's text) and corrupted texts as the model reads them.
struct PatchLengths {
    int clean = 0, corrupted = 0;
};
PatchLengths app_patch_lengths(const App& app);

}  // namespace attn

namespace attn {

// What the Attributions view says while interventions are in ("" when none): which are applied, and
// that mean ablations are left out (the gradient pass has no edited forward).
std::string intervention_attribution_note(const Interventions& iv);

}  // namespace attn

namespace attn {

// Runs the patching of the app's text against App::interventions.corrupted to the end at once (the page
// API and tests); the result lands where the view reads it, or the error in interventions.error.
void app_patch_now(App& app);

// The page API (attnscope.intervene, clearInterventions, patch; app_interventions_api.cpp): JSON in, JSON
// out, {"error": "..."} naming the problem on bad input.
//   intervene  {"ablate": [{"layer", "head", "mode": "zero"|"mean"}], "knockouts": [{"query", "key",
//              "layer" (optional, -1: all)}], "mask": [positions]} -> {"before": [{"id", "piece", "prob"}],
//              "after": [...], "position", "interventions"}: the top 5 of each at the scored position
//   patch      {"clean", "corrupted"} -> the PatchingResult's numbers, residual (L+1 rows of T) and heads
//              (L rows of H) as nested arrays
std::string app_intervene_json(App& app, const std::string& request);
std::string app_clear_interventions_json(App& app);
std::string app_patch_json(App& app, const std::string& request);

}  // namespace attn
