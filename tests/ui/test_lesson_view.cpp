// Lesson mode through real frames on real fixtures: Next walks every step the model has (RoPE and GQA
// only on Llama), Previous walks back, the buttons stop at the ends, the softmax step prints the
// Trace's own weights of the query row and a row sum of 1.00, the step travels in the URL, and a new
// head recomputes. Each step's picture goes to $ATTN_LESSON_SHOTS when set, for a person to look at.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tests/ui/ui_harness.h"
#include "ui/lesson_view.h"
#include "ui/picture.h"
#include "ui/url_state.h"

using namespace attn;

namespace {

void save_picture(UiHarness& ui, const std::string& name) {
    const Bytes png = picture_png(ui.app, MainView::lesson, 1100, 760);
    REQUIRE(png.size() > 5000);
    if (const char* dir = std::getenv("ATTN_LESSON_SHOTS")) {
        Expected<bool> ok = file_write_atomic(std::string(dir) + "/" + name, png);
        CHECK_MESSAGE(ok.ok(), ok.error().message);
    }
    ui.frame();
}

bool has_step(const std::vector<HeadStep>& steps, HeadStep s) { return std::find(steps.begin(), steps.end(), s) != steps.end(); }

void walk(const char* fixture, const char* text, bool rope_and_gqa, int layer, int head) {
    CAPTURE(fixture);
    UiHarness ui(ImVec2(1280, 800));
    ui.load_fixture(fixture);
    app_set_text(ui.app, text);
    ui.app.selection.layer = layer;
    ui.app.selection.head = head;
    ui.app.main_view = MainView::lesson;
    ui.frame();
    ui.frame();
    const LessonState& lesson = ui.app.lesson;
    REQUIRE_MESSAGE(lesson.has_result, lesson.error);
    CHECK(lesson.result.layer == layer);
    CHECK(lesson.result.head == head);
    const std::vector<HeadStep> steps = app_lesson_steps(ui.app);
    CHECK(has_step(steps, HeadStep::rope) == rope_and_gqa);
    CHECK(has_step(steps, HeadStep::gqa) == rope_and_gqa);
    CHECK(steps.front() == HeadStep::input);
    CHECK(steps.back() == HeadStep::entropy);
    REQUIRE(app_lesson_index(ui.app) == 0);

    const int T = ui.app.trace.tokens.size();
    for (size_t i = 0; i < steps.size(); ++i) {
        CAPTURE(i);
        CHECK(ui.app.lesson.step == steps[i]);
        CHECK(app_lesson_index(ui.app) == static_cast<int>(i));
        if (steps[i] == HeadStep::softmax) {
            // The printed numbers are the Trace's weights of the query row (the last token), rounded.
            CHECK(lesson.shown_row_sum == "1.00");
            REQUIRE(!lesson.shown_numbers.empty());
            for (size_t j = 0; j < lesson.shown_numbers.size(); ++j) {
                char want[32];
                std::snprintf(want, sizeof want, "%.2f", ui.app.trace.attentions.at(layer, head, T - 1, static_cast<int>(j)));
                CHECK(lesson.shown_numbers[j] == want);
            }
        } else {
            CHECK(lesson.shown_row_sum.empty());
        }
        if (steps[i] == HeadStep::entropy) CHECK(lesson.shown_numbers.size() == 2);   // the query's bits and maximum
        char name[96];
        std::snprintf(name, sizeof name, "%s-%02zu-%s.png", fixture, i + 1, head_step_name(steps[i]));
        save_picture(ui, name);
        ui.click(center(lesson.next_rect));
        ui.frame();   // the click lands at the end of the frame: draw the new step
    }
    // Next is disabled on the last step; Previous walks back to the first.
    CHECK(ui.app.lesson.step == HeadStep::entropy);
    CHECK(url_state_format(ui.app).find("lstep=entropy") != std::string::npos);
    for (size_t i = steps.size(); i-- > 0;) {
        CHECK(ui.app.lesson.step == steps[i]);
        ui.click(center(lesson.prev_rect));
        ui.frame();
    }
    CHECK(ui.app.lesson.step == HeadStep::input);

    // A link reopens the step; another head recomputes.
    app_apply_url_state(ui.app, url_state_parse("view=lesson&lstep=softmax"));
    ui.frame();
    CHECK(ui.app.lesson.step == HeadStep::softmax);
    CHECK(lesson.shown_row_sum == "1.00");
    ui.app.selection.head = head == 0 ? 1 : 0;
    ui.frame();
    CHECK(lesson.result.head == ui.app.selection.head);
    // Pinning another token moves the printed row to it.
    ui.app.selection.pinned_query = 0;
    ui.frame();
    REQUIRE(!lesson.shown_numbers.empty());
    CHECK(lesson.shown_numbers[0] == "1.00");   // causal: the first token sees only itself
}

}  // namespace

TEST_CASE("ui: lesson mode walks every step of a gpt2-tiny head") {
    walk("gpt2-tiny", "The cat sat on the mat because it was tired", false, 1, 2);
}

TEST_CASE("ui: lesson mode on llama-tiny adds the RoPE and shared key/value steps") {
    walk("llama-tiny", "The cat sat on the mat because it was tired", true, 0, 1);
}

TEST_CASE("ui: lesson mode follows BART's cross attention, with no mask") {
    UiHarness ui(ImVec2(1280, 800));
    ui.load_fixture("bart-tiny");
    app_set_text(ui.app, "The animal didn't cross the street");
    app_set_target(ui.app, "The animal");
    ui.app.selection.kind = AttentionKind::cross;
    ui.app.main_view = MainView::lesson;
    ui.frame();
    const LessonState& lesson = ui.app.lesson;
    REQUIRE_MESSAGE(lesson.has_result, lesson.error);
    CHECK(lesson.result.stack == HeadStack::cross);
    CHECK(lesson.result.mask == ScoreMask::none);
    CHECK(lesson.result.n_query == ui.app.trace.decoder_tokens.size());
    CHECK(lesson.result.n_key == ui.app.trace.tokens.size());
    app_apply_url_state(ui.app, url_state_parse("lstep=mask"));
    ui.frame();
    save_picture(ui, "bart-tiny-cross-mask.png");
}

TEST_CASE("ui: lesson mode without a model says what it needs and keeps its buttons") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::lesson;
    ui.frame();
    CHECK_FALSE(ui.app.lesson.has_result);
    CHECK(ui.app.lesson.next_rect[2] > 0.0f);
}
