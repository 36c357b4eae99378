// Interventions on one forward pass, as a student asks for them: ablate a head (its output zeroed, or
// replaced by its mean over positions), knock out the attention from one token to another, mask a token
// (no other token may attend to it, in any layer). They become ForwardHooks (model/hooks.h), so the
// same edit reaches the trace, the predictions and, where the gradient pass supports it, the attributions.
//
//   Interventions iv;
//   iv.heads.push_back({/*layer=*/1, /*head=*/3, AblationMode::zero});
//   iv.knockouts.push_back({/*layer=*/-1, /*query=*/7, /*key=*/2});
//   iv.masked_tokens.push_back(2);
//   TraceOptions opt;  opt.hooks = intervention_hooks(iv, info.n_layer, info.n_head);
//   Expected<Trace> after = model_trace(model, ids, opt);
//   InterventionEffect fx = intervention_effect(before, *after, model, /*position=*/-1, /*k=*/5);
#pragma once
#include <string>
#include <vector>

#include "core/error.h"
#include "model/hooks.h"
#include "model/model.h"

namespace attn {

enum class AblationMode { zero, mean };

struct HeadAblation {
    int layer = 0, head = 0;
    AblationMode mode = AblationMode::zero;
};

struct Interventions {
    std::vector<HeadAblation> heads;
    std::vector<EdgeKnockout> knockouts;   // layer -1: every layer
    std::vector<int> masked_tokens;        // positions no other position may attend to (every layer)
    bool empty() const { return heads.empty() && knockouts.empty() && masked_tokens.empty(); }
    // "ablate L1 H3 (mean); 7 -/-> 2; mask 2": what the status bar and the CLI echo.
    std::string describe() const;
};

// The hooks that apply `iv` to a model with n_layer x n_head self-attention heads: zero ablation as
// head gates, mean ablation as an editor of "layer.L.context", knockouts and masks as edge knockouts
// (for the `n_token` tokens of the input). Zero ablation and knockouts also reach the gradient pass;
// mean ablation does not (hooks.h: an edited forward has no backward).
ForwardHooks intervention_hooks(const Interventions& iv, int n_layer, int n_head, int n_token);
bool interventions_have_backward(const Interventions& iv);   // false when a mean ablation is in

struct TokenChange {
    int32_t id = 0;
    std::string piece;
    float before = 0.0f, after = 0.0f;   // probabilities
};

// What an intervention changed at one query position: the top tokens before and after (union of both
// top-k, ordered by the larger probability), and how far the attention moved.
struct InterventionEffect {
    int position = 0;
    std::vector<TokenChange> tokens;
    int32_t argmax_before = -1, argmax_after = -1;
    float max_attention_change = 0.0f;         // max |A_after - A_before| over every head and cell
    std::vector<float> attention_change;       // (L, H) max |dA| per head
};
// position -1: the model's default scored position (score_position_default).
InterventionEffect intervention_effect(const Trace& before, const Trace& after, const Model& model, int position,
                                       int k);

}  // namespace attn
