// The measured half of "random weights" (analysis/random_weights.h): the next-token (or, for encoders,
// last-position) distribution on a fixed probe text, taken when a model loads. It is a whole trace of its
// own (a 124M model's load in a tab spent 0.15 s on it before the user saw anything), so where the
// platform asks (App::probe_in_steps_above_params) a large model's probe runs after its first trace
// shows, a block a frame within the frame's budget, as a stepped retrace does.
#include <chrono>

#include "analysis/random_weights.h"
#include "model/forward_job.h"
#include "ui/app.h"
#include "ui/frame_budget.h"

namespace attn {

struct ProbeInFlight {
    const Model* model = nullptr;   // the job reads this model's weights: it is dropped if the model changes
    std::unique_ptr<ForwardJob> job;
    double longest_step_ms = 0.0;
};

namespace {

const char* const kProbeText = "The animal didn't cross the street because it was too tired.";

TraceOptions probe_options() {
    TraceOptions options;   // logits only: the probe reads one row of them
    options.capture_hidden_states = false;
    options.capture_attentions = false;
    return options;
}

// A failed probe says nothing: not random.
bool probe_says_random(const Expected<Trace>& t) {
    return t && !t->logits.empty() && logits_look_random(t->logits.data(), t->n_vocab);
}

// The probe as a job, on the ids model_trace_text (or, for an encoder-decoder, a source and a one-word
// target) would trace; null when it cannot be made (then the model is not called random).
std::unique_ptr<ForwardJob> make_probe_job(const Model& model) {
    if (model.info().encoder_decoder) {
        Expected<std::unique_ptr<ForwardJob>> job = model_trace_seq2seq_job(
            model, seq2seq_source_ids(model, kProbeText), seq2seq_target_ids(model, "The"), probe_options());
        return job ? std::move(*job) : nullptr;
    }
    Expected<std::vector<int32_t>> ids = model_text_ids(model, kProbeText);
    if (!ids) return nullptr;
    Expected<std::unique_ptr<ForwardJob>> job = model_trace_job(model, *ids, probe_options());
    return job ? std::move(*job) : nullptr;
}

// The probe run to the end, for a model small enough to measure within its load.
bool probe_at_once(const Model& model) {
    std::unique_ptr<ForwardJob> job = make_probe_job(model);
    return job && probe_says_random(catch_errors([&] { return forward_job_finish(*job); }));
}

}  // namespace

bool app_measures_in_steps(const App& app) {
    const int64_t above = app.probe_in_steps_above_params;
    return app.model && above > 0 && app.model->info().n_params > above;
}

void app_probe_start(App& app) {
    app.probe_job.reset();
    app.random_weights = false;
    if (!app.model) return;
    if (app_measures_in_steps(app)) {
        if (std::unique_ptr<ForwardJob> job = make_probe_job(*app.model)) {
            app.probe_job = std::make_shared<ProbeInFlight>();
            app.probe_job->model = app.model.get();
            app.probe_job->job = std::move(job);
            return;
        }
    }
    app.random_weights = probe_at_once(*app.model);
}

double app_probe_frame(App& app) {
    if (!app.probe_job || app.trace_job) return 0.0;   // a retrace the user asked for goes first
    std::shared_ptr<ProbeInFlight> probe = app.probe_job;
    if (probe->model != app.model.get()) {   // another model was loaded or trained meanwhile
        app.probe_job.reset();
        return 0.0;
    }
    Expected<double> stepped = catch_errors([&] {
        return step_within_budget(app.trace_budget_ms, probe->longest_step_ms, [&] { probe->job->step(); },
                                  [&] { return probe->job->done(); });
    });
    if (!stepped) {   // a failed probe says nothing: not random
        app.probe_job.reset();
        return 0.0;
    }
    if (!probe->job->done()) return *stepped;
    app.probe_job.reset();
    app.random_weights = probe_says_random(probe->job->take());
    return *stepped;
}

bool app_probing(const App& app) { return app.probe_job != nullptr; }

}  // namespace attn
