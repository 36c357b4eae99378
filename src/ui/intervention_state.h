// What the app keeps for interventions (ablations, knockouts, masked tokens and their before/after) and
// for the activation patching view (clean/corrupted texts, the job, the last result).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/interventions.h"
#include "analysis/patching.h"
#include "model/forward_job.h"
#include "model/trace.h"

namespace attn {

// What the heatmap shows while interventions are in: the trace with them (after), without (before), or
// after - before on a diverging scale.
enum class InterventionShow { after, before, change };

struct InterventionState {
    Interventions current;             // every trace of the app runs with these (app_retrace)
    const void* model = nullptr;       // the model they were made for: another model drops them
    Trace before;                      // the same input without them
    uint64_t before_trace = 0;         // App::trace_version `before` and `effect` belong to (0: none)
    InterventionEffect effect;
    // `before` in steps after a slow trace (App::trace_step_above_ms), for before_job_trace; stepped by
    // app_interventions_frame within the frame's budget.
    std::shared_ptr<ForwardJob> before_job;
    uint64_t before_job_trace = 0;
    double before_longest_step_ms = 0.0;
    InterventionShow show = InterventionShow::after;
    // The panel's choices.
    AblationMode mode = AblationMode::zero;
    int knockout_key = 0;              // the key position the pinned query may no longer see
    int mask_pick = 0;                 // the position to mask
    std::vector<std::array<float, 4>> effect_rows;   // out: the before/after rows (x, y, w, h)

    // Activation patching: the corrupted text (the clean one is the app's text), the job, the result.
    std::string corrupted;
    std::string corrupted_from;        // the clean text the default corruption was made from
    int corrupted_generation = 0;      // bumps when `corrupted` is replaced from outside the box
    std::shared_ptr<PatchingJob> job;
    float progress = 0.0f;
    std::string stage;
    double longest_step_ms = 0.0;      // the longest single step of this job: predicts whether another fits
    double longest_frame_ms = 0.0;     // the most one frame spent stepping (tests read it)
    bool run_requested = false, cancel_requested = false;
    bool has_result = false, cancelled = false;
    std::string error;                 // the last run's failure (length mismatch, model kind)
    PatchingResult result;
    TokenSeq clean_tokens, corrupted_tokens;   // what the result was computed on
    const void* result_model = nullptr;
    std::string auto_key;              // the clean + corrupted texts last started by opening the view
};

}  // namespace attn
