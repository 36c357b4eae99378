// Drives the AttributionJob for the views about one prediction: starts it when an analysis view is
// open and nothing matches the input on screen (or Run was pressed), steps it a few milliseconds per
// frame so the page keeps drawing, keeps what a cancel leaves, and looks up a clicked cell's neurons.
#include <algorithm>

#include "analysis/attribution_export.h"
#include "ui/app_analysis.h"
#include "ui/app_interventions.h"
#include "ui/frame_budget.h"

namespace attn {

namespace {

// The job's results into the cache; `cancelled`: what it finished before the cancel.
void finish_job(AnalysisState& s) {
    AttributionJob& job = *s.job;
    s.error = job.error();
    s.has_result = s.error.empty();
    s.key = s.job_key;
    s.result = job.result();
    s.lens = job.lens();
    s.activations = job.activations();
    if (!s.error.empty()) s.cancelled_key = s.job_key;   // a failing input is not retried every frame
    s.job.reset();
    s.progress = 1.0f;
    s.stage.clear();
}

}  // namespace

void app_analysis_start(App& app) {
    AnalysisState& s = app.analysis;
    AttributionOptions opt;
    opt.score.target = s.target;
    opt.score.foil = s.foil;
    opt.ig_steps = s.ig_steps;
    opt.hooks = app_intervention_hooks(app, app.trace.tokens.size());
    s.job = std::make_shared<AttributionJob>(*app.model, app.trace.tokens.ids, opt);
    s.job_key = app_analysis_key(app);
    s.progress = 0.0f;
    s.stage = "starting";
    s.cancelled = false;
    s.error.clear();
    s.longest_frame_ms = 0.0;
    s.longest_step_ms = 0.0;
    s.frames_stepped = 0;
}

void app_analysis_frame(App& app, bool view_open, double budget_ms) {
    AnalysisState& s = app.analysis;
    const bool possible = app_analysis_unavailable(app).empty();
    // A chosen target or foil that the new input no longer offers falls back to the default.
    if (possible && !s.job) {
        const std::vector<TokenProb>* c = app_analysis_candidates(app);
        auto offered = [&](int id) { return c && std::any_of(c->begin(), c->end(), [&](const TokenProb& p) { return p.id == id; }); };
        if (s.target >= 0 && !offered(s.target)) s.target = -1;
        if (s.foil >= 0 && !offered(s.foil)) s.foil = -1;
    }
    if (s.job && (s.cancel_requested || !possible || s.job_key.model != app.model.get())) {
        s.job->cancel();
        while (!s.job->done()) s.job->step();   // the cancelled job stops at its next step
        s.cancelled_key = s.job_key;
        const bool keep = possible && s.job_key.model == app.model.get();
        finish_job(s);
        s.cancelled = true;
        if (!keep) s.has_result = false;
    }
    s.cancel_requested = false;
    if (!possible) {
        s.run_requested = false;
        return;
    }
    const AnalysisKey want = app_analysis_key(app);
    // A running job for another input (the text, target or foil changed) is replaced.
    if (s.job && s.job_key != want) s.job.reset();
    const bool stale = !s.has_result || s.key != want;
    if (!s.job && (s.run_requested || (view_open && stale && want != s.cancelled_key))) app_analysis_start(app);
    s.run_requested = false;
    if (s.job && budget_ms >= 0.0) {   // no step when the frame's earlier jobs left too little
        const double spent = step_within_budget(budget_ms, s.longest_step_ms, [&] { s.job->step(); }, [&] { return s.job->done(); });
        s.longest_frame_ms = std::max(s.longest_frame_ms, spent);
        ++s.frames_stepped;
        s.progress = s.job->progress();
        s.stage = s.job->stage();
        if (s.job->done()) finish_job(s);
    }
    if (s.neurons_requested && s.cell_layer >= 0) {
        s.neurons_requested = false;
        Expected<std::vector<Neuron>> n = top_neurons(*app.model, app.trace.tokens.ids, s.cell_layer, s.cell_token, 10);
        if (n) s.neurons = std::move(*n);
        else s.neurons_error = n.error().message;
    }
}

Expected<Bytes> app_analyze_safetensors(const App& app, const AnalyzeRequest& request) {
    const std::string unavailable = app_analysis_unavailable(app);
    if (!unavailable.empty()) return ErrorValue{unavailable};
    const std::vector<int32_t>& ids = app.trace.tokens.ids;
    const int V = app.model->info().n_vocab;
    for (int id : {request.target, request.foil})
        if (id >= V) return ErrorValue{"token id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(V - 1) + ")"};
    if (request.position >= static_cast<int>(ids.size()))
        return ErrorValue{"score position " + std::to_string(request.position) + " is outside the input's " +
                          std::to_string(ids.size()) + " tokens"};
    if (request.foil >= 0 && request.foil == request.target)
        return ErrorValue{"the foil is the same token as the target; the contrast would be zero"};
    AttributionOptions opt;
    opt.score.position = request.position;
    opt.score.target = request.target;
    opt.score.foil = request.foil;
    if (request.ig_steps > 0) opt.ig_steps = request.ig_steps;
    opt.hooks = app_intervention_hooks(app, static_cast<int>(ids.size()));
    AttributionJob job(*app.model, ids, opt);
    while (!job.step()) {
    }
    if (!job.error().empty()) return ErrorValue{job.error()};
    AttributionArrays arrays;
    attribution_arrays(ids, job.result(), job.lens(), job.activations(), &arrays);
    return attribution_to_safetensors(arrays, {{"producer", "attnscope"},
                                               {"architecture", app.model->info().architecture},
                                               {"ig_steps", std::to_string(opt.ig_steps)}});
}

}  // namespace attn
