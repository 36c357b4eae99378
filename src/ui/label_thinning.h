// How dense token labels may be, and the note a view shows when it had to skip some, so a missing
// label never reads as a bug. Shared by the heatmap, lines and flow views.
//
//   label_step(row_px, font_px)             == 3  when rows are a third of a line tall
//   label_thinning_note(3, 1)               == "every 3rd row label shown (hover for all)"
#pragma once
#include <cmath>
#include <string>

namespace attn {

// Draw every n-th label when items are `pitch` pixels apart and a label needs `needed` pixels.
inline int label_step(float pitch, float needed) {
    return pitch >= needed || pitch <= 0.0f ? 1 : static_cast<int>(std::ceil(needed / pitch));
}

inline std::string label_ordinal(int n) {
    const int tens = n % 100;
    const char* suffix = tens >= 11 && tens <= 13 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    return std::to_string(n) + suffix;
}

// "" when nothing was skipped. col_step < 1 means the view has one kind of label only.
inline std::string label_thinning_note(int row_step, int col_step = 0) {
    std::string what;
    if (col_step < 1 || row_step == col_step)
        what = row_step > 1 ? "every " + label_ordinal(row_step) + " label" : "";
    else if (col_step == 1)
        what = row_step > 1 ? "every " + label_ordinal(row_step) + " row label" : "";
    else if (row_step == 1)
        what = "every " + label_ordinal(col_step) + " column label";
    else
        what = "every " + label_ordinal(row_step) + " row label, every " + label_ordinal(col_step) + " column label";
    return what.empty() ? "" : what + " shown (hover for all)";
}

}  // namespace attn
