// The one selection state every view reads and writes: which layer and head are shown and which
// query/key token the mouse is over. It holds indices only, never copies of model data.
#pragma once

namespace attn {

struct Selection {
    int layer = 0;
    int head = 0;
    int hover_query = -1;   // token index under the mouse this frame (row of the heatmap); -1 none
    int hover_key = -1;     // token index under the mouse this frame (column); -1 none
};

// Keeps layer/head inside the model after a model or trace change.
inline void selection_clamp(Selection& s, int n_layer, int n_head) {
    s.layer = n_layer > 0 ? (s.layer < 0 ? 0 : s.layer >= n_layer ? n_layer - 1 : s.layer) : 0;
    s.head = n_head > 0 ? (s.head < 0 ? 0 : s.head >= n_head ? n_head - 1 : s.head) : 0;
}

}  // namespace attn
