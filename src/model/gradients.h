// Gradients of one prediction's score through the whole model: the differentiable pass every attribution
// method, head importance and (later) the trainer use. The forward runs the same description of the
// architecture as model_trace (embeddings, the shared block layer, final norm and head), records its
// activations once, and the backward walks that record in reverse.
//
//   GradRequest req;                       // score: the last position's argmax (decoders)
//   req.score.foil = id_of_street;         // "why 'animal' and not 'street'": logprob(A) - logprob(B)
//   Expected<GradResult> g = model_gradients(model, ids, req);
//   float s = g->score;                    // what was differentiated
//   const float* ds_de = g->d_token_embeds.data();   // (T, D) saliency
//
// Integrated gradients and occlusion feed their own token embeddings (req.token_embeds); occlusion,
// permutation and head ablation need only the score (req.backward = false).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/hooks.h"
#include "model/model.h"
#include "model/trace.h"

namespace attn {

struct ScoreSpec {
    int position = -1;   // the scored query position; -1: score_position_default
    int target = -1;     // the explained token; -1: the argmax of the logits at `position`
    int foil = -1;       // >= 0: score = logprob(target) - logprob(foil) (contrastive)
};

struct GradRequest {
    ScoreSpec score;
    // (T, D) the token-embedding rows e fed instead of the looked-up ones, like transformers'
    // inputs_embeds: position/type embeddings, any embedding scale and norm still apply inside. Empty:
    // looked up from ids.
    std::vector<float> token_embeds;
    // Head gates (their gradient is d_head_gates) and knockouts as in model_trace; the observer is shown
    // "embed" and every "layer.L.*" name of hooks.h, not "final_norm" (the head runs on the scored row only).
    ForwardHooks hooks;
    bool backward = true;             // false: forward and score only
    bool want_param_grads = false;    // every parameter's gradient, in f32 (16-bit weights stay 16-bit)
    bool capture_attentions = true;   // fill `attentions` (attention x gradient needs them)
};

struct ParamGrad {
    std::string name;                 // the checkpoint's tensor name ("h.0.attn.c_attn.weight")
    std::vector<int64_t> shape;       // as stored in the checkpoint
    std::vector<float> grad;          // d score / d parameter, in the checkpoint's layout
};

struct GradResult {
    int position = 0, target = 0, foil = -1;
    float score = 0.0f;               // target_logprob, minus foil_logprob with a foil
    double score_f64 = 0.0;           // the same in the precision the pass ran in (body_gradients_f64: double)
    float target_logprob = 0.0f;
    float foil_logprob = 0.0f;        // 0 without a foil
    std::vector<float> logprobs;      // (V) log-softmax at `position`
    std::vector<float> token_embeds;  // (T, D) the e that was fed
    std::vector<float> d_token_embeds;   // (T, D) d score / d e; empty when !backward
    AttentionTensor attentions;          // (L, H, T, T) when capture_attentions
    std::vector<float> d_attentions;     // (L, H, T, T) d score / d attention probabilities
    std::vector<float> d_head_gates;     // (L, H) d score / d gate, at the gates used (1 unless hooked)
    std::vector<ParamGrad> param_grads;  // when want_param_grads
};

// Decoder-only and encoder models (GPT-2, Llama/Mistral/Qwen2, BERT, RoBERTa, DistilBERT). Encoder-decoder
// models, ids out of range and positions/targets out of range get an Error naming the problem.
Expected<GradResult> model_gradients(const Model& model, const std::vector<int32_t>& ids, const GradRequest& request);

struct Body;   // model/body.h
// The same pass on a Body built in code (whole-model tests, training); the default position is the last.
Expected<GradResult> body_gradients(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request);
// The same pass in double precision, weights widened (results narrowed to f32, score_f64 kept): the
// whole-model finite-difference tests.
Expected<GradResult> body_gradients_f64(const Body& body, const std::vector<int32_t>& ids, const GradRequest& request);

// Training (src/train): the summed cross-entropy of the labelled positions of one sequence. labels (T):
// the token expected at each position, -1 where nothing is scored. With grads, the gradient of
// scale * loss of every parameter is ADDED into it (one accumulator over a batch; keyed like
// ParamGradients::of); without, forward only (evaluation). Decoder-only and encoder Bodies.
struct LossResult {
    double loss = 0.0;                 // sum over labelled positions of -log p(label)
    int n_labelled = 0, n_correct = 0; // correct: the argmax is the label
    std::vector<int32_t> predicted;    // (T) the argmax at labelled positions, -1 elsewhere
};
template <typename Real>
class ParamGradients;   // model/grad_params.h
Expected<LossResult> body_loss_gradients(const Body& body, const std::vector<int32_t>& ids,
                                         const std::vector<int32_t>& labels, float scale, ParamGradients<float>* grads);

// The position explained when none is given: decoders the last one; encoders the first mask token
// (the tokenizer's [MASK] / <mask>), else the last.
int score_position_default(const Model& model, const std::vector<int32_t>& ids);

// The logit lens: the model's own final norm and head applied to any residual-stream rows.
// hidden (T, D) -> (T, V) logits. Encoder-decoder models get an Error.
Expected<std::vector<float>> model_lens_logits(const Model& model, const float* hidden, int T);

}  // namespace attn
