// The stepping rule of every job the app drives (a retrace, attributions, checks, head statistics and
// similarity): at least one step a frame, so even a slow machine makes progress; then more only while the
// longest step seen so far still fits in the budget (starting a step at 5.9 ms that takes 12 would drop
// a frame). Jobs that share a frame's budget take turns: a later job gets what the earlier ones left
// (budget_left_for), and no step at all (a negative budget) when they spent some and its own longest step
// would not fit the rest; so a new T = 1024 trace's tiles or flow rows, the layer's table and the head
// statistics do not each add a step to one frame (it was 16 ms), and each still steps every frame once
// those before it are done.
//
//   double longest = 0.0;   // or kept in the job's state from frame to frame
//   double spent = step_within_budget(8.0, longest, [&] { job.step(); }, [&] { return job.done(); });
#pragma once
#include <algorithm>
#include <chrono>

namespace attn {

// What this thread's frame has spent in step_within_budget so far. frame_render resets it before a frame and
// reads it after, to tell the views' own time from the jobs' (draw_pacing.h sizes the next frame's budget).
inline double& frame_steps_ms() {
    static thread_local double ms = 0.0;
    return ms;
}

// step() runs one step, done() says whether the job is finished; longest_ms is raised to the longest step
// seen. Returns the milliseconds spent this frame (also added to frame_steps_ms()).
template <class Step, class Done>
double step_within_budget(double budget_ms, double& longest_ms, Step step, Done done);

// What a frame's later job may spend after earlier ones spent spent_ms of budget_ms: the rest, or -1 (no
// step) when they spent some and the rest is less than the job's longest step seen, or, before its first
// step (longest 0), less than half the budget: a new T = 1024 trace's first frame took the tiles' 6 ms
// and then a 3 ms head-statistics step of unknown length on top (16 ms with the frame's layout).
inline double budget_left_for(double budget_ms, double spent_ms, double longest_ms) {
    const double left = budget_ms - spent_ms;
    const double needs = longest_ms > 0.0 ? longest_ms : budget_ms / 2;
    return spent_ms > 0.0 && left < needs ? -1.0 : left;
}

template <class Step, class Done>
double step_within_budget(double budget_ms, double& longest_ms, Step step, Done done) {
    if (budget_ms < 0.0) return 0.0;
    const auto t0 = std::chrono::steady_clock::now();
    double spent = 0.0;
    do {
        const double before = spent;
        step();
        spent = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        longest_ms = std::max(longest_ms, spent - before);
    } while (!done() && spent + longest_ms < budget_ms);
    frame_steps_ms() += spent;
    return spent;
}

}  // namespace attn
