// A large model's induction score (past App::probe_in_steps_above_params, as for the random-weights probe)
// is measured in steps after what is on screen, and ends with induction_scores' numbers; the head labels
// take it in once it is there, and the page's heads() reports it. A model loaded meanwhile drops the job;
// a small model is measured at once.
#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "analysis/head_patterns.h"
#include "tests/ui/ui_harness.h"
#include "ui/heads_cache.h"

using namespace attn;

namespace {

std::vector<float> measured_at_once(const Model& model) {
    Expected<std::vector<float>> s = induction_scores(model, InductionOptions{});
    REQUIRE(s.ok());
    return *s;
}

// Frames until the measurement is done (at most `limit`); how many it took.
int frames_until_measured(UiHarness& ui, int limit) {
    int frames = 0;
    while (app_heads_induction_pending(ui.app) && frames < limit) {
        ui.frame();
        ++frames;
    }
    return frames;
}

}  // namespace

TEST_CASE("ui: a large model's induction score is measured in steps, after its first trace and the probe") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "The cat sat on the mat.";
    ui.app.probe_in_steps_above_params = 1;   // every fixture counts as large
    ui.app.trace_budget_ms = 0.0;             // one step a frame
    ui.load_fixture("gpt2-tiny");
    CHECK(ui.app.has_trace);                  // the trace is on screen before anything is measured
    CHECK(app_heads_induction_pending(ui.app));
    ui.frame();
    REQUIRE(ui.app.heads.induction_job != nullptr);
    CHECK(app_heads_induction_pending(ui.app));
    CHECK(ui.app.heads.induction.empty());    // not known yet: the labels go without it
    CHECK_FALSE(ui.app.heads.labels_have_induction);
    CHECK(ui.app.heads.labels.size() == static_cast<size_t>(ui.app.model->info().n_layer) * ui.app.model->info().n_head);
    const int frames = frames_until_measured(ui, 10000);
    CHECK_FALSE(app_heads_induction_pending(ui.app));
    const int L = ui.app.model->info().n_layer;
    CHECK(frames > 2 * L + 3 + 2);            // the probe's steps first, then at least a step per pass
    CHECK(ui.app.heads.induction_error.empty());
    CHECK(ui.app.heads.induction == measured_at_once(*ui.app.model));
    ui.frame();
    CHECK(ui.app.heads.labels_have_induction);
    for (const HeadStats& s : ui.app.heads.stats) CHECK(s.value[static_cast<int>(HeadStat::induction)] >= 0.0f);
}

TEST_CASE("ui: a model loaded while the induction score is measured drops the job; the new one is measured") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "Hello world";
    ui.app.probe_in_steps_above_params = 1;
    ui.app.trace_budget_ms = 0.0;
    ui.load_fixture("gpt2-tiny");
    for (int i = 0; i < 3; ++i) ui.frame();
    REQUIRE(app_heads_induction_pending(ui.app));
    ui.load_fixture("llama-tiny");            // the job read gpt2-tiny, which is gone now
    CHECK(ui.app.heads.induction_job == nullptr);
    CHECK(app_heads_induction_pending(ui.app));   // llama-tiny's is still to come
    CHECK(ui.app.heads.induction.empty());
    ui.frame();
    REQUIRE(ui.app.heads.induction_job != nullptr);
    frames_until_measured(ui, 10000);
    CHECK(ui.app.heads.induction == measured_at_once(*ui.app.model));

    // Below the threshold the score is measured at once, before the first frame's labels.
    ui.app.probe_in_steps_above_params = 0;
    ui.load_fixture("gpt2-tiny");
    CHECK(app_heads_induction_pending(ui.app));
    ui.frame();
    CHECK_FALSE(app_heads_induction_pending(ui.app));
    CHECK(ui.app.heads.induction_job == nullptr);
    CHECK(ui.app.heads.induction == measured_at_once(*ui.app.model));
    CHECK(ui.app.heads.labels_have_induction);
}

TEST_CASE("ui: the page's heads() reports the induction score the app measured, without measuring it again") {
    UiHarness ui(ImVec2(1024, 768));
    ui.app.text = "The cat sat on the mat.";
    ui.load_fixture("gpt2-tiny");
    auto induction_in_json = [&] {
        Expected<std::string> json = app_heads_json(ui.app, false);
        REQUIRE(json.ok());
        std::vector<float> out;
        const nlohmann::json report = nlohmann::json::parse(*json);
        for (const auto& head : report["heads"]) out.push_back(head["induction"].get<float>());
        return out;
    };
    // The JSON's numbers are rounded to 6 significant digits.
    auto near = [](const std::vector<float>& a, const std::vector<float>& b) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (std::fabs(a[i] - b[i]) > 1e-6f) return false;
        return true;
    };
    // Before the first frame the app has not measured it: heads() does.
    REQUIRE(app_heads_induction_pending(ui.app));
    const std::vector<float> at_once = measured_at_once(*ui.app.model);
    CHECK(near(induction_in_json(), at_once));
    ui.frame();
    REQUIRE_FALSE(app_heads_induction_pending(ui.app));
    CHECK(near(induction_in_json(), at_once));
    // What heads() reports is the app's own measurement (marked here, so a second measurement would show).
    for (float& v : ui.app.heads.induction) v = 0.5f;
    for (float v : induction_in_json()) CHECK(v == 0.5f);
}
