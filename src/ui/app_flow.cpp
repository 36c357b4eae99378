// The flow view's residual attention for the app: begun when the shown attention changes, made at once
// when small, else a few rows at a time within the frame's budget while the flow view is shown; then the
// max-flow row of the output token in focus, a source a step.
#include "ui/app_flow.h"

#include "ui/app.h"
#include "ui/frame_budget.h"

namespace attn {

namespace {

// The tensor the flow view follows; null when there is none or it is cross attention.
const AttentionTensor* flow_attention(const App& app) {
    if (!app.has_trace || app.selection.kind == AttentionKind::cross) return nullptr;
    const AttentionTensor* a = attention_view(app.trace, app.selection.kind).attention;
    return a && !a->empty() && a->n_query > 0 ? a : nullptr;
}

}  // namespace

void app_flow_current(App& app) {
    const AttentionTensor* a = flow_attention(app);
    if (!a) return;
    FlowViewState& s = app.flow;
    flow_state_begin(s, shown_attention_key(app), *a);
    const double weights = static_cast<double>(a->n_layer) * a->n_head * a->n_query * a->n_key;
    if (!app_in_steps(app, weights))
        while (!flow_state_ready(s)) flow_state_step(s, *a);
    // A picture draws once, with the mouse nowhere: its pinned token's max-flow row, all of it.
    if (app.picture_only && s.pinned >= 0) {
        flow_state_focus(s, s.pinned);
        const int j = flow_state_row_wanted(s);
        while (j >= 0 && flow_state_row_wanted(s) == j) flow_state_row_step(s, j);
    }
}

double app_flow_frame(App& app, double budget_ms) {
    if (app.main_view != MainView::flow) return 0.0;   // only the flow view waits for it
    const AttentionTensor* a = flow_attention(app);
    if (!a) return 0.0;
    app_flow_current(app);
    FlowViewState& s = app.flow;
    double longest = 0.0;
    if (!flow_state_ready(s))
        return step_within_budget(budget_ms, longest, [&] { flow_state_step(s, *a); }, [&] { return flow_state_ready(s); });
    const int j = flow_state_row_wanted(s);
    if (j < 0) return 0.0;
    return step_within_budget(budget_ms, longest, [&] { flow_state_row_step(s, j); },
                              [&] { return flow_state_row_wanted(s) != j; });
}

}  // namespace attn
