// The page's draw pacing (ui/draw_pacing.h): which changed frames it draws while jobs run in steps with
// nobody touching it, the budget its frames give those jobs, and what counts as input and as work on
// screen. The page itself is checked in tests/e2e/attnscope.test.js.
#include <doctest/doctest.h>

#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/draw_pacing.h"

using namespace attn;

TEST_CASE("ui: a changed frame is drawn at once unless the page is quiet and the same jobs still run") {
    const DrawPacing p;   // quiet after 250 ms without input; busy frames every 100 ms or more
    WorkOnScreen idle, busy;
    busy.jobs = WorkOnScreen::tracing;
    busy.trace_version = 3;
    const double now = 10000.0;
    // Nothing runs: every change is drawn (what a user or a script did).
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 1.0, 0.0, idle, idle));
    // A job started, or the trace or model changed since the last drawn frame: drawn at once.
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 1.0, 0.0, busy, idle));
    WorkOnScreen next_trace = busy;
    next_trace.trace_version = 4;
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 1.0, 0.0, next_trace, busy));
    WorkOnScreen other_model = busy;
    other_model.model = &p;
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 1.0, 0.0, other_model, busy));
    WorkOnScreen two_jobs = busy;
    two_jobs.jobs |= WorkOnScreen::view;
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 1.0, 0.0, two_jobs, busy));
    // Input in the last 250 ms: drawn at once.
    CHECK(draw_changed_frame_now(p, now, now - 249.0, now - 1.0, 0.0, busy, busy));
    // Quiet, the same job: every 100 ms.
    CHECK_FALSE(draw_changed_frame_now(p, now, now - 251.0, now - 99.0, 0.0, busy, busy));
    CHECK(draw_changed_frame_now(p, now, now - 251.0, now - 100.0, 0.0, busy, busy));
    // Drawing held the next frames back 200 ms: every 800 ms, so such waits are a quarter of the time.
    CHECK_FALSE(draw_changed_frame_now(p, now, 0.0, now - 799.0, 200.0, busy, busy));
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 800.0, 200.0, busy, busy));
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 100.0, 20.0, busy, busy));   // 80 ms: the floor is 100
    // A wait of a minute (a hidden tab) still draws a busy page once a second.
    CHECK_FALSE(draw_changed_frame_now(p, now, 0.0, now - 999.0, 60000.0, busy, busy));
    CHECK(draw_changed_frame_now(p, now, 0.0, now - 1000.0, 60000.0, busy, busy));

    CHECK(drawn_frame_wait_ms(16.7 + 5.0, 5.0) == doctest::Approx(0.0));    // frames at the display's pace
    CHECK(drawn_frame_wait_ms(10.0, 5.0) == 0.0);
    CHECK(drawn_frame_wait_ms(221.7, 5.0) == doctest::Approx(200.0));
}

TEST_CASE("ui: the page's frames give stepped jobs what the views left of the frame") {
    const DrawPacing p;   // 14 ms a quiet frame, 10 ms while used, at least 2 ms for the jobs
    CHECK(page_quiet(p, 1000.0, 750.0));
    CHECK_FALSE(page_quiet(p, 1000.0, 751.0));
    CHECK(job_budget_ms(p, true, 3.0) == doctest::Approx(11.0));
    CHECK(job_budget_ms(p, false, 3.0) == doctest::Approx(7.0));
    CHECK(job_budget_ms(p, true, 13.0) == doctest::Approx(2.0));
    CHECK(job_budget_ms(p, true, 40.0) == doctest::Approx(2.0));
}

TEST_CASE("ui: input is the pointer, a button, the wheel, a key, a character or a new display size") {
    ImGuiIO io;   // edited and put back in place (a copy of its empty ImVector is a memcpy from null)
    io.MousePos = ImVec2(10, 20);
    io.DisplaySize = ImVec2(800, 600);
    const InputSnapshot still = input_snapshot(io);
    CHECK_FALSE(input_between(still, input_snapshot(io)));
    auto changed = [&](auto edit, auto undo) {
        edit(io);
        const bool input = input_between(still, input_snapshot(io));
        undo(io);
        return input;
    };
    CHECK(changed([](ImGuiIO& c) { c.MousePos.x += 1; }, [](ImGuiIO& c) { c.MousePos.x -= 1; }));
    CHECK(changed([](ImGuiIO& c) { c.MouseDown[1] = true; }, [](ImGuiIO& c) { c.MouseDown[1] = false; }));
    CHECK(changed([](ImGuiIO& c) { c.MouseWheel = -1.0f; }, [](ImGuiIO& c) { c.MouseWheel = 0.0f; }));
    CHECK(changed([](ImGuiIO& c) { c.MouseWheelH = 0.5f; }, [](ImGuiIO& c) { c.MouseWheelH = 0.0f; }));
    CHECK(changed([](ImGuiIO& c) { c.KeysDown[300] = true; }, [](ImGuiIO& c) { c.KeysDown[300] = false; }));
    CHECK(changed([](ImGuiIO& c) { c.KeysDown[511] = true; }, [](ImGuiIO& c) { c.KeysDown[511] = false; }));
    CHECK(changed([](ImGuiIO& c) { c.AddInputCharacter('a'); }, [](ImGuiIO& c) { c.InputQueueCharacters.resize(0); }));
    CHECK(changed([](ImGuiIO& c) { c.DisplaySize.y = 500; }, [](ImGuiIO& c) { c.DisplaySize.y = 600; }));
    CHECK_FALSE(changed([](ImGuiIO& c) { c.DeltaTime = 0.5f; }, [](ImGuiIO&) {}));   // time passing is not input
    CHECK_FALSE(input_between(still, input_snapshot(io)));   // all put back
    // A key held down from one frame to the next is no new input.
    io.KeysDown[65] = true;
    CHECK_FALSE(input_between(input_snapshot(io), input_snapshot(io)));
}

TEST_CASE("ui: the work on screen names the stepped jobs, the trace and the model") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "The cat sat on the mat.";
    ui.load_fixture("gpt2-tiny");
    CHECK(app_work_on_screen(ui.app).jobs == WorkOnScreen::induction);   // a small model's: its first frame
    ui.frame();
    const WorkOnScreen loaded = app_work_on_screen(ui.app);
    CHECK(loaded.jobs == 0);
    CHECK(loaded.model == ui.app.model.get());
    CHECK(loaded.trace_version == ui.app.trace_version);

    ui.app.trace_step_above_ms = -1.0;   // every edit traces in steps
    ui.app.trace_budget_ms = 0.0;        // one step a frame
    app_set_text(ui.app, "The dog ran across the road.");
    const WorkOnScreen tracing = app_work_on_screen(ui.app);
    CHECK(tracing.jobs == WorkOnScreen::tracing);
    CHECK(tracing.trace_version == loaded.trace_version);
    while (app_tracing(ui.app)) ui.frame();
    const WorkOnScreen traced = app_work_on_screen(ui.app);
    CHECK(traced.jobs == 0);
    CHECK(traced.trace_version == loaded.trace_version + 1);

    // A large trace: read for NaN in steps, its grid's tiles and the layer's head table made in steps.
    ui.app.main_view = MainView::grid;
    ui.app.step_above_weights = 0.0;
    ui.app.trace_budget_ms = 0.0;   // one step a frame each
    app_show_trace(ui.app, make_synthetic_trace(2, 4, 12, true), 1.0);
    CHECK((app_work_on_screen(ui.app).jobs & WorkOnScreen::scan) != 0);
    ui.frame();
    const uint32_t jobs = app_work_on_screen(ui.app).jobs;
    CHECK((jobs & WorkOnScreen::view) != 0);
    CHECK((jobs & WorkOnScreen::table) != 0);
    ui.app.step_above_weights = App{}.step_above_weights;   // the scan's steps: a value each at 0
    for (int i = 0; i < 200 && app_work_on_screen(ui.app).jobs != 0; ++i) ui.frame();
    CHECK(app_work_on_screen(ui.app).jobs == 0);
    CHECK(ui.app.grid_tiles.complete());
    CHECK_FALSE(app_head_stats_pending(ui.app));
    CHECK_FALSE(app_nonfinite_pending(ui.app));
}
