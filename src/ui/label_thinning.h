// How dense token labels may be, and the note a view shows when it had to skip some, so a missing
// label never reads as a bug. Shared by the heatmap, lines and flow views. The note's words come from
// the string tables (pictures.*.json), ordinals included: English says "3rd", Chinese just the number.
//
//   label_step(row_px, font_px)             == 3  when rows are a third of a line tall
//   label_thinning_note(3, 1)               == "every 3rd row label shown (hover for all)"
#pragma once
#include <cmath>
#include <string>

#include "core/i18n.h"

namespace attn {

// Draw every n-th label when items are `pitch` pixels apart and a label needs `needed` pixels.
inline int label_step(float pitch, float needed) {
    return pitch >= needed || pitch <= 0.0f ? 1 : static_cast<int>(std::ceil(needed / pitch));
}

// "3rd" in English, "3" in Chinese: the table has one template per English ordinal suffix.
inline std::string label_ordinal(int n) {
    const int tens = n % 100;
    const char* key = tens >= 11 && tens <= 13 ? "pictures.ordinal.th"
                      : n % 10 == 1            ? "pictures.ordinal.st"
                      : n % 10 == 2            ? "pictures.ordinal.nd"
                      : n % 10 == 3            ? "pictures.ordinal.rd"
                                               : "pictures.ordinal.th";
    return trf(key, {{"n", std::to_string(n)}});
}

// "" when nothing was skipped. col_step < 1 means the view has one kind of label only.
inline std::string label_thinning_note(int row_step, int col_step = 0) {
    if (col_step < 1 || row_step == col_step)
        return row_step > 1 ? trf("pictures.thinning.labels", {{"nth", label_ordinal(row_step)}}) : "";
    if (col_step == 1) return row_step > 1 ? trf("pictures.thinning.rows", {{"nth", label_ordinal(row_step)}}) : "";
    if (row_step == 1) return trf("pictures.thinning.columns", {{"nth", label_ordinal(col_step)}});
    return trf("pictures.thinning.rows_columns", {{"row_nth", label_ordinal(row_step)}, {"column_nth", label_ordinal(col_step)}});
}

// Two notes on one line ("...; ..." in English, "...；..." in Chinese); either may be empty.
inline std::string notes_joined(const std::string& first, const std::string& second) {
    if (first.empty() || second.empty()) return first + second;
    return trf("pictures.notes_joined", {{"first", first}, {"second", second}});
}

}  // namespace attn
