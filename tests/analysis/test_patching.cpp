// Activation patching (analysis/patching.h) on gpt2-tiny, llama-tiny and bert-tiny.
#include <doctest/doctest.h>

#include <cmath>

#include "analysis/patching.h"
#include "decoder_reference.h"

using namespace attn;

namespace {

const std::vector<int32_t> kClean = {3, 17, 42, 8, 25, 11};
const std::vector<int32_t> kCorrupted = {3, 60, 42, 8, 25, 11};   // one token swapped, same length

PatchingResult finished(const Model& model, const std::vector<int32_t>& clean, const std::vector<int32_t>& corrupted,
                        PatchingOptions opt = {}) {
    PatchingJob job(model, clean, corrupted, opt);
    step_job_finish(job);
    REQUIRE_MESSAGE(job.error().empty(), job.error());
    CHECK(job.progress() == 1.0f);
    return job.result();
}

// Random tiny models barely react to some swaps: the one-token swap (positions 0-3) whose logit difference moves
// most, so the recovered fractions are well conditioned.
std::vector<int32_t> corruption_for(const Model& model) {
    std::vector<int32_t> best = kCorrupted;
    float best_gap = -1.0f;
    for (int i = 0; i < 48; ++i) {
        std::vector<int32_t> c = kClean;
        c[i % 4] = 20 + 7 * (i / 4);
        PatchingOptions opt;
        opt.residual = opt.heads = false;
        PatchingJob job(model, kClean, c, opt);
        step_job_finish(job);
        REQUIRE(job.error().empty());
        const float gap = std::fabs(job.result().clean_diff - job.result().corrupted_diff);
        if (gap > best_gap) best_gap = gap, best = c;
    }
    return best;
}

float recovered(const Model& model, const std::vector<int32_t>& corrupted, const std::vector<PatchSite>& sites,
                const PatchingResult& r) {
    Expected<float> d = patched_logit_diff(model, kClean, corrupted, sites, r);
    REQUIRE_MESSAGE(d.ok(), d.error().message);
    return (*d - r.corrupted_diff) / (r.clean_diff - r.corrupted_diff);
}

}  // namespace

TEST_CASE("patching: clean = corrupted changes nothing and recovers zero everywhere") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const PatchingResult r = finished(*model, kClean, kClean);
        CHECK(r.clean_diff == r.corrupted_diff);
        CHECK(r.answer != r.wrong_answer);
        REQUIRE(r.residual.size() == static_cast<size_t>((r.n_layer + 1) * r.n_token));
        REQUIRE(r.heads.size() == static_cast<size_t>(r.n_layer * r.n_head));
        for (float v : r.residual) CHECK(v == 0.0f);
        for (float v : r.heads) CHECK(v == 0.0f);
        for (const PatchSite& s : {PatchSite{PatchSite::Kind::residual, 1, -1, 0}, PatchSite{PatchSite::Kind::head, 0, -1, 2}}) {
            Expected<float> d = patched_logit_diff(*model, kClean, kClean, {s}, r);
            REQUIRE(d.ok());
            CHECK(*d == r.corrupted_diff);   // exactly: the patched logits are the corrupted ones
        }
    }
}

TEST_CASE("patching: the residual stream at every position of a whole state recovers everything") {
    for (std::string name : {"gpt2-tiny", "llama-tiny", "bert-tiny"}) {
        CAPTURE(name);
        ModelPtr model = load_fixture_model(name);
        const std::vector<int32_t> corrupted = corruption_for(*model);
        const PatchingResult r = finished(*model, kClean, corrupted);
        const int L = r.n_layer, T = r.n_token;
        REQUIRE(std::fabs(r.clean_diff - r.corrupted_diff) > 1e-3f);
        auto recovered = [&](const std::vector<PatchSite>& sites) { return ::recovered(*model, corrupted, sites, r); };
        CHECK(r.position == T - 1);
        for (int state : {0, 1, L})   // the embeddings, layer 0's output, the last layer's output
            CHECK(recovered({PatchSite{PatchSite::Kind::residual, state, -1, 0}}) == doctest::Approx(1.0).epsilon(1e-4));
        // The sweep's last state: the scored position alone carries the logits.
        CHECK(r.residual[static_cast<size_t>(L) * T + r.position] == doctest::Approx(1.0).epsilon(1e-4));
        if (model->info().causal)
            for (int t = 0; t < T; ++t)
                if (t != r.position) CHECK(std::fabs(r.residual[static_cast<size_t>(L) * T + t]) < 1e-4f);
        // At the embeddings only the swapped token differs: it alone recovers everything, the others nothing.
        for (int t = 0; t < T; ++t)
            if (corrupted[t] == kClean[t]) CHECK(r.residual[t] == 0.0f);
            else CHECK(r.residual[t] == doctest::Approx(1.0).epsilon(1e-4));
        // Each sweep cell is the single-site patched run.
        for (int i = 0; i < L * r.n_head; i += 3)
            CHECK(r.heads[i] == doctest::Approx(recovered({PatchSite{PatchSite::Kind::head, i / r.n_head, -1, i % r.n_head}})).epsilon(1e-5));
        CHECK(r.residual[T + 1] == doctest::Approx(recovered({PatchSite{PatchSite::Kind::residual, 1, 1, 0}})).epsilon(1e-5));
        // Every head of every layer patched at once with the residual stream entering layer 0 intact
        // still leaves the MLPs on corrupted input: not 100% in general, but finite.
        std::vector<PatchSite> all_heads;
        for (int l = 0; l < L; ++l)
            for (int h = 0; h < r.n_head; ++h) all_heads.push_back({PatchSite::Kind::head, l, -1, h});
        CHECK(std::isfinite(recovered(all_heads)));
    }
}

TEST_CASE("patching: answers, positions and bad inputs") {
    ModelPtr model = load_fixture_model("gpt2-tiny");
    PatchingOptions opt;
    opt.answer = 5;
    opt.wrong_answer = 9;
    opt.position = 2;
    opt.heads = false;
    const PatchingResult r = finished(*model, kClean, kCorrupted, opt);
    CHECK(r.answer == 5);
    CHECK(r.wrong_answer == 9);
    CHECK(r.position == 2);
    CHECK(r.heads.empty());
    CHECK(r.residual.size() == static_cast<size_t>((r.n_layer + 1) * r.n_token));

    PatchingJob shorter(*model, kClean, {3, 17, 42}, PatchingOptions{});
    CHECK(shorter.done());
    CHECK(shorter.error() == "the clean and corrupted inputs must have the same number of tokens: clean has 6, corrupted has 3");

    ModelPtr bart = load_fixture_model("bart-tiny");
    PatchingJob seq(*bart, kClean, kCorrupted, PatchingOptions{});
    CHECK(seq.error().find("encoder-decoder") != std::string::npos);

    PatchingJob cancelled(*model, kClean, kCorrupted, PatchingOptions{});
    cancelled.step();
    cancelled.cancel();
    CHECK(cancelled.done());
    CHECK(cancelled.stage() == "cancelled");
    CHECK(cancelled.error().empty());
}
