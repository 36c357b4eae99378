// The app's side of the flow view's residual attention (flow_state.h): begun for the attention on screen
// (self or decoder attention; cross attention has no flow), made at once when small or for a picture,
// else in steps (a layer, or part of one) by app_flow_frame while the flow view is shown. The view draws
// once it is made.
#pragma once

namespace attn {

struct App;

// Begins the flow caches for the shown attention when it changed, and finishes Ahat when it is small.
void app_flow_current(App& app);
// Per frame, before the views, while the flow view is shown: more of a large trace's Ahat within
// `budget_ms` (at least one step), or once it is made, more of the max-flow row of the output token in
// focus (flow_state_row_wanted). Returns the milliseconds spent.
double app_flow_frame(App& app, double budget_ms);

}  // namespace attn
