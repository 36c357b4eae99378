// Drives the explanation view: once the attribution job has a result for the input on screen, steps a
// faithfulness job a few milliseconds per frame (while the view is shown) and rebuilds the explanation
// when its inputs change or faithfulness arrives. Encoder-decoders are explained from forward passes,
// measured once per trace.

#include "analysis/explanation.h"
#include "analysis/explanation_json.h"
#include "analysis/explanation_strings.h"
#include "analysis/head_patterns.h"
#include "ui/app.h"
#include "ui/app_analysis.h"
#include "ui/app_explain.h"
#include "ui/frame_budget.h"
#include "ui/study_views.h"

namespace attn {

namespace {

void build_explanation(App& app, bool with_faithfulness) {
    ExplainState& s = app.explain;
    const AnalysisState& a = app.analysis;
    const std::vector<HeadStats> stats =
        head_statistics(app.trace.attentions, token_kinds(app.model->tokenizer, app.trace.tokens), HeadStatsOptions{});
    s.facts = explanation_facts(*app.model, app.trace.tokens, a.result, a.lens, stats,
                                with_faithfulness ? &s.faithfulness : nullptr);
    s.explanation = explain(s.facts, explanation_strings(current_language()));
    s.has_explanation = true;
    s.key = a.key;
    s.trace_version = app.trace_version;
    s.with_faithfulness = with_faithfulness;
}

}  // namespace

void app_explain_frame(App& app, double budget_ms) {
    ExplainState& s = app.explain;
    const bool shown = app.main_view == MainView::explain;
    // The same facts say it again when the language changes.
    if (s.has_explanation && s.explanation_language != current_language()) s.explanation = explain(s.facts, explanation_strings(current_language()));
    s.explanation_language = current_language();
    if (!app.model || !app.has_trace || app.trace.tokens.size() == 0) {
        s.job.reset();
        s.has_explanation = false;
        s.error.clear();
        return;
    }
    if (app.model->info().encoder_decoder) {
        s.job.reset();
        if (!shown || (s.trace_version == app.trace_version && (s.has_explanation || !s.error.empty()))) return;
        s.trace_version = app.trace_version;
        Expected<ExplanationFacts> f = explanation_facts_seq2seq(*app.model, app.trace);
        s.has_explanation = f.ok();
        s.error = f.ok() ? "" : f.error().message;
        if (f) {
            s.facts = std::move(*f);
            s.explanation = explain(s.facts, explanation_strings(current_language()));
            s.with_faithfulness = false;
        }
        return;
    }
    if (!app_analysis_current(app)) {
        if (s.job && s.job_key != app_analysis_key(app)) s.job.reset();
        return;
    }
    const AnalysisKey& key = app.analysis.key;
    const bool have_faithfulness = s.has_faithfulness && s.faithfulness_key == key;
    if (shown && !s.job && !have_faithfulness) {
        s.job = std::make_shared<FaithfulnessJob>(*app.model, app.trace.tokens.ids, app.analysis.result, FaithfulnessOptions{});
        s.job_key = key;
        s.progress = 0.0f;
        s.stage = "starting";
        s.longest_step_ms = 0.0;
    }
    if (s.job && shown) {
        step_within_budget(budget_ms, s.longest_step_ms, [&] { s.job->step(); }, [&] { return s.job->done(); });
        s.progress = s.job->progress();
        s.stage = s.job->stage();
        if (s.job->done()) {
            s.error = s.job->error();
            s.faithfulness = s.job->result();
            s.has_faithfulness = s.error.empty();
            s.faithfulness_key = s.job_key;
            s.job.reset();
        }
    }
    const bool with = s.has_faithfulness && s.faithfulness_key == key;
    if (!s.has_explanation || s.key != key || s.trace_version != app.trace_version || s.with_faithfulness != with)
        build_explanation(app, with);
}

Expected<std::string> app_explain_json(const App& app, const ExplainRequest& request) {
    if (!app.model) return ErrorValue{"no model is loaded"};
    if (!app.has_trace || app.trace.tokens.size() == 0) return ErrorValue{"there is no text to explain"};
    const Model& model = *app.model;
    if (model.info().encoder_decoder) {
        if (request.target >= 0 || request.foil >= 0)
            return ErrorValue{"target and foil need gradients, which an encoder-decoder model does not have here"};
        Expected<ExplanationFacts> f = explanation_facts_seq2seq(model, app.trace);
        if (!f) return ErrorValue{f.error().message};
        return json_text(explanation_to_json(*f, explain(*f, explanation_strings(current_language())), nullptr));
    }
    const int V = model.info().n_vocab;
    for (int id : {request.target, request.foil})
        if (id >= V) return ErrorValue{"token id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(V - 1) + ")"};
    if (request.foil >= 0 && request.foil == request.target)
        return ErrorValue{"the foil is the same token as the target; the contrast would be zero"};
    AttributionOptions opt;   // the CLI's defaults, so the page and `attnscope-cli explain` agree
    opt.score.target = request.target;
    opt.score.foil = request.foil;
    if (request.ig_steps > 0) opt.ig_steps = request.ig_steps;
    AttributionJob job(model, app.trace.tokens.ids, opt);
    while (!job.step()) {
    }
    if (!job.error().empty()) return ErrorValue{job.error()};
    FaithfulnessJob fj(model, app.trace.tokens.ids, job.result(), FaithfulnessOptions{});
    step_job_finish(fj);
    if (!fj.error().empty()) return ErrorValue{fj.error()};
    const std::vector<HeadStats> stats =
        head_statistics(app.trace.attentions, token_kinds(model.tokenizer, app.trace.tokens), HeadStatsOptions{});
    const ExplanationFacts f = explanation_facts(model, app.trace.tokens, job.result(), job.lens(), stats, &fj.result());
    return json_text(explanation_to_json(f, explain(f, explanation_strings(current_language())), &fj.result()));
}

}  // namespace attn
