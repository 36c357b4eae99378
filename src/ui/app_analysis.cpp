// The Attributions, Logit lens and Activations views, fed from app.analysis: the cached result when it
// belongs to the input on screen, the job's progress while one runs. The clicks they report only set
// requests (run, cancel, a cell's neurons); app_analysis_frame (app_analysis_job.cpp) acts on them
// between the views, so no model work ever runs inside a view.
#include "imgui.h"
#include "core/i18n.h"
#include "ui/app.h"
#include "ui/app_analysis.h"
#include "ui/app_interventions.h"
#include "ui/attribution_methods.h"

namespace attn {

AnalysisKey app_analysis_key(const App& app) {
    AnalysisKey k;
    k.model = app.model.get();
    if (app.has_trace) k.ids = app.trace.tokens.ids;
    k.target = app.analysis.target;
    k.foil = app.analysis.foil;
    k.ig_steps = app.analysis.ig_steps;
    k.interventions = app.interventions.current.describe();
    return k;
}

std::string app_analysis_unavailable(const App& app) {
    if (!app.model) return tr("ui.analysis.open_a_model_to");
    if (app.model->info().encoder_decoder)
        return tr("ui.analysis.attributions_the_logit_lens");
    if (!app.has_trace || app.trace.tokens.size() == 0) return tr("ui.analysis.type_a_sentence_to");
    return "";
}

bool app_analysis_current(const App& app) {
    const AnalysisState& s = app.analysis;
    return s.has_result && s.key == app_analysis_key(app);
}

const std::vector<TokenProb>* app_analysis_candidates(const App& app) {
    if (!app.next_predictions.empty()) return &app.next_predictions;
    if (!app.mask_predictions.empty()) return &app.mask_predictions[0].top;
    return nullptr;
}

void app_show_analysis_view(App& app, MainView view, PieceStyle style) {
    AnalysisState& s = app.analysis;
    AnalysisRects& rects = app.widgets.analysis;
    const std::string unavailable = app_analysis_unavailable(app);
    const bool current = unavailable.empty() && app_analysis_current(app);
    PieceOf piece_of;
    if (app.model) {
        const Tokenizer* tok = &app.model->tokenizer;
        piece_of = [tok](int32_t id) { return tok->id_to_token(id); };
    }
    JobProgressData job;
    job.running = static_cast<bool>(s.job);
    job.progress = s.progress;
    job.stage = s.stage;
    job.bar_rect = &rects.progress;
    job.cancel_rect = &rects.cancel;

    if (view == MainView::attributions) {
        AttributionsData d;
        d.unavailable = unavailable;
        d.result = current ? &s.result : nullptr;
        d.tokens = &app.trace.tokens;
        d.piece_style = style;
        d.piece_of = piece_of;
        d.method = s.method;
        d.candidates = app_analysis_candidates(app);
        d.target = s.target;
        d.foil = s.foil;
        d.ig_steps = s.ig_steps;
        d.job = job;
        d.error = s.error;
        d.cancelled = current && s.cancelled;
        d.run_rect = &rects.run;
        d.target_rects = &rects.targets;
        d.foil_rects = &rects.foils;
        d.method_rect = &rects.method;
        d.tokens_rect = &rects.tokens;
        if (!app.interventions.current.empty() && !app.picture_only)
            ImGui::TextWrapped("%s", intervention_attribution_note(app.interventions.current).c_str());
        AttributionsActions act = show_attributions(app.selection, d);
        if (act.method >= 0) s.method = act.method;
        if (act.target != -2) s.target = act.target;
        if (act.foil != -2) s.foil = act.foil;
        if (act.ig_steps > 0) s.ig_steps = act.ig_steps;
        if (act.run) s.run_requested = true;
        if (act.cancel) s.cancel_requested = true;
        return;
    }
    if (!unavailable.empty()) {
        ImGui::TextDisabled("%s", unavailable.c_str());
        return;
    }
    if (show_job_progress(job)) s.cancel_requested = true;
    if (!s.error.empty()) ImGui::TextColored(ImVec4(1.0f, 0.42f, 0.38f, 1.0f), "%s", s.error.c_str());
    const char* waiting = s.job ? tr("ui.analysis.computing") : tr("ui.analysis.nothing_computed_yet_for");
    if (view == MainView::lens) {
        LensData d;
        d.lens = current ? &s.lens : nullptr;
        d.tokens = &app.trace.tokens;
        d.piece_style = style;
        d.piece_of = piece_of;
        d.position = current ? s.result.position : -1;
        if (current && piece_of) d.target_label = token_label(piece_of(s.result.target), style);
        d.after_attention = &s.lens_after_attention;
        d.grid_rect = &rects.lens_grid;
        d.hint = waiting;
        show_logit_lens(app.selection, d);
        return;
    }
    ActivationsData d;
    d.summary = current ? &s.activations : nullptr;
    d.tokens = &app.trace.tokens;
    d.piece_style = style;
    d.mode = &s.activation_mode;
    d.cell_layer = s.cell_layer;
    d.cell_token = s.cell_token;
    d.neurons = &s.neurons;
    d.neurons_error = s.neurons_error;
    d.grid_rect = &rects.activations_grid;
    d.hint = waiting;
    std::array<int, 2> cell = show_activations(app.selection, d);
    if (cell[0] >= 0) {
        s.cell_layer = cell[0];
        s.cell_token = cell[1];
        s.neurons.clear();
        s.neurons_error.clear();
        s.neurons_requested = true;
    }
}

}  // namespace attn
