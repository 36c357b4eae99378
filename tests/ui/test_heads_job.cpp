// A large trace's head statistics are computed in steps of whole heads (HeadsState::step_above_weights),
// within the frame budget: the heads view and the status bar say how far it is, the grid shows no badges
// meanwhile, the finished statistics and labels equal a synchronous computation, and a newer trace
// restarts the job. Small traces are computed at once, as before.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "analysis/head_summary.h"
#include "tests/ui/drawn_text.h"
#include "tests/ui/synthetic_trace.h"
#include "tests/ui/ui_harness.h"
#include "ui/frame_budget.h"
#include "ui/heads_cache.h"

using namespace attn;

TEST_CASE("frame budget: a later job steps only when its longest step fits what the earlier ones left") {
    CHECK(budget_left_for(8.0, 0.0, 20.0) == 8.0);    // nothing spent before it: its at-least-one step
    CHECK(budget_left_for(8.0, 6.0, 3.0) == -1.0);    // 2 ms left, its steps take 3: none this frame
    CHECK(budget_left_for(8.0, 4.0, 3.0) == 4.0);
    CHECK(budget_left_for(8.0, 4.0, 0.0) == 4.0);     // no step seen yet: it tries when half is left
    CHECK(budget_left_for(8.0, 6.3, 0.0) == -1.0);    // and not after the tiles' 6 ms
    CHECK(budget_left_for(0.0, 0.0, 5.0) == 0.0);     // a zero budget still steps the first job once
    CHECK(budget_left_for(0.0, 1.0, 0.0) == -1.0);    // and no later one
    double longest = 0.0;
    int steps = 0;
    CHECK(step_within_budget(-1.0, longest, [&] { ++steps; }, [] { return false; }) == 0.0);
    CHECK(steps == 0);
    step_within_budget(0.0, longest, [&] { ++steps; }, [] { return false; });
    CHECK(steps == 1);
}

TEST_CASE("ui: a large trace's head statistics come in steps, one head a frame, with progress shown") {
    UiHarness ui(ImVec2(1400, 900));
    ui.app.main_view = MainView::heads;
    ui.app.heads.step_above_weights = 0.0;   // every trace counts as large
    ui.app.trace_budget_ms = 0.0;            // one head a frame
    const Trace trace = make_synthetic_trace(4, 6, 24, true);
    app_show_trace(ui.app, trace, 1.0);

    ui.frame();
    int done = -1, total = -1;
    REQUIRE(app_heads_pending(ui.app, &done, &total));
    CHECK(done == 1);
    CHECK(total == 24);
    CHECK(ui.app.heads.stats.empty());
    CHECK(ui.app.heads.labels.empty());
    CHECK(drawn_contains("Working out what each head does: 1 of 24 heads"));
    CHECK(drawn_contains("Head statistics: 1 of 24 heads"));   // the status bar

    int frames = 1;
    while (app_heads_pending(ui.app) && frames < 100) {
        ui.frame();
        ++frames;
    }
    CHECK(frames == 24);
    CHECK_FALSE(app_heads_pending(ui.app));
    ui.frame();
    CHECK_FALSE(drawn_contains("Working out what each head does"));
    CHECK(ui.app.widgets.head_map_dots.size() == 24);   // the view draws the finished statistics

    // The same numbers and labels as head_statistics in one go.
    const std::vector<HeadStats> want = head_statistics(trace.attentions, TokenKinds{}, HeadStatsOptions{});
    const HeadsState& hs = ui.app.heads;
    REQUIRE(hs.stats.size() == want.size());
    REQUIRE(hs.labels.size() == want.size());
    CHECK(hs.n_layer == 4);
    CHECK(hs.n_head == 6);
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("head " << i);
        // induction stays -1: no model, so no induction score
        CHECK(std::memcmp(hs.stats[i].value, want[i].value, sizeof want[i].value) == 0);
        CHECK(hs.stats[i].per_query == want[i].per_query);
        CHECK(hs.labels[i].pattern == label_head(want[i]).pattern);
        CHECK(hs.labels[i].confidence == label_head(want[i]).confidence);
    }
    CHECK(hs.labels[0].pattern == HeadPattern::previous_token);   // synthetic head 0 looks one back
}

TEST_CASE("ui: a new trace restarts the head statistics job; small traces are computed at once") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::grid;
    ui.app.heads.step_above_weights = 0.0;
    ui.app.trace_budget_ms = 0.0;
    app_show_trace(ui.app, make_synthetic_trace(4, 6, 24, true), 1.0);
    for (int i = 0; i < 3; ++i) ui.frame();
    int done = -1, total = -1;
    REQUIRE(app_heads_pending(ui.app, &done, &total));
    CHECK(done == 3);
    CHECK(total == 24);

    // Another trace, another shape: the job starts over on it (it never reads the old tensor again).
    app_show_trace(ui.app, make_synthetic_trace(2, 3, 10, false), 1.0);
    ui.frame();
    REQUIRE(app_heads_pending(ui.app, &done, &total));
    CHECK(done == 1);
    CHECK(total == 6);
    while (app_heads_pending(ui.app)) ui.frame();
    CHECK(ui.app.heads.stats.size() == 6);
    CHECK(ui.app.heads.labels.size() == 6);
    CHECK(ui.app.heads.n_layer == 2);

    // The default threshold: a trace this small is labelled before its first frame is drawn.
    ui.app.heads.step_above_weights = HeadsState{}.step_above_weights;
    app_show_trace(ui.app, make_synthetic_trace(3, 4, 16, true), 1.0);
    ui.frame();
    CHECK_FALSE(app_heads_pending(ui.app));
    CHECK(ui.app.heads.labels.size() == 12);
    // A budget lets several heads share a frame.
    ui.app.heads.step_above_weights = 0.0;
    ui.app.trace_budget_ms = 1e9;
    app_show_trace(ui.app, make_synthetic_trace(3, 4, 16, false), 1.0);
    ui.frame();
    CHECK_FALSE(app_heads_pending(ui.app));
    CHECK(ui.app.heads.labels.size() == 12);
}

TEST_CASE("ui: a large trace's similarity comes in steps while its view is shown, after the statistics") {
    UiHarness ui(ImVec2(1280, 800));
    ui.app.main_view = MainView::similarity;
    ui.app.heads.step_above_weights = 0.0;
    ui.app.trace_budget_ms = 0.0;   // one unit of each job a frame
    const Trace trace = make_synthetic_trace(2, 3, 12, true);
    app_show_trace(ui.app, trace, 1.0);
    ui.frame();
    CHECK(app_heads_similarity_pending(ui.app));
    CHECK(drawn_contains("Working out what each head does: 1 of 6 heads"));   // the statistics are shown first
    int frames = 1;
    bool comparing_shown = false;
    while ((app_heads_pending(ui.app) || app_heads_similarity_pending(ui.app)) && frames < 1000) {
        ui.frame();
        ++frames;
        if (!app_heads_pending(ui.app) && app_heads_similarity_pending(ui.app))
            comparing_shown = comparing_shown || drawn_contains("Comparing every pair of heads...");
    }
    CHECK(comparing_shown);
    // The statistics (6 heads) first: a frame whose budget an earlier job spent takes no similarity step.
    // Then 6 heads' entropies, 15 pairs, the layout.
    CHECK(frames == 6 + 6 + 15 + 1);
    ui.frame();
    const HeadSimilarity want = head_similarity(trace.attentions);
    const HeadSimilarity& got = ui.app.heads.similarity;
    REQUIRE(got.n == 6);
    CHECK(std::memcmp(got.jsd.data(), want.jsd.data(), want.jsd.size() * sizeof(float)) == 0);
    CHECK(std::memcmp(got.layout.data(), want.layout.data(), want.layout.size() * sizeof(float)) == 0);
    CHECK(ui.app.widgets.similarity_dots.size() == 6);

    // Leaving the view drops a similarity job in flight; the statistics job goes on.
    app_show_trace(ui.app, make_synthetic_trace(2, 3, 10, false), 1.0);
    ui.frame();
    CHECK(app_heads_similarity_pending(ui.app));
    ui.app.main_view = MainView::grid;
    ui.frame();
    CHECK_FALSE(app_heads_similarity_pending(ui.app));
    CHECK(app_heads_pending(ui.app));
}

TEST_CASE("ui: a large layer's head table comes a head a frame and equals layer_head_summary") {
    UiHarness ui(ImVec2(1400, 1600));   // tall enough that the right panel shows the table unscrolled
    ui.app.main_view = MainView::heatmap;
    ui.app.step_above_weights = 0.0;   // every layer counts as large
    ui.app.trace_budget_ms = 0.0;      // one head a frame
    const Trace trace = make_synthetic_trace(3, 5, 20, true);
    app_show_trace(ui.app, trace, 1.0);
    ui.app.selection.layer = 2;
    ui.frame();   // the table asks for layer 2: nothing made yet
    CHECK(ui.app.head_views.stats.empty());
    CHECK(drawn_contains("Working out what each head does: 0 of 5 heads"));
    int frames = 1;
    while (ui.app.head_views.stats.size() < 5 && frames < 50) {
        ui.frame();
        ++frames;
    }
    CHECK(frames == 6);
    ui.frame();
    CHECK(ui.app.widgets.head_stats_rows.size() == 5);
    CHECK_FALSE(drawn_contains("of 5 heads"));
    const std::vector<RowStats> want = layer_head_summary(trace.attentions, 2);
    REQUIRE(ui.app.head_views.stats.size() == want.size());
    CHECK(std::memcmp(ui.app.head_views.stats.data(), want.data(), want.size() * sizeof(RowStats)) == 0);

    // Another layer starts over; under the default threshold a layer this small is there at once.
    ui.app.step_above_weights = App{}.step_above_weights;
    ui.app.selection.layer = 1;
    ui.frame();
    const std::vector<RowStats> want1 = layer_head_summary(trace.attentions, 1);
    REQUIRE(ui.app.head_views.stats.size() == want1.size());
    CHECK(std::memcmp(ui.app.head_views.stats.data(), want1.data(), want1.size() * sizeof(RowStats)) == 0);
    CHECK(ui.app.widgets.head_stats_rows.size() == 5);
}
