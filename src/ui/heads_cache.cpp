// Head statistics, labels, induction and similarity for the views, cached in App::heads.
#include "ui/heads_cache.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numeric>

#include "analysis/heads_report.h"
#include "ui/app.h"
#include "ui/app_analysis.h"
#include "ui/colormap.h"
#include "ui/frame_budget.h"
#include "ui/study_views.h"
#include "ui/theme.h"

namespace attn {

namespace {

// 0 means "nothing cached", and a trace's key may be 0.
uint64_t cache_key(const App& app) { return shown_attention_key(app) + 1; }

}  // namespace

namespace {

void heads_clear(HeadsState& hs) {
    hs.trace_key = 0;
    hs.stats.clear();
    hs.labels.clear();
    hs.order.clear();
    hs.n_layer = hs.n_head = 0;
}

// The induction score (when it applies) into the statistics, then labels and the table's order.
void heads_label(App& app, HeadsState& hs, bool with_induction) {
    head_stats_set_induction(hs.stats, with_induction ? hs.induction : std::vector<float>{});
    hs.labels.clear();
    for (const HeadStats& s : hs.stats) hs.labels.push_back(label_head(s));
    hs.labels_have_induction = with_induction;
    hs.order = head_table_order(hs.stats, hs.labels, app_heads_importance(app), hs.sort_column, hs.sort_descending);
}

// The score of the model's induction test, when it was measured on this model for this attention.
bool induction_applies(const App& app) {
    const HeadsState& hs = app.heads;
    return app.selection.kind == AttentionKind::self && app.model && hs.induction_model == app.model.get() &&
           !hs.induction.empty() && hs.induction.size() == static_cast<size_t>(hs.n_layer) * hs.n_head;
}

void heads_install(App& app, HeadsState& hs, std::vector<HeadStats> stats, const AttentionTensor& a, uint64_t key) {
    hs.stats = std::move(stats);
    hs.n_layer = a.n_layer;
    hs.n_head = a.n_head;
    hs.trace_key = key;
    heads_label(app, hs, induction_applies(app));
}

// A unit at a time within what earlier jobs (spent_ms) left of budget_ms (frame_budget.h); the
// milliseconds spent. longest_ms: the job's longest unit so far.
template <class Job>
double step_job_within(Job& job, double budget_ms, double spent_ms, double& longest_ms) {
    return step_within_budget(budget_left_for(budget_ms, spent_ms, longest_ms), longest_ms, [&] { job.step(1); },
                              [&] { return job.done(); });
}

// A finished job's results into the cache, under the trace key it was started for.
void stats_job_install(App& app, HeadsState& hs, const AttentionTensor& a) {
    heads_install(app, hs, hs.stats_job->take(), a, hs.stats_job_key);
    hs.stats_job.reset();
}

void similarity_job_install(HeadsState& hs) {
    hs.similarity = hs.similarity_job->take();
    hs.similarity_key = hs.similarity_job_key;
    hs.similarity_job.reset();
}

}  // namespace

HeadsState& app_heads_current(App& app) {
    HeadsState& hs = app.heads;
    const AttentionView view = attention_view(app.trace, app.selection.kind);
    if (!app.has_trace || !view.attention || view.attention->empty()) {
        heads_clear(hs);
        hs.stats_job.reset();
        return hs;
    }
    const uint64_t key = cache_key(app);
    if (hs.trace_key == key) {
        // Only the induction score arrived (or went): the statistics stand, the labels change.
        if (hs.labels_have_induction != induction_applies(app)) heads_label(app, hs, induction_applies(app));
        return hs;
    }
    if (hs.stats_job && hs.stats_job_key == key) {
        if (!app.picture_only) return hs;   // app_heads_frame is computing them
        // A picture is drawn in one go: it finishes the job.
        hs.stats_job->step(hs.stats_job->heads_total());
        stats_job_install(app, hs, *view.attention);
        return hs;
    }
    hs.stats_job.reset();
    const AttentionTensor& a = *view.attention;
    TokenKinds kinds;
    if (app.model && view.keys) kinds = token_kinds(app.model->tokenizer, *view.keys);
    HeadStatsOptions options;
    options.cross_attention = app.selection.kind == AttentionKind::cross;
    heads_clear(hs);
    const double weights = static_cast<double>(a.n_layer) * a.n_head * a.n_query * a.n_key;
    if (weights > hs.step_above_weights && !app.picture_only) {
        hs.stats_job = std::make_unique<HeadStatsJob>(a, std::move(kinds), options);
        hs.stats_job_longest_ms = 0.0;
        hs.stats_job_key = key;
        return hs;
    }
    heads_install(app, hs, head_statistics(a, kinds, options), a, key);
    return hs;
}

bool app_heads_pending(const App& app, int* heads_done, int* heads_total) {
    const HeadsState& hs = app.heads;
    if (!hs.stats_job) return false;
    if (heads_done) *heads_done = hs.stats_job->heads_done();
    if (heads_total) *heads_total = hs.stats_job->heads_total();
    return true;
}

bool app_heads_similarity_pending(const App& app, float* fraction) {
    const HeadsState& hs = app.heads;
    if (!hs.similarity_job) return false;
    if (fraction) *fraction = static_cast<float>(hs.similarity_job->units_done()) / static_cast<float>(std::max(1L, hs.similarity_job->units_total()));
    return true;
}

bool show_heads_pending(const App& app) {
    int done = 0, total = 0;
    float fraction = 0.0f;
    std::string text;
    if (app_heads_pending(app, &done, &total)) {
        text = trf("ui.heads.computing", {{"done", std::to_string(done)}, {"total", std::to_string(total)}});
        fraction = total > 0 ? static_cast<float>(done) / static_cast<float>(total) : 0.0f;
    } else if (app.main_view == MainView::similarity && app_heads_similarity_pending(app, &fraction)) {
        text = tr("ui.similarity.computing");   // the bar says how far
    } else {
        return false;
    }
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::ProgressBar(fraction, ImVec2(ImGui::GetFontSize() * 16.0f, 0.0f));
    return true;
}

const HeadSimilarity& app_heads_similarity(App& app) {
    HeadsState& hs = app.heads;
    const AttentionView view = attention_view(app.trace, app.selection.kind);
    if (!app.has_trace || !view.attention || view.attention->empty()) {
        hs.similarity = HeadSimilarity{};
        hs.similarity_key = 0;
        hs.similarity_job.reset();
        return hs.similarity;
    }
    const uint64_t key = cache_key(app);
    if (hs.similarity_key == key) return hs.similarity;
    if (hs.similarity_job && hs.similarity_job_key == key) {
        if (!app.picture_only) return hs.similarity;   // app_heads_frame is computing it
        // A picture is drawn in one go: it finishes the job.
        hs.similarity_job->step(hs.similarity_job->units_total());
        similarity_job_install(hs);
        return hs.similarity;
    }
    hs.similarity_job.reset();
    hs.similarity = HeadSimilarity{};
    hs.similarity_key = 0;
    const AttentionTensor& a = *view.attention;
    const double n = static_cast<double>(a.n_layer) * a.n_head;
    if (n * (n - 1) / 2 * a.n_query * a.n_key > hs.step_above_weights && !app.picture_only) {
        hs.similarity_job = std::make_unique<HeadSimilarityJob>(a);
        hs.similarity_job_longest_ms = 0.0;
        hs.similarity_job_key = key;
        return hs.similarity;
    }
    hs.similarity = head_similarity(a);
    hs.similarity_key = key;
    return hs.similarity;
}

const std::vector<float>* app_heads_importance(const App& app) {
    if (app.selection.kind != AttentionKind::self || !app_analysis_current(app)) return nullptr;
    const std::vector<float>& v = app.analysis.result.head_importance;
    return v.empty() ? nullptr : &v;
}

void app_heads_forget_model(App& app) {
    app.heads.induction_job.reset();
    app.heads.induction_model = nullptr;
}

namespace {

// The induction score: a few forward passes on the model's own input, once per model. A small model's is
// measured at once, before this frame's labels; a large model's is started as a job.
void induction_start(App& app, HeadsState& hs) {
    if (!app.model) {
        app_heads_forget_model(app);
        return;
    }
    if (hs.induction_model == app.model.get()) return;
    hs.induction_model = app.model.get();
    hs.induction.clear();
    hs.induction_error.clear();
    hs.induction_job.reset();
    if (!app_measures_in_steps(app)) {
        Expected<std::vector<float>> s = induction_scores(*app.model, InductionOptions{});
        if (s) hs.induction = std::move(*s);
        else hs.induction_error = s.error().message;
        return;
    }
    InductionOptions options;
    options.step_multiply_adds = app.trace_step_multiply_adds;   // steps of a few ms, as a stepped retrace's
    Expected<std::unique_ptr<InductionJob>> job =
        catch_errors([&] { return std::make_unique<InductionJob>(*app.model, options); });
    if (!job) {
        hs.induction_error = job.error().message;
        return;
    }
    hs.induction_job = std::move(*job);
    hs.induction_job_longest_ms = 0.0;
}

// A large model's induction job, after what is on screen (a retrace the user asked for, the random-weights
// probe, this trace's statistics) and within what they left of the budget; the milliseconds spent.
double induction_step(App& app, HeadsState& hs, double budget_ms, double spent_ms) {
    if (!hs.induction_job || app.trace_job || app.probe_job || hs.stats_job) return 0.0;
    InductionJob& job = *hs.induction_job;
    Expected<double> spent = catch_errors([&] {
        return step_within_budget(budget_left_for(budget_ms, spent_ms, hs.induction_job_longest_ms),
                                  hs.induction_job_longest_ms, [&] { job.step(); }, [&] { return job.done(); });
    });
    if (!spent) {
        hs.induction_job.reset();
        hs.induction_error = spent.error().message;
        return 0.0;
    }
    if (job.done()) {
        hs.induction = job.take();
        hs.induction_job.reset();   // the labels take it in at the next app_heads_current
    }
    return *spent;
}

}  // namespace

bool app_heads_induction_pending(const App& app) {
    return app.model && (app.heads.induction_model != app.model.get() || app.heads.induction_job);
}

void app_heads_frame(App& app, double budget_ms, double spent_ms) {
    HeadsState& hs = app.heads;
    induction_start(app, hs);
    app_heads_current(app);   // starts a job for a new trace's statistics when they are large
    // The jobs read the shown attention: app_heads_current and app_heads_similarity drop them first when it
    // changed. The statistics come first, then a large model's induction score; the similarity gets what
    // is left of the frame's budget.
    double spent = spent_ms;
    if (hs.stats_job) {
        spent += step_job_within(*hs.stats_job, budget_ms, spent, hs.stats_job_longest_ms);
        if (hs.stats_job->done()) stats_job_install(app, hs, *attention_view(app.trace, app.selection.kind).attention);
    }
    spent += induction_step(app, hs, budget_ms, spent);
    if (app.main_view != MainView::similarity) {
        hs.similarity_job.reset();   // only the similarity view waits for it
        return;
    }
    app_heads_similarity(app);
    if (hs.similarity_job) {
        step_job_within(*hs.similarity_job, budget_ms, spent, hs.similarity_job_longest_ms);
        if (hs.similarity_job->done()) similarity_job_install(hs);
    }
}

Expected<std::string> app_heads_json(App& app, bool per_query) {
    if (!app.model) return make_error("heads: no model is loaded");
    if (!app.has_trace) return make_error("heads: there is no trace yet; type some text");
    const InductionOptions options;
    // The heads' score of this model when it is measured (the same options, so the same numbers): a 124M
    // model's two passes again took the page's thread 0.5-0.8 s.
    const HeadsState& hs = app.heads;
    const bool measured = !app_heads_induction_pending(app) && !hs.induction.empty();
    Expected<HeadsReport> r = heads_report(*app.model, app.trace, attention_kind_name(app.selection.kind), &options,
                                           measured ? &hs.induction : nullptr);
    if (!r) return make_error("heads: " + r.error().message);
    return heads_report_json(*r, app.model_name, per_query);
}

std::vector<int> head_table_order(const std::vector<HeadStats>& stats, const std::vector<HeadLabel>& labels,
                                  const std::vector<float>* importance, int column, bool descending) {
    std::vector<int> order(stats.size());
    std::iota(order.begin(), order.end(), 0);
    auto value = [&](int i) -> double {
        if (column == kHeadColLayer) return stats[i].layer;
        if (column == kHeadColHead) return stats[i].head;
        // Heads with bad values sort after every pattern.
        if (column == kHeadColLabel)
            return i < static_cast<int>(labels.size()) ? (labels[i].bad_values ? kHeadPatternCount : static_cast<int>(labels[i].pattern)) : 0;
        if (column == kHeadColConfidence) return i < static_cast<int>(labels.size()) ? labels[i].confidence : 0;
        if (column >= kHeadColStat0 && column < kHeadColStat0 + kHeadStatCount) {
            // NaN breaks the sort's ordering (a NaN is neither above nor below anything): lowest instead.
            const float v = stats[i].value[column - kHeadColStat0];
            return std::isfinite(v) ? v : -FLT_MAX;
        }
        if (column == kHeadColImportance && importance && i < static_cast<int>(importance->size())) return (*importance)[i];
        return 0.0;
    };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const double va = value(a), vb = value(b);
        if (va != vb) return descending ? va > vb : va < vb;
        return a < b;   // (layer, head) order: stable and the same on every platform
    });
    return order;
}

namespace {

// Distinct hues for the 11 patterns, the sinks grey-ish (they mean "idle"); bright, for dark backgrounds.
ImU32 bright_pattern_color(HeadPattern p) {
    static const ImU32 kColors[kHeadPatternCount] = {
        IM_COL32(78, 161, 255, 255),   // self / diagonal
        IM_COL32(255, 140, 60, 255),   // previous token
        IM_COL32(255, 205, 70, 255),   // next token
        IM_COL32(90, 200, 120, 255),   // local window
        IM_COL32(150, 150, 160, 255),  // first-token sink
        IM_COL32(190, 170, 140, 255),  // special-token sink
        IM_COL32(230, 90, 200, 255),   // content stripe
        IM_COL32(60, 200, 200, 255),   // block / segment
        IM_COL32(170, 130, 255, 255),  // broad / uniform
        IM_COL32(255, 95, 95, 255),    // sparse / content
        IM_COL32(235, 235, 190, 255),  // induction
    };
    const int i = static_cast<int>(p);
    return i >= 0 && i < kHeadPatternCount ? kColors[i] : IM_COL32(200, 200, 200, 255);
}

}  // namespace

ImU32 head_pattern_color(HeadPattern p) {
    const ImU32 c = bright_pattern_color(p);
    if (!theme_is_light()) return c;
    // On a light background the same hues, darker, so text in them stays readable.
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    return ImGui::ColorConvertFloat4ToU32(ImVec4(v.x * 0.6f, v.y * 0.6f, v.z * 0.6f, 1.0f));
}

namespace {

ImVec2 badge_size(const char* text, float font_size) {
    const ImVec2 ts = ImGui::GetFont()->CalcTextSizeA(font_size, 1e9f, 0.0f, text);
    const float pad = std::max(1.0f, font_size * 0.15f);
    return ImVec2(ts.x + 2 * pad, ts.y + pad);
}

// Bright text on a dark plate, whatever the theme, so the badge reads over any heatmap.
ImVec2 draw_badge(ImDrawList* dl, ImVec2 at, const char* text, ImU32 color, float font_size) {
    const float pad = std::max(1.0f, font_size * 0.15f);
    const ImVec2 size = badge_size(text, font_size);
    dl->AddRectFilled(at, ImVec2(at.x + size.x, at.y + size.y), IM_COL32(0, 0, 0, 190), pad);
    dl->AddText(ImGui::GetFont(), font_size, ImVec2(at.x + pad, at.y + pad * 0.5f), color, text);
    return size;
}

}  // namespace

ImVec2 head_badge_size(HeadPattern p, float font_size) {
    return badge_size(head_pattern_badge(p, current_language()), font_size);
}

ImVec2 draw_head_badge(ImDrawList* dl, ImVec2 at, HeadPattern p, float font_size) {
    return draw_badge(dl, at, head_pattern_badge(p, current_language()), bright_pattern_color(p), font_size);
}

ImU32 head_label_color(const HeadLabel& l) { return l.bad_values ? colormap_bad_color() : head_pattern_color(l.pattern); }

ImVec2 head_badge_size(const HeadLabel& l, float font_size) {
    return badge_size(head_label_badge(l, current_language()), font_size);
}

ImVec2 draw_head_badge(ImDrawList* dl, ImVec2 at, const HeadLabel& l, float font_size) {
    if (!l.bad_values) return draw_head_badge(dl, at, l.pattern, font_size);
    return draw_badge(dl, at, head_label_badge(l, current_language()), colormap_bad_color(), font_size);
}

}  // namespace attn
