// Lesson mode: one head's computation, step by step, with the real numbers of the input on screen. The
// app keeps the computation (app_lesson.cpp); show_lesson only draws one step of it.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "analysis/head_computation.h"
#include "ui/colormap.h"
#include "ui/lesson_text.h"
#include "ui/token_label.h"

namespace attn {

struct App;
struct AttentionView;

struct LessonData {
    const HeadComputation* computation = nullptr;   // null: the hint (no model) or `error`
    std::string error;
    const LessonStrings* strings = &lesson_strings(current_language());   // made each frame: the current language
    std::vector<HeadStep> steps;                     // the lesson's steps for this model
    int index = 0;                                   // the step shown, in steps
    const TokenSeq* queries = nullptr;               // row labels (T)
    const TokenSeq* keys = nullptr;                  // column labels (S)
    PieceStyle piece_style = PieceStyle::plain;
    int query = 0;                                   // the highlighted row
    Colormap colormap = Colormap::viridis;           // the softmax step's map (the heatmap's)
    bool picture = false;                            // no buttons (PNG export)
    std::array<float, 4>* prev_rect = nullptr;       // out: the buttons' rects
    std::array<float, 4>* next_rect = nullptr;
    std::vector<std::string>* shown_numbers = nullptr;   // out: the row's numbers as printed
    std::string* shown_row_sum = nullptr;                // out: the softmax row's sum as printed
};

struct LessonActions {
    int step_delta = 0;      // -1 previous, +1 next
    int clicked_row = -1;    // a row clicked in a picture: pin that token
};
LessonActions show_lesson(const LessonData& data);

// The app's side: keeps app.lesson's computation for the selection on screen, draws the step, applies
// the buttons and clicks.
void show_lesson_view(App& app, const AttentionView& view, PieceStyle style);
// The steps the lesson walks for the model loaded (RoPE and GQA where they apply), and the index of
// app.lesson.step in them (a step the model lacks shows the first).
std::vector<HeadStep> app_lesson_steps(const App& app);
int app_lesson_index(const App& app);

}  // namespace attn
