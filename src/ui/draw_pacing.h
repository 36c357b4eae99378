// Which of the page's changed frames are drawn. The page already skips a frame that would draw what the
// canvas shows (FrameDraw::if_changed). While a job runs in steps across frames (a large model's retrace,
// its probe, a T = 1024 view's tiles, attributions, training) every frame changes a little, a progress
// line or a filled tile, and was drawn: in headless Chromium, where SwiftShader rasterises on the same two
// cores, each drawn 1600 x 1000 frame cost 25-50 ms of CPU and slowed the job beside it. So when nobody
// has touched the page for a moment and the same jobs are still running, those frames are drawn a few
// times a second instead of every frame. Input, a job starting or ending, a new trace or a new model is
// drawn at once, so what a user does and what a script waits for shows in the next frame.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>

struct ImGuiIO;

namespace attn {

struct App;

// The app's work in progress as a frame shows it: which stepped jobs run (bits), and which trace and
// model are on screen.
struct WorkOnScreen {
    enum Job : uint32_t {
        tracing = 1u << 0,       // a stepped retrace (app_tracing)
        probing = 1u << 1,       // a large model's random-weights probe
        induction = 1u << 2,     // a large model's heads' induction score
        view = 1u << 3,          // the view's own steps after a trace (app_view_pending)
        analysis = 1u << 4,      // attributions, logit lens, activations
        checks = 1u << 5,
        explain = 1u << 6,       // the explanation's faithfulness job
        patching = 1u << 7,      // interventions: activation patching
        training = 1u << 8,
        table = 1u << 9,         // the selected layer's head table, a head a frame
        scan = 1u << 10,         // the trace read for NaN and infinities
        before = 1u << 11,       // interventions: the trace without them, in steps
    };
    uint32_t jobs = 0;
    uint64_t trace_version = 0;
    const void* model = nullptr;
    bool operator==(const WorkOnScreen& o) const {
        return jobs == o.jobs && trace_version == o.trace_version && model == o.model;
    }
    bool operator!=(const WorkOnScreen& o) const { return !(*this == o); }
};
WorkOnScreen app_work_on_screen(const App& app);

// What the user did, as ImGui's IO holds it once the platform backend has read the frame's events: two
// snapshots that differ, or one with a wheel turn or typed characters, mean input this frame.
struct InputSnapshot {
    float mouse_x = 0.0f, mouse_y = 0.0f;
    uint32_t buttons = 0;      // bit i: mouse button i down
    bool wheel = false;        // the wheel turned this frame
    bool chars = false;        // characters were typed this frame
    std::array<uint64_t, 8> keys{};   // io.KeysDown as bits
    float width = 0.0f, height = 0.0f;
    bool same_state(const InputSnapshot& o) const {
        return mouse_x == o.mouse_x && mouse_y == o.mouse_y && buttons == o.buttons && keys == o.keys &&
               width == o.width && height == o.height;
    }
};
InputSnapshot input_snapshot(const ImGuiIO& io);
inline bool input_between(const InputSnapshot& before, const InputSnapshot& now) {
    return now.wheel || now.chars || !now.same_state(before);
}

struct DrawPacing {
    double quiet_after_ms = 250.0;   // no input for this long: the page counts as watched, not used
    double busy_every_ms = 100.0;    // then a busy frame is drawn at most this often,
    // and less often when a drawn frame holds the next one back (the browser's rasteriser is still busy
    // with it): so that such waits take at most this share of the time. Under SwiftShader the lines
    // view's 6,000 lines at T = 1024 held each next frame back 150-200 ms, and a retrace took 10 s.
    double drawn_wait_share = 0.25;
    double busy_at_least_every_ms = 1000.0;   // but at least once a second (a hidden tab's frames wait long)
    // The CPU a frame may take, views and stepped jobs together: the jobs get what the views left of it
    // in the last frame (job_budget_ms). While the page is watched few frames are drawn, so the jobs may
    // take most of a 16.7 ms frame; while it is used, drawing needs room too.
    double used_frame_ms = 10.0;
    double quiet_frame_ms = 14.0;
    double least_budget_ms = 2.0;   // every job still steps at least once a frame (frame_budget.h)
};

inline bool page_quiet(const DrawPacing& pacing, double now_ms, double last_input_ms) {
    return now_ms - last_input_ms >= pacing.quiet_after_ms;
}

// App::trace_budget_ms for the next frame, after views that took views_ms of the last one.
inline double job_budget_ms(const DrawPacing& pacing, bool quiet, double views_ms) {
    const double frame_ms = quiet ? pacing.quiet_frame_ms : pacing.used_frame_ms;
    return std::max(frame_ms - views_ms, pacing.least_budget_ms);
}

// How long a frame that started gap_ms after the one before, whose app part took frame_ms, waited
// beyond the display's 16.7 ms: in the GL calls that drew it (a software GL waits for its rasteriser
// there) or for its turn (the browser holds frames back while its rasteriser is busy).
inline double drawn_frame_wait_ms(double gap_ms, double frame_ms) {
    return std::max(gap_ms - frame_ms - 16.7, 0.0);
}

// Whether a frame that differs from the last drawn one is drawn now (times in ms on one clock);
// drawn_wait_ms: how long the frames after a drawn one were held back (drawn_frame_wait_ms, summed).
inline bool draw_changed_frame_now(const DrawPacing& pacing, double now_ms, double last_input_ms,
                                   double last_drawn_ms, double drawn_wait_ms, const WorkOnScreen& now,
                                   const WorkOnScreen& drawn) {
    if (now.jobs == 0 || now != drawn) return true;   // idle, or a job, trace or model came or went
    if (!page_quiet(pacing, now_ms, last_input_ms)) return true;
    const double every = std::min(std::max(drawn_wait_ms / pacing.drawn_wait_share, pacing.busy_every_ms),
                                  pacing.busy_at_least_every_ms);
    return now_ms - last_drawn_ms >= every;
}

}  // namespace attn
