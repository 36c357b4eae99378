// Activation patching (causal tracing): run a clean and a corrupted input of the same length, copy one
// activation from the clean run into the corrupted one, and measure how much of the clean-corrupted
// logit difference comes back. Sites: the residual stream state s at position t, in the Trace's
// hidden-state convention ("embed" for s = 0, else the output of layer s-1, "layer.(s-1).out"; L + 1
// states, so the last one is what the model's head reads and patching it at the scored position alone
// recovers everything), and one head's output ("layer.L.context" columns of the head) at every
// position. Through the ForwardEditor hook (model/hooks.h).
//
//   PatchingOptions opt;                      // metric at the scored position: logit(clean answer) - logit(corrupted answer)
//   PatchingJob job(model, clean_ids, corrupted_ids, opt);
//   step_job_finish(job);
//   const PatchingResult& r = job.result();
//   float recovered = r.residual[s * r.n_token + t];   // 0: as corrupted, 1: as clean
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/step_job.h"
#include "core/error.h"
#include "model/model.h"

namespace attn {

struct PatchingOptions {
    int position = -1;        // scored query position; -1: score_position_default
    int answer = -1;          // clean answer token; -1: the clean run's argmax at `position`
    int wrong_answer = -1;    // corrupted answer; -1: the corrupted run's argmax (if equal to answer: its second best)
    bool residual = true;     // the (L+1, T) residual-stream sweep
    bool heads = true;        // the (L, H) head-output sweep
};

struct PatchingResult {
    int n_layer = 0, n_head = 0, n_token = 0;
    int position = 0, answer = 0, wrong_answer = 0;
    int clean_top = 0, corrupted_top = 0;             // each run's own most likely token at `position`
    float clean_diff = 0.0f, corrupted_diff = 0.0f;   // logit(answer) - logit(wrong_answer) in each run
    std::vector<float> residual;   // (L+1, T) recovered fraction (patched - corrupted) / (clean - corrupted);
                                   // 0 everywhere when clean and corrupted differences are equal
    std::vector<float> heads;      // (L, H) the same for one head's output at every position
};

// One patched run: the metric logit(answer) - logit(wrong_answer) at `position` of the corrupted input
// with every listed site taken from the clean run. Site names as above; positions -1: every position.
struct PatchSite {
    enum class Kind { residual, head } kind = Kind::residual;
    int layer = 0;       // residual: the state 0 .. L (0: embeddings); head: the layer
    int position = -1;   // residual: the position (-1: all); head: unused (all positions)
    int head = 0;        // head: which
};
Expected<float> patched_logit_diff(const Model& model, const std::vector<int32_t>& clean_ids,
                                   const std::vector<int32_t>& corrupted_ids, const std::vector<PatchSite>& sites,
                                   const PatchingResult& setup);

// Clean and corrupted must have the same length (the message says both lengths). Decoder-only and
// encoder models; encoder-decoders are refused with a message.
class PatchingJob : public StepJob {
public:
    PatchingJob(const Model& model, std::vector<int32_t> clean_ids, std::vector<int32_t> corrupted_ids,
                PatchingOptions options);
    ~PatchingJob() override;
    bool step() override;
    bool done() const override;
    float progress() const override;
    const std::string& stage() const override;
    void cancel() override;
    const std::string& error() const override;
    const PatchingResult& result() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace attn
