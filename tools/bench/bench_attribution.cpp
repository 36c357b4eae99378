// The attribution job's cost on the bundled 2-layer models at T = 64: one forward, one forward+backward
// (the issue: backward at most 3x forward) and integrated gradients with 32 steps (the issue: under 1 s in
// WebAssembly), plus the whole CLI job and its longest single step (the app runs at least one step a frame,
// so that is what a frame can block for; the issue: one frame, 16 ms). Run from the repository root (it
// reads tests/fixtures). Not a test.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "platform/file_io.h"
#include "bench_timer.h"

using namespace attn;

// Runs the stages up to and including `last` and returns when the next stage starts.
static void run_until_after(AttributionJob& job, const std::string& last) {
    bool in_last = false;
    while (!job.done()) {
        const bool here = job.stage().rfind(last, 0) == 0;
        if (in_last && !here) return;
        in_last = in_last || here;
        job.step();
    }
}

int main() {
    const int T = 64;
    std::printf("attribution job at T=%d, ms (median)\n", T);
    std::printf("%-20s %9s %9s %7s %12s %14s %13s\n", "model", "forward", "fwd+bwd", "ratio", "IG 32 steps",
                "whole job (K=8)", "longest step");
    for (const char* name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        const std::string folder = std::string("tests/fixtures/") + name;
        auto files = folder_read(folder);
        if (!files) {
            std::fprintf(stderr, "bench_attribution: %s (run from the repository root)\n", files.error().message.c_str());
            return 1;
        }
        auto model = model_load(*files);
        if (!model) {
            std::fprintf(stderr, "bench_attribution: %s\n", model.error().message.c_str());
            return 1;
        }
        const Model& m = **model;
        std::vector<int32_t> ids;
        const std::vector<int32_t> text = m.tokenizer.encode("The animal didn't cross the street because it was too tired, so it rested.", false).ids;
        while (static_cast<int>(ids.size()) < T) ids.push_back(text[ids.size() % text.size()]);
        GradRequest fwd;
        fwd.backward = false;
        fwd.capture_attentions = false;
        GradRequest both;
        both.capture_attentions = false;
        const double f = median_ms([&] { (void)model_gradients(m, ids, fwd); }, 9);
        const double b = median_ms([&] { (void)model_gradients(m, ids, both); }, 9);
        AttributionOptions options;
        options.ig_steps = 32;
        // Integrated gradients alone: the stages before it run untimed; the first round warms up.
        std::vector<double> ig_ms;
        for (int r = 0; r < 4; ++r) {
            AttributionJob job(m, ids, options);
            run_until_after(job, "baseline");
            auto start = std::chrono::steady_clock::now();
            run_until_after(job, "integrated gradients");
            const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            if (!job.error().empty()) std::fprintf(stderr, "bench_attribution: %s\n", job.error().c_str());
            if (r > 0) ig_ms.push_back(ms);
        }
        std::sort(ig_ms.begin(), ig_ms.end());
        double longest_step = 0.0;
        std::string longest_stage;
        const double whole = median_ms(
            [&] {
                AttributionJob job(m, ids, options);
                for (bool done = false; !done;) {
                    const std::string stage = job.stage();
                    const auto start = std::chrono::steady_clock::now();
                    done = job.step();
                    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                    if (ms > longest_step) {
                        longest_step = ms;
                        longest_stage = stage;
                    }
                }
            },
            1);
        std::printf("%-20s %9.2f %9.2f %6.2fx %12.1f %14.1f %13.2f  (%s)\n", name, f, b, b / f, ig_ms[1], whole,
                    longest_step, longest_stage.c_str());
    }
    return 0;
}
