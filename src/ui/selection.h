// The one selection state every view reads and writes: which attention (kind, layer, head) is shown and
// which query/key token the mouse is over or is pinned, and how weights are coloured. It holds indices
// and settings only, never copies of model data.
#pragma once
#include <string>
#include <vector>

#include "core/i18n.h"
#include "ui/colormap.h"

namespace attn {

// What the main area shows: one head as a heatmap, every head as a grid of thumbnails, the head view
// (lines, as in BertViz), the attention flow across layers, and what mattered for one prediction
// (attributions), what each layer would predict (logit lens) and how the residual stream grows
// (activations); what each head does (heads: table and map), which heads do the same job (similarity),
// activation patching, rule-based checks, the explanation of a prediction in words, and lesson mode (one
// head's computation step by step).
enum class MainView { heatmap, grid, lines, flow, attributions, lens, activations, heads, similarity, patching, checks,
                      explain, lesson };

// The one view table: the view switch, the page API, the URL, the CLI and the shortcuts read it.
struct MainViewInfo {
    MainView view;
    const char* name;    // "heatmap": the page API, the URL and the CLI's --view
    const char* label;   // the string table key of the view switch's radio button (main_view_label)
    const char* mark;    // widget_mark name of that button (browser and UI tests click it)
};
constexpr MainViewInfo kMainViewTable[] = {
    {MainView::heatmap, "heatmap", "ui.views.heatmap", "view_heatmap"},
    {MainView::grid, "grid", "ui.views.grid", "view_grid"},
    {MainView::lines, "lines", "ui.views.lines", "view_lines"},
    {MainView::flow, "flow", "ui.views.flow", "view_flow"},
    {MainView::attributions, "attributions", "ui.views.attributions", "view_attributions"},
    {MainView::lens, "lens", "ui.views.lens", "view_lens"},
    {MainView::activations, "activations", "ui.views.activations", "view_activations"},
    {MainView::heads, "heads", "ui.views.heads", "view_heads"},
    {MainView::similarity, "similarity", "ui.views.similarity", "view_similarity"},
    {MainView::patching, "patching", "ui.views.patching", "view_patching"},
    {MainView::checks, "checks", "ui.views.checks", "view_checks"},
    {MainView::explain, "explain", "ui.views.explain", "view_explain"},
    {MainView::lesson, "lesson", "ui.views.lesson", "view_lesson"},
};
constexpr MainView kMainViews[] = {MainView::heatmap,  MainView::grid,       MainView::lines,
                                   MainView::flow,     MainView::attributions, MainView::lens,
                                   MainView::activations, MainView::heads,   MainView::similarity,
                                   MainView::patching, MainView::checks,     MainView::explain,
                                   MainView::lesson};

inline const MainViewInfo& main_view_info(MainView v) {
    for (const MainViewInfo& i : kMainViewTable)
        if (i.view == v) return i;
    return kMainViewTable[0];
}
// The view's label in the current language.
inline const char* main_view_label(MainView v) { return tr(main_view_info(v).label); }
// The view's name in kMainViewTable.
inline const char* main_view_name(MainView v) { return main_view_info(v).name; }
// "heatmap, grid, ..., explain": every view's name, for messages.
inline std::string main_view_names() {
    std::string names;
    for (const MainViewInfo& i : kMainViewTable) names += std::string(names.empty() ? "" : ", ") + i.name;
    return names;
}
// The views an SVG can draw (the others export PNGs only).
inline bool main_view_has_svg(MainView v) {
    return v == MainView::heatmap || v == MainView::grid || v == MainView::lines || v == MainView::flow;
}
// False when `name` is none of main_view_name's names.
inline bool main_view_from_name(const std::string& name, MainView* out) {
    for (MainView v : kMainViews)
        if (name == main_view_name(v)) {
            *out = v;
            return true;
        }
    return false;
}
// The views drawn from the attribution job's result (the job runs while one is shown).
inline bool main_view_is_analysis(MainView v) {
    return v == MainView::attributions || v == MainView::lens || v == MainView::activations || v == MainView::explain;
}

// Which attention tensor of a trace is on screen. Decoder-only and encoder models have `self` only;
// encoder-decoder models (BART) have all three.
enum class AttentionKind {
    self,      // decoder-only / encoder: the model's self attention; BART: the encoder's
    decoder,   // BART: the decoder's causal self attention over the target
    cross,     // BART: target tokens (queries) looking at source tokens (keys)
};

// "self", "decoder", "cross": the names the page API uses.
inline const char* attention_kind_name(AttentionKind k) {
    return k == AttentionKind::decoder ? "decoder" : k == AttentionKind::cross ? "cross" : "self";
}

// What the heatmap shows of the selected layer: the selected head, or the mean of every head, or the
// mean of a chosen set of heads (Selection::averaged_heads).
enum class HeadMode { one, average_all, average_chosen };

struct Selection {
    AttentionKind kind = AttentionKind::self;
    int layer = 0;
    int head = 0;
    int hover_query = -1;   // token index under the mouse this frame (row of the heatmap); -1 none
    int hover_key = -1;     // token index under the mouse this frame (column); -1 none
    int pinned_query = -1;  // query row clicked in the heatmap or a chip (the inspector's token); -1 none
    Colormap colormap = Colormap::viridis;
    bool auto_scale = false;   // false: the fixed [0, 1] scale (heads comparable); true: [0, shown max]
    HeadMode head_mode = HeadMode::one;
    std::vector<int> averaged_heads;   // HeadMode::average_chosen: the heads averaged (empty: all)
    bool words = false;                // the heatmap merges sub-word pieces into words (indices here stay pieces)
    bool value_weighted = false;       // the heatmap shows attention x ||value|| (rows renormalised)
};

// The query token the inspector describes: the pinned one, else the hovered one, else the last.
inline int selection_focus_query(const Selection& s, int n_query) {
    if (s.pinned_query >= 0 && s.pinned_query < n_query) return s.pinned_query;
    if (s.hover_query >= 0 && s.hover_query < n_query) return s.hover_query;
    return n_query - 1;
}

// Click on a query row: pins it, or unpins it when it was the pinned one.
inline void selection_toggle_pin(Selection& s, int query) { s.pinned_query = s.pinned_query == query ? -1 : query; }

// Which heads the lines view draws. Kept by the app across frames (not per view call) so toggles
// survive hover and layer changes; resized to the shown attention's head count by the view.
struct HeadToggles {
    std::vector<char> on;   // one per head; empty or a different size: reset to the selected head only
    int followed = -1;      // the selected head `on` was last synced with (the steppers move it)
};

// Keeps layer/head inside the shown attention after a model, trace or kind change.
inline void selection_clamp(Selection& s, int n_layer, int n_head) {
    s.layer = n_layer > 0 ? (s.layer < 0 ? 0 : s.layer >= n_layer ? n_layer - 1 : s.layer) : 0;
    s.head = n_head > 0 ? (s.head < 0 ? 0 : s.head >= n_head ? n_head - 1 : s.head) : 0;
}

}  // namespace attn
