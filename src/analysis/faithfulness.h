// How faithful is an attribution? The feature-selection test (ERASER, DeYoung et al. 2020): keep only the
// top-k attributed tokens (sufficiency) or remove them (comprehensiveness) and re-run the model.
//   sufficiency(k)       = p(target | full) - p(target | only the top-k)     lower is better
//   comprehensiveness(k) = p(target | full) - p(target | without the top-k)  higher is better
// A removed token is deleted from the input; the scored position's token, and special tokens, always stay
// (faithfulness.cpp says why). One forward pass per (method, k, test).
//
//   FaithfulnessJob job(model, ids, attribution, FaithfulnessOptions{});
//   step_job_finish(job);
//   for (const FaithfulnessRow& r : job.result().rows) ...
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "analysis/step_job.h"
#include "model/hooks.h"

namespace attn {

struct FaithfulnessOptions {
    std::vector<int> ks = {1, 2, 3};
};

struct FaithfulnessRow {
    std::string method;     // kAttributionMethods' key: "integrated_gradients", ...
    int k = 0;
    float sufficiency = 0.0f, comprehensiveness = 0.0f;
};

struct Faithfulness {
    float full_prob = 0.0f;
    std::vector<FaithfulnessRow> rows;
    std::string best_method;   // the largest mean (comprehensiveness - sufficiency) over k
};

// softmax(logits)[target] of one row of V logits, computed stably in double.
float softmax_probability(const float* logits, int V, int target);
// p(target) at `position` after one forward pass of ids (with hooks: gates, knockouts); throws attn::Error.
// The explanation's ablation number uses it too.
float target_probability(const Model& model, const std::vector<int32_t>& ids, int position, int target,
                         const ForwardHooks& hooks = {});
// The removable positions, best score first (ties: the earlier position): what "top-k" means.
std::vector<int> faithfulness_ranking(const std::vector<float>& scores, const std::vector<uint8_t>& removable);
// mean over k of (comprehensiveness - sufficiency) for one method; 0 when it has no rows.
float faithfulness_mean_gap(const Faithfulness& f, const std::string& method);
std::string faithfulness_best_method(const Faithfulness& f);   // "" without rows

class FaithfulnessJob : public StepJob {
public:
    FaithfulnessJob(const Model& model, std::vector<int32_t> ids, const Attribution& attribution,
                    FaithfulnessOptions options);
    ~FaithfulnessJob() override;
    bool step() override;
    bool done() const override;
    float progress() const override;
    const std::string& stage() const override;
    void cancel() override;
    const std::string& error() const override;
    const Faithfulness& result() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace attn
