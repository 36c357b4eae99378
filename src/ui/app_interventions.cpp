// Interventions in the app: every trace runs with them (app_retrace adds the hooks), a second pass
// without them gives the "before" the panel compares with, and the patching job is stepped here within
// a frame budget, like the attribution job.
#include "ui/app_interventions.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/i18n.h"
#include "imgui.h"
#include "ui/frame_budget.h"
#include "ui/signed_grid.h"
#include "ui/study_views.h"
#include "ui/views.h"

namespace attn {

ForwardHooks app_intervention_hooks(const App& app, int n_token) {
    if (!app.model || app.interventions.current.empty()) return {};
    const ModelInfo& info = app.model->info();
    return intervention_hooks(app.interventions.current, info.n_layer, info.n_head, n_token);
}

void app_add_intervention_hooks(const App& app, ForwardHooks& hooks) {
    if (!app.model || app.interventions.current.empty()) return;
    // Mask knockouts for every position the model could read: those past the input are ignored.
    ForwardHooks iv = app_intervention_hooks(app, std::max(1, app.model->info().n_ctx));
    hooks.head_gates = std::move(iv.head_gates);
    hooks.knockouts = std::move(iv.knockouts);
    hooks.editor = std::move(iv.editor);
}

namespace {

// The "before" job's trace is complete: it and the effect.
void before_done(App& app) {
    InterventionState& s = app.interventions;
    std::shared_ptr<ForwardJob> job = std::move(s.before_job);
    s.before = job->take();
    s.before_trace = s.before_job_trace;
    const ModelInfo& info = app.model->info();
    const int position = info.encoder_decoder ? app.trace.decoder_tokens.size() - 1
                         : info.causal        ? app.trace.tokens.size() - 1
                         : app.trace.logit_positions.empty() ? -1
                                                             : app.trace.logit_positions.front();
    s.effect = intervention_effect(s.before, app.trace, *app.model, position, 5);
}

// Steps the "before" job within budget_ms (frame_budget.h), or runs it to the end; drops it when the trace
// it belongs to is no longer shown, or when it fails (the panel then shows no before, as a failed trace did).
// Returns the milliseconds its steps took.
double before_step(App& app, double budget_ms, bool to_end) {
    InterventionState& s = app.interventions;
    if (!s.before_job) return 0.0;
    if (s.before_job_trace != app.trace_version || !app.has_trace) {
        s.before_job.reset();
        return 0.0;
    }
    ForwardJob& job = *s.before_job;
    Expected<double> stepped = catch_errors([&] {
        if (!to_end) return step_within_budget(budget_ms, s.before_longest_step_ms, [&] { job.step(); }, [&] { return job.done(); });
        while (!job.done()) job.step();   // not a frame's step: no budget, no frame time
        return 0.0;
    });
    if (!stepped) {
        s.before_job.reset();
        return 0.0;
    }
    if (job.done()) before_done(app);
    return *stepped;
}

}  // namespace

void app_interventions_traced(App& app) {
    InterventionState& s = app.interventions;
    s.before = Trace{};
    s.before_trace = 0;
    s.effect = InterventionEffect{};
    s.before_job.reset();
    if (!app.model || s.current.empty() || !app.has_trace) return;
    const Model& model = *app.model;
    TraceOptions opt;
    opt.capture_hidden_states = false;
    opt.logit_positions = app.trace.logit_positions;
    const bool slow = app.trace_ms > app.trace_step_above_ms;
    if (slow) opt.step_multiply_adds = app.trace_step_multiply_adds;
    Expected<std::unique_ptr<ForwardJob>> job = app_trace_job(model, app.trace.tokens.ids, app.trace.decoder_tokens.ids, opt);
    if (!job) return;
    s.before_job = std::move(*job);
    s.before_job_trace = app.trace_version;
    s.before_longest_step_ms = 0.0;
    if (!slow) before_step(app, 0.0, true);
}

void app_interventions_before_finish(App& app) { before_step(app, 0.0, true); }

void app_intervene(App& app, const Interventions& iv) {
    InterventionState& s = app.interventions;
    s.current = iv;
    s.model = app.model.get();
    s.before_trace = 0;   // the last effect is not these interventions': none shows until their trace lands
    s.before_job.reset();
    if (iv.empty()) s.show = InterventionShow::after;
    app_retrace_after_edit(app);   // in steps when the model is slow, as an edit's retrace
}

std::string intervention_attribution_note(const Interventions& iv) {
    if (iv.empty()) return "";
    std::string note = trf("ui.interventions.with_the_interventions", {{"what", iv.describe()}});
    if (!interventions_have_backward(iv)) note += tr("ui.interventions.mean_ablations_left_out");
    return note;
}

// ---------------------------------------------------------------------------------------- heatmap

namespace {

void draw_change(App& app, const HeatmapData& hd, PieceStyle style) {
    const InterventionState& s = app.interventions;
    const AttentionTensor& a = s.before.attentions;
    const AttentionTensor& b = app.trace.attentions;
    const int layer = std::clamp(app.selection.layer, 0, a.n_layer - 1), head = std::clamp(app.selection.head, 0, a.n_head - 1);
    const int T = a.n_query, S = a.n_key;
    std::vector<float> diff(static_cast<size_t>(T) * S);
    float vmax = 0.0f;
    for (size_t i = 0; i < diff.size(); ++i) {
        diff[i] = b.head(layer, head)[i] - a.head(layer, head)[i];
        vmax = std::max(vmax, std::fabs(diff[i]));
    }
    ImGui::Text(tr("ui.interventions.change_in_attention_layer"), layer, head);
    if (vmax == 0.0f) ImGui::TextDisabled("%s", tr("ui.interventions.this_head_s_attention"));
    SignedGridData g;
    g.rows = T;
    g.cols = S;
    g.values = diff.data();
    g.vmax = vmax > 0.0f ? vmax : 1.0f;
    for (int t = 0; t < T; ++t) g.row_labels.push_back(token_label(hd.queries->pieces[t], style));
    for (int t = 0; t < S; ++t) g.col_labels.push_back(token_label(hd.keys->pieces[t], style));
    g.row_title = tr("ui.interventions.looking_queries");
    g.col_title = tr("ui.interventions.looked_at_keys");
    g.height = std::max(80.0f, ImGui::GetContentRegionAvail().y - 5.0f * ImGui::GetTextLineHeightWithSpacing());
    g.rect = hd.grid_rect;
    g.legend_note = tr("ui.interventions.red_more_attention_after");
    g.tooltip = [&](int r, int c) {
        char buf[3][32];
        std::snprintf(buf[0], sizeof buf[0], "%.3f", a.head(layer, head)[r * S + c]);
        std::snprintf(buf[1], sizeof buf[1], "%.3f", b.head(layer, head)[r * S + c]);
        std::snprintf(buf[2], sizeof buf[2], "%+.3f", diff[static_cast<size_t>(r) * S + c]);
        return trf("ui.interventions.change_tooltip", {{"query", g.row_labels[r]}, {"key", g.col_labels[c]},
                                                        {"before", buf[0]}, {"after", buf[1]}, {"change", buf[2]}});
    };
    show_signed_grid(g);
}

}  // namespace

bool app_intervention_heatmap(App& app, const HeatmapData& hd) {
    InterventionState& s = app.interventions;
    const bool active = !s.current.empty() && s.before_trace == app.trace_version && app.has_trace &&
                        hd.attention == &app.trace.attentions && !s.before.attentions.empty();
    if (!active) return false;
    if (!app.picture_only) {
        ImGui::TextUnformatted(tr("ui.interventions.interventions_in_show"));
        int show = static_cast<int>(s.show);
        ImGui::SameLine();
        ImGui::RadioButton(tr_id("ui.interventions.after"), &show, 0);
        ImGui::SameLine();
        ImGui::RadioButton(tr_id("ui.interventions.before"), &show, 1);
        ImGui::SameLine();
        ImGui::RadioButton(tr_id("ui.interventions.change"), &show, 2);
        s.show = static_cast<InterventionShow>(show);
    }
    if (s.show == InterventionShow::after) return false;
    if (s.show == InterventionShow::before) {
        HeatmapData before = hd;
        before.attention = &s.before.attentions;
        before.trace_version ^= 1ull << 37;   // another picture of this trace: its own texture key
        before.title = tr("pictures.interventions.before_title");
        app_show_heatmap(app, before);
        return true;
    }
    draw_change(app, hd, hd.piece_style);
    return true;
}

// ---------------------------------------------------------------------------------------- patching

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80); }

void finish_patching(InterventionState& s, bool cancelled) {
    PatchingJob& job = *s.job;
    s.error = job.error();
    s.result = job.result();
    s.has_result = s.error.empty();
    s.cancelled = cancelled;
    s.job.reset();
    s.progress = 1.0f;
    s.stage.clear();
}

void start_patching(App& app) {
    InterventionState& s = app.interventions;
    s.error.clear();
    s.job.reset();
    if (!app.model) {
        s.error = tr("ui.interventions.open_a_model_to_patch");
        return;
    }
    const ModelInfo& info = app.model->info();
    if (info.encoder_decoder) {
        s.error = trf("ui.interventions.patching_needs_decoder_only", {{"model", app.model_name}});
        return;
    }
    if (!app.has_trace) {
        s.error = tr("ui.interventions.type_the_clean_text");
        return;
    }
    Encoding corrupted = app.model->tokenizer.encode(s.corrupted, /*add_special_tokens=*/true);
    if (info.n_ctx > 0 && static_cast<int>(corrupted.ids.size()) > info.n_ctx) {
        corrupted.ids.resize(info.n_ctx);
        corrupted.tokens.resize(info.n_ctx);
    }
    const TokenSeq& clean = app.trace.tokens;
    if (static_cast<int>(corrupted.ids.size()) != clean.size()) {
        s.error = trf("ui.interventions.token_counts_differ",
                      {{"clean", std::to_string(clean.size())}, {"corrupted", std::to_string(corrupted.ids.size())}});
        return;
    }
    s.job = std::make_shared<PatchingJob>(*app.model, clean.ids, corrupted.ids, PatchingOptions{});
    s.longest_step_ms = 0.0;
    if (!s.job->error().empty()) {
        s.error = s.job->error();
        s.job.reset();
        return;
    }
    s.auto_key = app.model_name + '\x1f' + app.text + '\x1f' + s.corrupted;   // opening the view will not redo it
    s.clean_tokens = clean;
    s.corrupted_tokens = TokenSeq{corrupted.ids, corrupted.tokens};
    s.result_model = app.model.get();
    s.has_result = false;
    s.cancelled = false;
    s.progress = 0.0f;
    s.stage = s.job->stage();
    s.longest_frame_ms = 0.0;
}

}  // namespace

std::string default_corruption(const std::string& clean) {
    static const char* const kPairs[][2] = {{"animal", "street"}, {"he", "she"},     {"his", "her"},
                                            {"man", "woman"},     {"king", "queen"}, {"cat", "dog"},
                                            {"Paris", "Rome"},    {"boy", "girl"},   {"good", "bad"}};
    for (size_t start = 0; start < clean.size();) {
        if (!is_word_char(clean[start])) {
            ++start;
            continue;
        }
        size_t end = start;
        while (end < clean.size() && is_word_char(clean[end])) ++end;
        const std::string word = clean.substr(start, end - start);
        for (const auto& pair : kPairs)
            for (int side = 0; side < 2; ++side)
                if (word == pair[side]) return clean.substr(0, start) + pair[1 - side] + clean.substr(end);
        start = end;
    }
    return clean;
}

PatchLengths app_patch_lengths(const App& app) {
    PatchLengths n;
    if (!app.model || !app.has_trace) return n;
    n.clean = app.trace.tokens.size();
    n.corrupted = static_cast<int>(app.model->tokenizer.encode(app.interventions.corrupted, true).ids.size());
    if (app.model->info().n_ctx > 0) n.corrupted = std::min(n.corrupted, app.model->info().n_ctx);
    return n;
}

void app_patch_now(App& app) {
    InterventionState& s = app.interventions;
    start_patching(app);
    if (!s.job) return;
    step_job_finish(*s.job);
    finish_patching(s, false);
}

void app_interventions_frame(App& app, double budget_ms) {
    InterventionState& s = app.interventions;
    if (s.model != app.model.get()) {   // another model: its layers, heads and vocabulary differ
        const bool had = !s.current.empty();
        s.current = Interventions{};
        s.model = app.model.get();
        s.before = Trace{};
        s.before_trace = 0;
        s.effect = InterventionEffect{};
        s.job.reset();
        s.before_job.reset();
        s.has_result = false;
        s.error.clear();
        if (had) app_retrace(app);
    }
    // The trace without them completes what is on screen: it goes first; patching gets what it left.
    const double before_ms = before_step(app, budget_ms, false);
    const double patching_ms = budget_ms < 0.0 ? budget_ms : budget_left_for(budget_ms, before_ms, s.longest_step_ms);
    if (app.main_view == MainView::patching && s.corrupted_from != app.text) {
        // A fresh clean text gets a fresh default corruption, unless the user wrote their own.
        if (s.corrupted.empty() || s.corrupted == default_corruption(s.corrupted_from)) {
            s.corrupted = default_corruption(app.text);
            ++s.corrupted_generation;
        }
        s.corrupted_from = app.text;
    }
    // Opening the view runs it for texts it has not run for (as the attribution views do); Cancel or an
    // error leaves those texts alone until Run.
    if (app.main_view == MainView::patching && !s.job && app.model && app.has_trace && s.corrupted != app.text) {
        const std::string key = app.model_name + '\x1f' + app.text + '\x1f' + s.corrupted;
        const PatchLengths n = app_patch_lengths(app);
        if (key != s.auto_key && n.clean == n.corrupted) {
            s.auto_key = key;
            s.run_requested = true;
        }
    }
    if (s.job && s.cancel_requested) {
        s.job->cancel();
        finish_patching(s, true);
    }
    s.cancel_requested = false;
    if (s.run_requested) {
        s.run_requested = false;
        start_patching(app);
    }
    if (!s.job) return;
    const double spent = step_within_budget(patching_ms, s.longest_step_ms, [&] { s.job->step(); }, [&] { return s.job->done(); });
    s.longest_frame_ms = std::max(s.longest_frame_ms, spent);
    s.progress = s.job->progress();
    s.stage = s.job->stage();
    if (s.job->done()) finish_patching(s, false);
}

}  // namespace attn
