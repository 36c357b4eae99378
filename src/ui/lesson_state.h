// What the app keeps for lesson mode: the step on screen (kept in the URL as lstep) and the head's
// computation with the selection and trace it was made for, so redrawing never recomputes and a new
// text, layer, head or attention kind does (one forward pass).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/head_computation.h"
#include "ui/selection.h"

namespace attn {

struct LessonState {
    HeadStep step = HeadStep::input;

    bool has_result = false;
    HeadComputation result;
    std::string error;
    uint64_t trace_version = 0;        // what `result` (or `error`) was computed for
    AttentionKind kind = AttentionKind::self;
    int layer = -1, head = -1;

    // Drawn last frame (tests and the page read them).
    std::array<float, 4> prev_rect{}, next_rect{};
    std::vector<std::string> shown_numbers;   // the highlighted row's numbers as printed
    std::string shown_row_sum;                // "1.00" on the softmax step, else ""
};

}  // namespace attn
