// What the app keeps for the views about one prediction (Attributions, Logit lens, Activations): the
// user's choices, the running AttributionJob and the last finished result with the input it belongs
// to, so switching views or redrawing never recomputes, and a new text, model, target or foil does.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "ui/analysis_views.h"

namespace attn {

// What a result depends on: it is recomputed when any of these changes.
struct AnalysisKey {
    const void* model = nullptr;
    std::vector<int32_t> ids;
    int target = -1, foil = -1, ig_steps = 32;
    std::string interventions;   // Interventions::describe() of the ones in
    bool operator==(const AnalysisKey& o) const {
        return model == o.model && ids == o.ids && target == o.target && foil == o.foil && ig_steps == o.ig_steps &&
               interventions == o.interventions;
    }
    bool operator!=(const AnalysisKey& o) const { return !(*this == o); }
};

struct AnalysisState {
    // The user's choices.
    int method = 2;                    // kAttributionMethods index (integrated gradients)
    int target = -1, foil = -1;        // -1: the model's own prediction / no foil
    int ig_steps = 32;
    bool lens_after_attention = false;
    ActivationMode activation_mode = ActivationMode::hidden_norm;

    // The job in flight (shared_ptr: the App needs no job code to be destroyed).
    std::shared_ptr<AttributionJob> job;
    AnalysisKey job_key;
    float progress = 0.0f;
    std::string stage;
    double longest_frame_ms = 0.0;     // the most one frame spent stepping (the bench and tests read it)
    double longest_step_ms = 0.0;      // the longest single step of this job: predicts whether another fits
    int frames_stepped = 0;            // frames that stepped the current job

    // The last result (finished or cancelled part-way) and what it was computed for.
    bool has_result = false;
    AnalysisKey key;
    Attribution result;
    LogitLens lens;
    ActivationSummary activations;
    bool cancelled = false;
    std::string error;
    AnalysisKey cancelled_key;         // not restarted by itself after Cancel; Run restarts it
    bool run_requested = false;        // requests from the views, acted on by app_analysis_frame
    bool cancel_requested = false;
    bool neurons_requested = false;

    // The heatmap's value-weighted option: ||v|| per (layer, head, key) from the trace pass's observer,
    // and the weighted attention, each for the trace version they were made from (0: none).
    std::vector<float> value_norms;    // (L, H, S)
    uint64_t value_norms_trace = 0;
    AttentionTensor value_weighted;
    uint64_t value_weighted_trace = 0;

    // The Activations view's clicked cell and its top neurons.
    int cell_layer = -1, cell_token = -1;
    std::vector<Neuron> neurons;
    std::string neurons_error;
};

}  // namespace attn

namespace attn {

// Where the analysis views' widgets were drawn last frame (browser and UI tests click them).
struct AnalysisRects {
    std::array<float, 4> run{}, method{}, tokens{}, progress{}, cancel{}, lens_grid{}, activations_grid{};
    std::vector<std::array<float, 4>> targets, foils;   // foils: "no foil" first, then one per candidate
};

}  // namespace attn
