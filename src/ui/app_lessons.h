// The Lessons panel's app side (the view, view_lessons.cpp, only draws): the lessons of the loaded zoo
// model in the current language, opening a page (its view, head and attention kind on screen), "Type
// it", grading an answer with the model (analysis/lesson_grade.h), the feedback with its numbers, the
// session's score, and the page API's calls.
//
//   app_lesson_goto(app, "induction", 2);         // page 3 of the induction lesson
//   app_lesson_type(app);                         // its text into the input, traced
//   app_lesson_answer(app, LessonAnswer{1, 1});   // graded; app.lessons.score counts it
//   app_lesson_feedback(app);                     // "Right! L1H1: induction score 0.97 ..."
#pragma once
#include <string>

#include "analysis/lesson_grade.h"
#include "analysis/lessons.h"

namespace attn {

struct App;

// The open lesson and page in the current language, or null.
const Lesson* app_lesson_current(const App& app);
const LessonPage* app_lesson_page(const App& app);
// Keeps app.lessons.lessons in step with the loaded model and the language; a lesson left open stays
// open (same page) in the other language, and closes when the model has no such lesson.
void app_lessons_frame(App& app);
// Opens page `page` (0-based) of the lesson `key` (its model's name) and shows its view, kind and head.
// False when the model has no such lesson or page.
bool app_lesson_goto(App& app, const std::string& key, int page);
void app_lesson_close(App& app);
// The open page's text (and target) into the input, traced. False when the page has none.
bool app_lesson_type(App& app);
// Grades `answer` to the open page's exercise (measuring the right answer on first use) and counts it
// in the score. An answer that names no head of the model / none of the choices is not counted.
ExerciseGrade app_lesson_answer(App& app, const LessonAnswer& answer);
// A head grid tile clicked: the answer when the open page asks for a head (true: taken).
bool app_lessons_take_head_click(App& app, int layer, int head);
// The page's text with its {placeholders} filled from the model and its card.
std::string app_lesson_page_text(const App& app, const std::string& text);
// The feedback on the last answer in the current language, numbers and the page's explanation
// included ("" before an answer).
std::string app_lesson_feedback(const App& app);
// The left panel's "Lessons" section.
void app_show_lessons_panel(App& app);

// The page API (attnscope.lessons*): a JSON request in, the lessons state (or {"error"}) out.
//   {"action": "goto", "lesson": "induction", "page": 2} | {"action": "next"} | {"action": "prev"}
//   {"action": "type"} | {"action": "close"}
//   {"action": "answer", "head": "L1H1"} | {"action": "answer", "layer": 1, "head": 1} | {"action": "answer", "choice": "animal"}
std::string app_lessons_api(App& app, const std::string& request);
// What getState().lessons holds: {available, open, title, page, pages, pageTitle, text, type, exercise
// {kind, prompt, choices}, answered, right, feedback, score {right, attempted}, widgets}.
std::string app_lessons_state_json(const App& app);

}  // namespace attn
