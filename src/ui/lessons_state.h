// What the app keeps for the Lessons panel (ui/app_lessons.h): the lessons of the loaded zoo model in
// the current language, the lesson and page open, the open exercise's right answer (measured once per
// page), the last answer's grade and the session's score. Not to be confused with lesson_state.h, the
// Lesson view (one head's computation).
#pragma once
#include <array>
#include <string>
#include <vector>

#include "analysis/lesson_grade.h"
#include "analysis/lessons.h"

namespace attn {

struct LessonsState {
    std::vector<Lesson> lessons;        // for `for_model` in `for_language` (lessons_for)
    std::string for_model;
    int for_language = -1;
    std::string glyph_text;             // every text of `lessons`: the atlas bakes its characters

    std::string open;                   // the open lesson's key (its model: "induction"); "" none
    int page = 0;                       // 0-based

    // The open page's exercise: its right answer, for the page it was measured on.
    std::string truth_for;              // "induction#3"; "" none
    bool has_truth = false;
    ExerciseTruth truth;
    std::string truth_error;
    // The last answer on this page (cleared when the page changes).
    bool answered = false;
    LessonAnswer answer;
    ExerciseGrade grade;

    LessonScore score;                  // the session's: every graded answer
    int scrolled_for = 0;               // the answer (score.attempted) the panel last scrolled to

    // Drawn last frame (tests and the page click them).
    std::array<float, 4> panel_rect{}, prev_rect{}, next_rect{}, type_rect{}, start_rect{};
    std::vector<std::array<float, 4>> choice_rects;   // token / label choices, in `choices` order
    std::vector<std::array<float, 4>> head_rects;     // head exercises: (L, H) buttons
    std::string shown_feedback;         // the feedback as printed (tests read the numbers)
};

}  // namespace attn
