// The agreement and brackets lessons, and the induction lesson's "which heads do the same job?", through
// the Lessons panel's page API in English and Chinese: every exercise answered wrong, then right, and the
// feedback carries the model's numbers for both answers (analysis/lesson_grade.h measures them).
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/ui/ui_zoo_language.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_lessons.h"
#include "ui/bundled_models.h"
#include "tests/text_contains.h"

using namespace attn;

namespace {

std::string percent(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", static_cast<double>(v) * 100.0);
    return buf;
}


std::string answer_request(const LessonExercise& e, const std::string& answer) {
    return e.kind == ExerciseKind::head ? R"({"action": "answer", "head": ")" + answer + "\"}"
                                        : R"({"action": "answer", "choice": ")" + answer + "\"}";
}

// A wrong answer the model measured: the lowest-valued head the question asks about (not the head it
// names), or the lowest-valued choice.
std::string wrong_answer(const ExerciseTruth& t) {
    int pick = -1;
    if (t.kind == ExerciseKind::head) {
        for (size_t i = 0; i < t.head_value.size(); ++i)
            if (t.head_value[i] >= 0.0f && !t.accepted[i] && (pick < 0 || t.head_value[i] < t.head_value[static_cast<size_t>(pick)]))
                pick = static_cast<int>(i);
        REQUIRE(pick >= 0);
        return head_name(pick / t.n_head, pick % t.n_head);
    }
    for (size_t i = 0; i < t.choice_value.size(); ++i)
        if (!t.choice_accepted[i] && (pick < 0 || t.choice_value[i] < t.choice_value[static_cast<size_t>(pick)]))
            pick = static_cast<int>(i);
    REQUIRE(pick >= 0);
    return t.choices[static_cast<size_t>(pick)];
}

// Every exercise of the model's lesson: wrong, then the author's answer; the numbers in the feedback.
void walk(const char* model, Language language, const char* right_word, const char* wrong_word) {
    EnglishAfter restore;
    i18n_clear_missing();
    UiHarness ui(ImVec2(1280, 720));
    app_set_language(ui.app, language);
    load_zoo(ui, model);
    app_lessons_frame(ui.app);
    REQUIRE(ui.app.lessons.lessons.size() == 1);
    const Lesson lesson = ui.app.lessons.lessons[0];
    CHECK(lesson.language == language_info(language).code);
    int exercises = 0;
    for (size_t i = 0; i < lesson.pages.size(); ++i) {
        CAPTURE(i);
        REQUIRE(app_lesson_goto(ui.app, model, static_cast<int>(i)));
        CHECK(app_lesson_type(ui.app));
        ui.frame();
        const LessonExercise& e = lesson.pages[i].exercise;
        if (e.kind == ExerciseKind::none) continue;
        ++exercises;
        // The panel measures the truth when answered; the wrong answer is picked from the same measure.
        Expected<ExerciseTruth> measured = exercise_truth(*ui.app.model, e, lesson.pages[i].type, lesson.pages[i].target);
        REQUIRE_MESSAGE(measured.ok(), measured.error().message);
        const ExerciseTruth t = *measured;
        const std::string wrong = wrong_answer(t);
        CAPTURE(wrong);
        CHECK(contains(app_lessons_api(ui.app, answer_request(e, wrong)), "\"right\":false"));
        ui.frame();
        const std::string fb = ui.app.lessons.shown_feedback;
        CAPTURE(fb);
        CHECK(contains(fb, wrong_word));
        CHECK(contains(fb, wrong));
        // Both numbers: the best answer's and the chosen one's (ablation: the probabilities after).
        const ExerciseGrade& g = ui.app.lessons.grade;
        CHECK(ui.app.lessons.truth.best == t.best);
        CHECK(ui.app.lessons.truth.best_choice == t.best_choice);
        if (t.metric == "ablation") {
            CHECK(contains(fb, two_decimals(t.prob_before)));
            CHECK(contains(fb, two_decimals(t.prob_after[static_cast<size_t>(t.best)])));
            CHECK(contains(fb, two_decimals(t.prob_after[static_cast<size_t>(g.chosen)])));
        } else if (t.metric == "pass_rate") {
            CHECK(contains(fb, percent(g.best_value)));
            CHECK(contains(fb, percent(g.chosen_value)));
        } else {
            CHECK(contains(fb, two_decimals(g.best_value)));
            CHECK(contains(fb, two_decimals(g.chosen_value)));
        }
        if (t.metric == "similarity")   // names the head of the question
            CHECK(contains(fb, trf("lessons.metric.similarity_to", {{"head", head_name(t.layer, t.head)}})));
        CHECK(contains(app_lessons_api(ui.app, answer_request(e, e.expect[0])), "\"right\":true"));
        ui.frame();
        CHECK(contains(ui.app.lessons.shown_feedback, right_word));
        CHECK(contains(ui.app.lessons.shown_feedback, e.explain));
    }
    CHECK(exercises >= 2);
    CHECK(ui.app.lessons.score.attempted == 2 * exercises);
    CHECK(ui.app.lessons.score.right == exercises);
    for (const std::string& k : i18n_missing()) FAIL_CHECK("missing string " << k);
}

}  // namespace

TEST_CASE("lessons zoo: the agreement lesson, every exercise wrong then right, with the numbers") {
    walk("agreement", Language::en, "Right!", "Not quite.");
    walk("agreement", Language::zh, "答对了", "不太对");
}

TEST_CASE("lessons zoo: the brackets lesson, every exercise wrong then right, with the numbers") {
    walk("brackets", Language::en, "Right!", "Not quite.");
    walk("brackets", Language::zh, "答对了", "不太对");
}

TEST_CASE("lessons zoo: which heads do the same job? in the induction lesson, wrong then right") {
    EnglishAfter restore;
    UiHarness ui(ImVec2(1280, 720));
    load_zoo(ui, "induction");
    app_lessons_frame(ui.app);
    REQUIRE(ui.app.lessons.lessons.size() == 1);
    const Lesson lesson = ui.app.lessons.lessons[0];
    int page = -1;
    for (size_t i = 0; i < lesson.pages.size(); ++i)
        if (lesson.pages[i].exercise.kind == ExerciseKind::head && lesson.pages[i].exercise.criterion == HeadCriterion::similarity)
            page = static_cast<int>(i);
    REQUIRE(page >= 0);
    REQUIRE(app_lesson_goto(ui.app, "induction", page));
    CHECK(app_lesson_type(ui.app));
    ui.frame();
    CHECK(ui.app.main_view == MainView::similarity);
    // The answers from the model (it may be retrained): its most similar head, and its least similar.
    const LessonPage& p = lesson.pages[static_cast<size_t>(page)];
    Expected<ExerciseTruth> measured = exercise_truth(*ui.app.model, p.exercise, p.type, p.target);
    REQUIRE_MESSAGE(measured.ok(), measured.error().message);
    const ExerciseTruth t = *measured;
    const std::string best = head_name(t.best / t.n_head, t.best % t.n_head);
    const std::string wrong = wrong_answer(t);
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "answer", "head": ")" + wrong + "\"}"), "\"right\":false"));
    ui.frame();
    const float wrong_value = ui.app.lessons.grade.chosen_value;
    CHECK(contains(ui.app.lessons.shown_feedback, best + ": similarity to " + head_name(p.exercise.layer, p.exercise.head) + " " +
                                                      two_decimals(t.head_value[static_cast<size_t>(t.best)]) + "; you chose " +
                                                      wrong + ": " + two_decimals(wrong_value)));
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "answer", "head": ")" + best + "\"}"), "\"right\":true"));
    ui.frame();
    CHECK(contains(ui.app.lessons.shown_feedback, "the highest of all heads"));
}
