#include "ui/draw_pacing.h"

#include "imgui.h"
#include "ui/app.h"
#include "ui/heads_cache.h"

namespace attn {

WorkOnScreen app_work_on_screen(const App& app) {
    WorkOnScreen w;
    auto mark = [&w](bool on, WorkOnScreen::Job job) {
        if (on) w.jobs |= job;
    };
    mark(app_tracing(app), WorkOnScreen::tracing);
    mark(app_probing(app), WorkOnScreen::probing);
    mark(app_heads_induction_pending(app), WorkOnScreen::induction);
    mark(app_view_pending(app), WorkOnScreen::view);
    mark(app.analysis.job != nullptr, WorkOnScreen::analysis);
    mark(app.checks.run != nullptr, WorkOnScreen::checks);
    mark(app.explain.job != nullptr, WorkOnScreen::explain);
    mark(app.interventions.job != nullptr, WorkOnScreen::patching);
    mark(app.train.running, WorkOnScreen::training);
    mark(app_head_stats_pending(app), WorkOnScreen::table);
    mark(app_nonfinite_pending(app), WorkOnScreen::scan);
    mark(app.interventions.before_job != nullptr, WorkOnScreen::before);
    w.trace_version = app.trace_version;
    w.model = app.model.get();
    return w;
}

InputSnapshot input_snapshot(const ImGuiIO& io) {
    InputSnapshot s;
    s.mouse_x = io.MousePos.x;
    s.mouse_y = io.MousePos.y;
    for (int i = 0; i < IM_ARRAYSIZE(io.MouseDown); ++i)
        if (io.MouseDown[i]) s.buttons |= 1u << i;
    s.wheel = io.MouseWheel != 0.0f || io.MouseWheelH != 0.0f;
    s.chars = io.InputQueueCharacters.Size > 0;
    static_assert(IM_ARRAYSIZE(io.KeysDown) <= 8 * 64, "KeysDown fits the snapshot's bits");
    for (int k = 0; k < IM_ARRAYSIZE(io.KeysDown); ++k)
        if (io.KeysDown[k]) s.keys[k / 64] |= uint64_t{1} << (k % 64);
    s.width = io.DisplaySize.x;
    s.height = io.DisplaySize.y;
    return s;
}

}  // namespace attn
