// Lesson mode's app side: the head's computation for the selection on screen, made once per (trace,
// kind, layer, head) with one forward pass, and the step buttons and row clicks applied to the app.
#include "ui/app.h"
#include "core/i18n.h"
#include "ui/lesson_view.h"

namespace attn {

namespace {

HeadStack head_stack(AttentionKind kind) {
    return kind == AttentionKind::decoder ? HeadStack::decoder : kind == AttentionKind::cross ? HeadStack::cross : HeadStack::self;
}

void lesson_update(App& app) {
    LessonState& s = app.lesson;
    const Selection& sel = app.selection;
    if (!app.model || !app.has_trace) {
        s.has_result = false;
        s.error.clear();
        s.trace_version = 0;
        return;
    }
    if (s.trace_version == app.trace_version && s.kind == sel.kind && s.layer == sel.layer && s.head == sel.head) return;
    s.trace_version = app.trace_version;
    s.kind = sel.kind;
    s.layer = sel.layer;
    s.head = sel.head;
    Expected<HeadComputation> c = head_computation(*app.model, app.trace, head_stack(sel.kind), sel.layer, sel.head);
    s.has_result = c.ok();
    s.error = c.ok() ? "" : trf("pictures.lesson.error", {{"error", c.error().message}});
    if (c) s.result = std::move(*c);
}

}  // namespace

std::vector<HeadStep> app_lesson_steps(const App& app) {
    if (app.lesson.has_result) return app.lesson.result.steps;
    return {HeadStep::input, HeadStep::qkv, HeadStep::scores, HeadStep::scale, HeadStep::mask,
            HeadStep::softmax, HeadStep::context, HeadStep::entropy};
}

int app_lesson_index(const App& app) {
    const std::vector<HeadStep> steps = app_lesson_steps(app);
    for (size_t i = 0; i < steps.size(); ++i)
        if (steps[i] == app.lesson.step) return static_cast<int>(i);
    return 0;
}

void show_lesson_view(App& app, const AttentionView& view, PieceStyle style) {
    lesson_update(app);
    LessonState& s = app.lesson;
    LessonData d;
    d.computation = s.has_result ? &s.result : nullptr;
    d.error = s.error;
    d.steps = app_lesson_steps(app);
    d.index = app_lesson_index(app);
    d.queries = view.queries;
    d.keys = view.keys;
    d.piece_style = style;
    const int T = s.has_result ? s.result.n_query : 0;
    d.query = app.selection.pinned_query >= 0 && app.selection.pinned_query < T ? app.selection.pinned_query : T - 1;
    d.colormap = app.selection.colormap;
    d.picture = app.picture_only;
    d.prev_rect = &s.prev_rect;
    d.next_rect = &s.next_rect;
    d.shown_numbers = &s.shown_numbers;
    d.shown_row_sum = &s.shown_row_sum;
    const LessonActions act = show_lesson(d);
    const int to = d.index + act.step_delta;
    if (act.step_delta != 0 && to >= 0 && to < static_cast<int>(d.steps.size())) s.step = d.steps[to];
    if (act.clicked_row >= 0) selection_toggle_pin(app.selection, act.clicked_row);
}

}  // namespace attn
