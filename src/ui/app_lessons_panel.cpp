// The Lessons panel's data and actions (app_lessons.h): what view_lessons.cpp draws, and what its
// clicks do.
#include <set>

#include "ui/app.h"
#include "ui/app_lessons.h"
#include "ui/lessons_view.h"

namespace attn {

namespace {

// Zoo models with a lesson in the current language, for the panel's "no lesson here" line.
std::string models_with_lessons() {
    std::set<std::string> models;
    const std::string suffix = std::string(".") + language_info(current_language()).code;
    for (const BuiltinLesson& b : builtin_lesson_sources()) {
        const std::string name = b.name;
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            models.insert(name.substr(0, name.size() - suffix.size()));
    }
    std::string out;
    for (const std::string& m : models) out += (out.empty() ? "" : ", ") + m;
    return out;
}

}  // namespace

void app_show_lessons_panel(App& app) {
    app_lessons_frame(app);
    LessonsState& s = app.lessons;
    LessonsPanelData d;
    d.has_model = static_cast<bool>(app.model);
    for (const Lesson& l : s.lessons) d.titles.push_back(l.title);
    if (d.titles.empty()) d.available = models_with_lessons();
    const Lesson* lesson = app_lesson_current(app);
    const LessonPage* page = app_lesson_page(app);
    for (size_t i = 0; i < s.lessons.size(); ++i)
        if (lesson == &s.lessons[i]) d.open = static_cast<int>(i);
    if (lesson && page) {
        d.page = s.page;
        d.pages = static_cast<int>(lesson->pages.size());
        d.page_title = page->title;
        d.page_text = app_lesson_page_text(app, page->text);
        d.can_type = !page->type.empty();
        const LessonExercise& e = page->exercise;
        d.kind = e.kind;
        d.prompt = app_lesson_page_text(app, e.prompt);
        if (e.kind == ExerciseKind::token) d.choices = e.choices;
        if (e.kind == ExerciseKind::label)
            for (const std::string& c : e.choices) d.choices.push_back(tr(("lessons.pattern." + c).c_str()));
        const bool truth_here = s.has_truth && s.truth_for == s.open + "#" + std::to_string(s.page);
        if (e.kind == ExerciseKind::head) {
            // The heads the answer is about: the model's (the cross-attention stack's, for its suites).
            d.n_layer = truth_here ? s.truth.n_layer : app.model ? app.model->info().n_layer : 0;
            d.n_head = truth_here ? s.truth.n_head : app.model ? app.model->info().n_head : 0;
        }
        if (s.truth_for == s.open + "#" + std::to_string(s.page)) d.error = s.truth_error;
        d.answered = s.answered;
        d.right = s.grade.right;
        d.chosen = s.grade.chosen;
        d.feedback = app_lesson_feedback(app);
        d.scroll_to_feedback = s.answered && s.scrolled_for != s.score.attempted;
        if (d.scroll_to_feedback) s.scrolled_for = s.score.attempted;
    }
    s.shown_feedback = d.feedback;
    d.score = s.score;
    d.header_rect = &s.panel_rect;
    d.prev_rect = &s.prev_rect;
    d.next_rect = &s.next_rect;
    d.type_rect = &s.type_rect;
    d.start_rect = &s.start_rect;
    d.choice_rects = &s.choice_rects;
    d.head_rects = &s.head_rects;
    s.choice_rects.clear();
    s.head_rects.clear();
    s.panel_rect = s.prev_rect = s.next_rect = s.type_rect = s.start_rect = {};

    const LessonsPanelActions a = show_lessons_panel(d);
    if (a.pick >= 0 && a.pick < static_cast<int>(s.lessons.size())) {
        app_lesson_goto(app, s.lessons[static_cast<size_t>(a.pick)].model, 0);
        app_lesson_type(app);   // the first page on screen at once
    }
    if (a.close) app_lesson_close(app);
    if (a.page_step && lesson) app_lesson_goto(app, s.open, s.page + a.page_step);
    if (a.type) app_lesson_type(app);
    if (a.choice >= 0 && page && a.choice < static_cast<int>(page->exercise.choices.size()))
        app_lesson_answer(app, LessonAnswer{-1, -1, page->exercise.choices[static_cast<size_t>(a.choice)]});
    if (a.head >= 0 && d.n_head > 0) app_lesson_answer(app, LessonAnswer{a.head / d.n_head, a.head % d.n_head, ""});
}

}  // namespace attn
