// The Lessons panel (left panel section): the lesson picker, the page's text, "Type it", the exercise's
// prompt and answer buttons, the feedback and the score. It only draws and reports clicks; the app
// (app_lessons.h) opens pages, types and grades.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "analysis/lesson_grade.h"
#include "analysis/lessons.h"

namespace attn {

struct LessonsPanelData {
    bool has_model = false;
    std::vector<std::string> titles;      // the model's lessons in the current language
    int open = -1;                        // index into titles; -1 none open
    std::string available;                // models that have lessons ("induction, coref, ..."), when titles is empty
    int page = 0, pages = 0;
    std::string page_title, page_text;    // placeholders filled
    bool can_type = false;
    ExerciseKind kind = ExerciseKind::none;
    std::string prompt;
    std::vector<std::string> choices;     // what each choice button says (token: words; label: pattern names)
    int n_layer = 0, n_head = 0;          // head exercises: one button per head
    bool answered = false, right = false;
    int chosen = -1;                      // the answered choice / head (l * H + h)
    std::string feedback;
    bool scroll_to_feedback = false;      // a new answer: the panel scrolls so its feedback is in view
    std::string error;                    // the exercise could not be graded on this model
    LessonScore score;
    // Out: where things were drawn (tests and the page click them).
    std::array<float, 4>* header_rect = nullptr;   // the section's header (opens and closes it)
    std::array<float, 4>* prev_rect = nullptr;
    std::array<float, 4>* next_rect = nullptr;
    std::array<float, 4>* type_rect = nullptr;
    std::array<float, 4>* start_rect = nullptr;
    std::vector<std::array<float, 4>>* choice_rects = nullptr;
    std::vector<std::array<float, 4>>* head_rects = nullptr;
};

struct LessonsPanelActions {
    int pick = -1;        // a lesson picked (index into titles)
    bool close = false;
    int page_step = 0;    // -1 previous, +1 next
    bool type = false;
    int choice = -1;      // a choice clicked
    int head = -1;        // a head button clicked (l * H + h)
};

LessonsPanelActions show_lessons_panel(const LessonsPanelData& data);

}  // namespace attn
