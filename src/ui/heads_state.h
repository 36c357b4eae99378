// What the app keeps for the heads and similarity views: head statistics, labels, induction scores and
// the similarity of the current trace, keyed on it so redrawing never recomputes.
#pragma once
#include <cstdint>
#include <vector>

namespace attn {

struct HeadsState {
    uint64_t trace_key = 0;   // shown_attention_key of what the cached results describe; 0: none
    // (L, H) heads the Checks view found passing (its last run on this model): the head grid outlines
    // them. Empty: none. Written by the checks area, drawn by the grid.
    std::vector<uint8_t> highlighted;
};

}  // namespace attn
