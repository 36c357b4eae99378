// The stepping rule of every job the app drives (a retrace, attributions, checks, head statistics and
// similarity): at least one step a frame, so even a slow machine makes progress; then more only while the
// longest step seen so far still fits in the budget (starting a step at 5.9 ms that takes 12 would drop
// a frame).
//
//   double longest = 0.0;   // or kept in the job's state from frame to frame
//   double spent = step_within_budget(8.0, longest, [&] { job.step(); }, [&] { return job.done(); });
#pragma once
#include <algorithm>
#include <chrono>

namespace attn {

// step() runs one step, done() says whether the job is finished; longest_ms is raised to the longest step
// seen. Returns the milliseconds spent this frame.
template <class Step, class Done>
double step_within_budget(double budget_ms, double& longest_ms, Step step, Done done) {
    const auto t0 = std::chrono::steady_clock::now();
    double spent = 0.0;
    do {
        const double before = spent;
        step();
        spent = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        longest_ms = std::max(longest_ms, spent - before);
    } while (!done() && spent + longest_ms < budget_ms);
    return spent;
}

}  // namespace attn
