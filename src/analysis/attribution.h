// Why did the model predict that? Every attribution the seeds name, for one scored prediction, computed
// by a stepped job so the app can draw between steps and the CLI / page run it to the end.
//
//   AttributionOptions opt;   opt.ig_steps = 32;   opt.score.foil = street_id;
//   AttributionJob job(model, ids, opt);
//   while (!job.done()) job.step();           // the app: a few steps per frame, with job.progress()
//   if (!job.error().empty()) status(job.error());
//   const Attribution& a = job.result();      // a.integrated_gradients[t], a.head_importance[l * H + h] ...
//
// Layouts and names follow reference.safetensors (see the definitions in tests/fixtures/*/reference.json).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/gradients.h"
#include "model/model.h"

namespace attn {

struct AttributionOptions {
    ScoreSpec score;                 // position / target / foil; -1 = defaults
    int ig_steps = 32;               // integrated gradients: right Riemann sum, zero baseline
    int permutation_samples = 8;     // permutation importance: random vocabulary tokens per position
    uint64_t permutation_seed = 1;
    int lens_top_k = 5;
    int flow_max_tokens = 64;        // attention flow only up to this many tokens (it is O(T^4))
    bool head_ablation = true;       // exact drop per ablated head: L*H forward passes
    // Interventions every pass of the job runs with (analysis/interventions.h): head gates and edge
    // knockouts. The editor (mean ablation) is dropped: the gradient pass cannot run an edited forward,
    // so the whole job stays one model (the panels say so). The observer is not used.
    ForwardHooks hooks;
};

// One scored prediction explained. Empty vectors: not computed (cancelled, or not applicable).
struct Attribution {
    int n_token = 0, n_embd = 0, n_layer = 0, n_head = 0;
    int position = 0, target = 0, foil = -1;
    float score = 0.0f;                        // what the gradients explain
    float target_logprob = 0.0f, foil_logprob = 0.0f;
    float baseline_logprob = 0.0f;             // the score with every token embedding zero
    bool has_baseline = false;                 // baseline_logprob was computed
    float ig_completeness_gap = 0.0f;          // sum(integrated_gradients) - (score - baseline score)
    std::vector<float> saliency_grad;          // (T, D) d score / d token embedding
    std::vector<float> saliency_l2;            // (T)
    std::vector<float> grad_x_input;           // (T)
    std::vector<float> integrated_gradients;   // (T)
    std::vector<float> occlusion_zero;         // (T) score - score with token i's embedding zero
    std::vector<float> permutation;            // (T) mean score drop when token i is a random token
    std::vector<float> attn_x_grad;            // (T) Chefer et al. 2021, row of the scored position
    std::vector<float> head_importance;        // (L, H) |d score / d head gate|
    std::vector<float> head_ablation;          // (L, H) score - score with that head's gate 0
    std::vector<float> rollout;                // (T, T)
    std::vector<float> attention_flow;         // (T, T) when T <= flow_max_tokens
    std::vector<float> entropy;                // (L, H, T)
    std::vector<float> mean_distance;          // (L, H, T)
};

// The logit lens: what each residual-stream state would predict if the model stopped there.
struct LogitLens {
    int n_state = 0, n_token = 0, top_k = 0;   // n_state = L + 1: h_0 .. h_{L-1}, then the model's logits
    std::vector<int32_t> argmax;               // (L+1, T) logit_lens_argmax
    std::vector<int32_t> topk_ids;             // (L+1, T, k)
    std::vector<float> topk_probs;             // (L+1, T, k)
    std::vector<int32_t> mid_topk_ids;         // (L, T, k) after attention, before the MLP
    std::vector<float> mid_topk_probs;         // (L, T, k)
    std::vector<int32_t> target_rank;          // (L+1) rank (0 = top) of the explained token at the scored position
    std::vector<float> target_prob;            // (L+1)
};

// How the residual stream grows: norms per token and layer and what attention and the MLP add.
struct ActivationSummary {
    int n_layer = 0, n_token = 0;
    std::vector<float> hidden_norm;            // (L+1, T) ||h_l[t]||
    std::vector<float> attn_norm;              // (L, T) ||attention sublayer output||
    std::vector<float> mlp_norm;               // (L, T) ||MLP output||
};

struct Neuron {
    int index = 0;
    float value = 0.0f;                        // the activation (after the nonlinearity, gated MLPs: times up)
};

class AttributionJob {
public:
    // model must outlive the job. ids: the model's input (already truncated to its context).
    AttributionJob(const Model& model, std::vector<int32_t> ids, AttributionOptions options);
    ~AttributionJob();
    bool step();                                // one unit of work (about one forward pass); true when done
    bool done() const;
    float progress() const;                     // 0..1
    const std::string& stage() const;           // what runs now: "integrated gradients 12/32"
    void cancel();                              // stops at the next step; what is finished stays
    const std::string& error() const;           // non-empty: failed (the message names the problem)
    const Attribution& result() const;
    const LogitLens& lens() const;
    const ActivationSummary& activations() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The k most active MLP neurons of one token in one layer (|value| ordered).
Expected<std::vector<Neuron>> top_neurons(const Model& model, const std::vector<int32_t>& ids, int layer, int token,
                                          int k);

// Attention x ||value vector|| per head, rows renormalised to 1 (a sink column carries little value).
// value_norms (L, H, S): ||v|| of key s as head h reads it (GQA: its kv head), from the observer's
// "layer.L.values" rows. Same layout as attention.probs.
std::vector<float> value_weighted_attention(const AttentionTensor& attention, const std::vector<float>& value_norms);

}  // namespace attn
