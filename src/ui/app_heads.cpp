// The heatmap with its view options (head averaging, words) and the head statistics table: the app
// computes what is shown (head_views.h) and hands it to the views, which only draw.
#include <string>

#include "imgui.h"
#include "core/i18n.h"
#include "ui/app.h"
#include "ui/app_analysis.h"
#include "ui/frame_budget.h"
#include "ui/head_options.h"
#include "ui/heads_cache.h"

namespace attn {

namespace {

int word_index(const WordSpans* w, int piece) { return w && piece >= 0 ? w->word_of(piece) : piece; }

}  // namespace

void app_show_heatmap(App& app, HeatmapData hd) {
    Selection& sel = app.selection;
    AnalysisState& an = app.analysis;
    const bool can_weight = app.selection.kind == AttentionKind::self && an.value_norms_trace == app.trace_version &&
                            hd.attention && hd.attention == &app.trace.attentions && !hd.attention->empty();
    if (!app.picture_only && hd.attention && !hd.attention->empty())
        show_head_options(sel, hd.attention->n_head, can_weight);
    if (can_weight && sel.value_weighted) {
        if (an.value_weighted_trace != app.trace_version) {
            an.value_weighted = *hd.attention;
            an.value_weighted.probs = value_weighted_attention(*hd.attention, an.value_norms);
            an.value_weighted_trace = app.trace_version;
        }
        hd.attention = &an.value_weighted;
        hd.trace_version ^= 1ull << 36;   // another picture of this trace: its own key (shifted left by 26 bits at most)
        if (!hd.title || !*hd.title) hd.title = tr("ui.heads.value_weighted_attention_x");
    }
    ShownAttention sh = head_view(app.head_views, hd.attention, hd.queries, hd.keys, sel, hd.trace_version,
                                  hd.piece_style);
    hd.attention = sh.attention;
    hd.queries = sh.queries;
    hd.keys = sh.keys;
    hd.matrix = sh.matrix;
    hd.heads_label = sh.heads_label;
    hd.query_notes = sh.query_notes;
    hd.key_notes = sh.key_notes;
    hd.trace_version = sh.key;
    if (!sh.query_words) {
        show_heatmap(sel, hd);
        return;
    }
    // Words: the selection keeps piece indices (chips, inspector, links); the heatmap sees word indices.
    Selection words = sel;
    words.pinned_query = word_index(sh.query_words, sel.pinned_query);
    words.hover_query = word_index(sh.query_words, sel.hover_query);
    words.hover_key = word_index(sh.key_words, sel.hover_key);
    hd.highlight_query = word_index(sh.query_words, hd.highlight_query);
    const Selection before = words;
    show_heatmap(words, hd);
    const int pinned = sel.pinned_query, hover_q = sel.hover_query, hover_k = sel.hover_key;
    sel = words;
    auto first_piece = [](const WordSpans* w, int word) { return word >= 0 && word < w->size() ? w->first[word] : -1; };
    sel.pinned_query = words.pinned_query != before.pinned_query ? first_piece(sh.query_words, words.pinned_query) : pinned;
    sel.hover_query = words.hover_query != before.hover_query ? first_piece(sh.query_words, words.hover_query) : hover_q;
    sel.hover_key = words.hover_key != before.hover_key ? first_piece(sh.key_words, words.hover_key) : hover_k;
}

void app_show_head_stats(App& app, const AttentionView& view) {
    app.widgets.head_stats_rows.clear();
    if (!app.has_trace || !view.attention || view.attention->empty()) return;
    const AttentionTensor& a = *view.attention;
    const int layer = app.selection.layer < a.n_layer ? app.selection.layer : a.n_layer - 1;
    const HeadsState& hs = app_heads_current(app);
    const bool labelled = hs.labels.size() == static_cast<size_t>(a.n_layer) * a.n_head;
    // A large layer (12 heads of 1024 x 1024 are 20-40 ms of logarithms) comes a head at a time from
    // app_head_stats_frame; a picture has it all at once. Its weights count twice against
    // App::step_above_weights: a logarithm each costs about twice what a grid tile's weight does (12 heads
    // at T = 512, under the threshold once, took 7 ms of a new trace's first frame).
    const double weights = 2.0 * a.n_head * a.n_query * a.n_key;
    const bool at_once = !app_in_steps(app, weights);
    const HeadViewCache& cache = app.head_views;
    show_head_stats_table(app.selection, head_stats_cached(app.head_views, a, layer, shown_attention_key(app), at_once),
                          &app.widgets.head_stats_rows, labelled ? &hs.labels[static_cast<size_t>(layer) * a.n_head] : nullptr);
    if (static_cast<int>(cache.stats.size()) < cache.stats_heads) {   // wrapped: the panel is narrow
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("%s", trf("ui.heads.computing", {{"done", std::to_string(cache.stats.size())},
                                                            {"total", std::to_string(cache.stats_heads)}}).c_str());
        ImGui::PopStyleColor();
    }
    // The selected head's importance for the explained prediction, once the Attributions job computed it.
    const Attribution& r = app.analysis.result;
    const size_t i = static_cast<size_t>(layer) * a.n_head + app.selection.head;
    if (app.selection.kind == AttentionKind::self && app_analysis_current(app) && i < r.head_importance.size()) {
        ImGui::Text(tr("ui.heads.l_h_importance"), layer, app.selection.head, r.head_importance[i]);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("ui.heads.d_score_d_head"));
        if (i < r.head_ablation.size()) ImGui::Text(tr("ui.heads.score_drop_with_the"), r.head_ablation[i]);
    }
}

bool app_head_stats_pending(const App& app) {
    const HeadViewCache& cache = app.head_views;
    return app.has_trace && attention_view(app.trace, app.selection.kind).attention &&
           cache.stats_key == shown_attention_key(app) && static_cast<int>(cache.stats.size()) < cache.stats_heads;
}

double app_head_stats_frame(App& app, double budget_ms, double spent_ms) {
    if (!app_head_stats_pending(app)) return 0.0;   // nothing begun for this attention (the table was not drawn), or all done
    const AttentionView view = attention_view(app.trace, app.selection.kind);
    const uint64_t key = shown_attention_key(app);
    HeadViewCache& cache = app.head_views;
    return step_within_budget(budget_left_for(budget_ms, spent_ms, cache.stats_longest_ms), cache.stats_longest_ms,
                              [&] { head_stats_step(cache, *view.attention, key); },
                              [&] { return static_cast<int>(cache.stats.size()) >= cache.stats_heads; });
}

}  // namespace attn
