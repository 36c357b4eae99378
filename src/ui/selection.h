// The one selection state every view reads and writes: which attention (kind, layer, head) is shown and
// which query/key token the mouse is over or is pinned, and how weights are coloured. It holds indices
// and settings only, never copies of model data.
#pragma once
#include <string>
#include <vector>

#include "ui/colormap.h"

namespace attn {

// What the main area shows: one head as a heatmap, every head as a grid of thumbnails, the head view
// (lines, as in BertViz) or the attention flow across layers.
enum class MainView { heatmap, grid, lines, flow };
constexpr MainView kMainViews[] = {MainView::heatmap, MainView::grid, MainView::lines, MainView::flow};

// "heatmap", "grid", "lines", "flow": the names the page API, the URL and the CLI use.
inline const char* main_view_name(MainView v) {
    return v == MainView::grid ? "grid" : v == MainView::lines ? "lines" : v == MainView::flow ? "flow" : "heatmap";
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
