// Every sentence the lesson view says, gathered from the string tables (core/i18n.h, keys ui.lesson.*) for
// one language. A text names its numbers as {placeholders} (lesson_fill), so a translation may put them
// in any order.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "analysis/head_computation.h"
#include "core/i18n.h"

namespace attn {

struct LessonStepText {
    HeadStep step;
    const char* row;     // what the printed row of numbers is: "Scores" (for “cat”, ...)
    const char* title;
    const char* text;
};

struct LessonStrings {
    const char* language;
    std::vector<LessonStepText> steps;   // one per HeadStep, in lesson order
    // Variants a step picks from, by what the model does.
    const char* input_pre_norm;          // {T} {D} {layer}
    const char* input_post_norm;         // {T} {D} {layer}
    const char* input_cross;             // {T} {D} {layer}
    const char* scale_inverse_sqrt;      // {d} {scale}
    const char* scale_other;             // {d} {scale}
    const char* mask_causal;
    const char* mask_none;
    const char* mask_cross;
    const char* gqa_shared;              // {n_head} {n_kv} {kv} {first} {last}
    // Labels around the pictures.
    const char* heading;                 // {layer} {head} {kind}
    const char* step_counter;            // {index} {count}
    const char* previous;
    const char* next;
    const char* query_row;               // {row} {token} {position}
    const char* pick_row;
    const char* row_sum;                 // {sum}
    const char* more_values;             // {count}
    const char* entropy_row;             // {bits} {max}
    const char* entropy_columns;         // header: token, how spread out, most possible
    const char* hidden_cell;
    const char* no_model;
    const char* kind_self, *kind_encoder, *kind_decoder, *kind_cross;
};

// The lesson's strings in `language` (built once, then shared).
const LessonStrings& lesson_strings(Language language);
// The same, freshly read from the tables (a missing key is recorded, as by tr).
LessonStrings lesson_strings_from_tables(Language language);

// The step's title and text in `strings` (the input step's if missing).
const LessonStepText& lesson_step_text(const LessonStrings& strings, HeadStep step);
// template with each {name} replaced by its value.
std::string lesson_fill(const char* text, const std::vector<std::pair<const char*, std::string>>& values);
// The symbols the texts use beyond the atlas's fixed ranges (the app bakes them).
extern const char* const kLessonSymbols;

}  // namespace attn
