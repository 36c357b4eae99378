// The Lessons panel on the shipped zoo models: a student opens the induction lesson, types its text,
// answers an exercise wrong with a head button and right with a head grid tile, and reads the score
// and the numbers; the same lesson in Chinese; token exercises through the page API; the link keeps the
// lesson and page.
#include <doctest/doctest.h>

#include <cstdio>

#include "tests/ui/ui_zoo_language.h"
#include "tests/ui/ui_click_mark.h"
#include "tests/ui/ui_harness.h"
#include "ui/app_lessons.h"
#include "ui/bundled_models.h"
#include "ui/url_state.h"
#include "ui/widget_marks.h"
#include "tests/text_contains.h"

using namespace attn;

namespace {


// A rect the panel recorded, scrolled into view first (rects are re-recorded every frame).
void click_rect(UiHarness& ui, const std::array<float, 4>& (*rect)(const App&)) {
    ui.frame();
    for (int i = 0; i < 60; ++i) {
        const std::array<float, 4>& r = rect(ui.app);
        const WidgetMark* panel = find_mark("lessons_panel");
        REQUIRE(panel);
        if (r[2] > 0.0f && r[1] + r[3] <= panel->window[1] + panel->window[3]) break;
        ImGui::GetIO().MouseWheel = -1.0f;
        ui.frame(ImVec2(panel->window[0] + panel->window[2] * 0.5f, panel->window[1] + panel->window[3] * 0.5f));
    }
    REQUIRE(rect(ui.app)[2] > 0.0f);
    ui.click(rect_centre(rect(ui.app)));
}


}  // namespace

TEST_CASE("lessons panel: start the induction lesson, answer wrong with a head button and right with a grid tile") {
    UiHarness ui(ImVec2(1280, 720));
    load_zoo(ui, "induction");
    click_mark(ui, "lessons_panel");   // the section opens
    click_mark(ui, "lessons_start");
    const LessonPage* page = app_lesson_page(ui.app);
    REQUIRE(page);
    CHECK(ui.app.lessons.open == "induction");
    CHECK(ui.app.lessons.page == 0);
    CHECK(ui.app.text == page->type);          // Start typed the first page's text
    CHECK(ui.app.main_view == MainView::grid);
    CHECK(ui.app.has_trace);

    click_rect(ui, [](const App& a) -> const std::array<float, 4>& { return a.lessons.next_rect; });
    CHECK(ui.app.lessons.page == 1);
    page = app_lesson_page(ui.app);
    REQUIRE(page->exercise.kind == ExerciseKind::head);
    REQUIRE(page->exercise.stat == "previous_token");
    click_rect(ui, [](const App& a) -> const std::array<float, 4>& { return a.lessons.type_rect; });
    CHECK(ui.app.text == page->type);
    ui.frame();

    // Wrong: L1H1 (the induction head) from the panel's head buttons.
    const int H = ui.app.model->info().n_head;
    REQUIRE(ui.app.lessons.head_rects.size() == static_cast<size_t>(ui.app.model->info().n_layer * H));
    click_rect(ui, [](const App& a) -> const std::array<float, 4>& { return a.lessons.head_rects[1 * a.model->info().n_head + 1]; });
    REQUIRE(ui.app.lessons.answered);
    CHECK_FALSE(ui.app.lessons.grade.right);
    CHECK(ui.app.lessons.score.right == 0);
    CHECK(ui.app.lessons.score.attempted == 1);
    const ExerciseTruth& t = ui.app.lessons.truth;
    // The previous-token head measured on the page's text: in layer 0, and the one the lesson expects.
    CHECK(t.best / H == 0);
    const std::string best = "L0H" + std::to_string(t.best % H);
    CHECK(page->exercise.expect.at(0) == best);
    const float best_value = t.head_value[static_cast<size_t>(t.best)];
    ui.frame();
    const std::string wrong = ui.app.lessons.shown_feedback;
    CHECK(contains(wrong, "Not quite."));
    CHECK(contains(wrong, best + ": attention on the previous word " + two_decimals(best_value)));
    CHECK(contains(wrong, "you chose L1H1: " + two_decimals(t.head_value[static_cast<size_t>(H + 1)])));
    CHECK(contains(wrong, page->exercise.explain));

    // Right: that head's tile of the head grid; the grid stays on screen.
    ui.frame();
    REQUIRE(ui.app.widgets.grid_tiles.size() == static_cast<size_t>(ui.app.model->info().n_layer * H));
    ui.click(rect_centre(ui.app.widgets.grid_tiles[static_cast<size_t>(t.best)]));
    CHECK(ui.app.lessons.grade.right);
    CHECK(ui.app.lessons.score.right == 1);
    CHECK(ui.app.lessons.score.attempted == 2);
    CHECK(ui.app.main_view == MainView::grid);
    ui.frame();
    CHECK(contains(ui.app.lessons.shown_feedback, "Right!"));
    CHECK(contains(ui.app.lessons.shown_feedback, best + ": attention on the previous word " + two_decimals(best_value) +
                                                      ", the highest of all heads."));
    const WidgetMark* score = find_mark("lessons_score");
    REQUIRE(score);

    // The link keeps the lesson and page; another app opens on them.
    const std::string link = url_state_format(ui.app);
    CHECK(contains(link, "lesson=induction&lpage=1"));
    UrlState st = url_state_parse(link);
    REQUIRE(st.lesson);
    CHECK(*st.lesson == "induction");
    CHECK(st.lesson_page == 1);
    app_lesson_close(ui.app);
    CHECK_FALSE(contains(url_state_format(ui.app), "lesson="));
    app_apply_url_state(ui.app, url_state_parse("lesson=induction&lpage=2"));
    CHECK(ui.app.lessons.page == 2);
    CHECK(ui.app.lessons.score.attempted == 2);   // the session's score stays
}

TEST_CASE("lessons panel: the induction lesson in Chinese, every page drawn and answered, no string missing") {
    EnglishAfter restore;
    i18n_clear_missing();
    UiHarness ui(ImVec2(1280, 720));
    app_set_language(ui.app, Language::zh);
    load_zoo(ui, "induction");
    app_lessons_frame(ui.app);
    REQUIRE(ui.app.lessons.lessons.size() == 1);
    CHECK(ui.app.lessons.lessons[0].language == "zh");
    const Lesson lesson = ui.app.lessons.lessons[0];
    for (size_t i = 0; i < lesson.pages.size(); ++i) {
        CAPTURE(i);
        REQUIRE(app_lesson_goto(ui.app, "induction", static_cast<int>(i)));
        if (!lesson.pages[i].type.empty()) CHECK(app_lesson_type(ui.app));
        ui.frame();
        if (lesson.pages[i].exercise.kind == ExerciseKind::none) continue;
        const std::string& expect = lesson.pages[i].exercise.expect[0];
        const std::string request = lesson.pages[i].exercise.kind == ExerciseKind::head
                                        ? R"({"action": "answer", "head": ")" + expect + "\"}"
                                        : R"({"action": "answer", "choice": ")" + expect + "\"}";
        const std::string out = app_lessons_api(ui.app, request);
        CHECK_MESSAGE(out.rfind("{\"error\"", 0) != 0, out);
        ui.frame();
        CHECK(contains(ui.app.lessons.shown_feedback, "答对了"));
    }
    CHECK(ui.app.lessons.score.right == ui.app.lessons.score.attempted);
    CHECK(ui.app.lessons.score.attempted == 5);
    // The page's placeholders are filled from the model and its card.
    app_lesson_goto(ui.app, "induction", 0);
    const std::string text = app_lesson_page_text(ui.app, lesson.pages[0].text);
    char accuracy[32];   // the card's held-out accuracy, as the page prints it
    std::snprintf(accuracy, sizeof accuracy, "%.1f%%", ui.app.card.card.held_out_accuracy * 100.0);
    CHECK(ui.app.card.card.held_out_accuracy > 0.9);
    CHECK(contains(text, accuracy));
    CHECK_FALSE(contains(text, "{"));
    // Switching back to English keeps the page and the score; the texts follow the language.
    app_set_language(ui.app, Language::en);
    ui.frame();
    CHECK(ui.app.lessons.open == "induction");
    CHECK(ui.app.lessons.lessons[0].language == "en");
    CHECK(ui.app.lessons.score.attempted == 5);
    for (const std::string& k : i18n_missing()) FAIL_CHECK("missing string " << k);
}

TEST_CASE("lessons panel: coref's token exercises through the page API, wrong then right, with the attention numbers") {
    UiHarness ui(ImVec2(1280, 720));
    load_zoo(ui, "coref");
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "goto", "lesson": "coref", "page": 9})"), "has no lesson 'coref' with a page 9"));
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "fly"})"), "unknown action 'fly'"));
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "goto", "lesson": "coref", "page": 1})"), "\"page\":1"));
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "answer", "choice": "giraffe"})"), "none of the choices"));
    CHECK(ui.app.lessons.score.attempted == 0);
    app_lessons_api(ui.app, R"({"action": "type"})");
    CHECK(ui.app.text == "the animal didn't cross the street because it was too tired");
    CHECK(ui.app.selection.layer == 2);
    CHECK(ui.app.selection.head == 1);
    CHECK(ui.app.main_view == MainView::heatmap);

    const std::string wrong = app_lessons_api(ui.app, R"({"action": "answer", "choice": "street"})");
    CHECK(contains(wrong, "\"right\":false"));
    const ExerciseTruth& t = ui.app.lessons.truth;
    REQUIRE(t.choice_value.size() == 2);
    CHECK(t.choice_value[0] > t.choice_value[1]);
    CHECK(contains(app_lesson_feedback(ui.app), "In L2H1, \"it\" puts " + two_decimals(t.choice_value[0]) +
                                                    " of its attention on \"animal\"; on \"street\" only " + two_decimals(t.choice_value[1])));
    const std::string right = app_lessons_api(ui.app, R"({"action": "answer", "choice": "animal"})");
    CHECK(contains(right, "\"right\":true"));
    CHECK(contains(right, "\"score\":{\"attempted\":2,\"right\":1}"));

    // Page 3: "wide" changes the answer; the same words, the other one right.
    app_lessons_api(ui.app, R"({"action": "next"})");
    app_lessons_api(ui.app, R"({"action": "type"})");
    CHECK(contains(app_lessons_api(ui.app, R"({"action": "answer", "choice": "street"})"), "\"right\":true"));
    CHECK(ui.app.lessons.score.right == 2);
    CHECK(ui.app.lessons.score.attempted == 3);
    ui.frame();
    CHECK(contains(ui.app.lessons.shown_feedback, "Right!"));
}
