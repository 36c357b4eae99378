// The logit lens (nostalgebraist 2020): apply the model's final norm and unembedding to an intermediate
// residual-stream state and read what it would predict. The model runs elsewhere
// (model_lens_logits); these functions turn one state's logits into the LogitLens fields.
//
//   Expected<std::vector<float>> z = model_lens_logits(model, trace.hidden_states.row(l, 0), T);
//   lens_state_fill(z->data(), T, V, k, &lens.argmax[l * T], &lens.topk_ids[l * T * k], &lens.topk_probs[l * T * k]);
//   TokenRank r = lens_token_rank(z->data() + position * V, V, target);
#pragma once
#include <cstdint>

namespace attn {

// logits (T, V) -> argmax (T) (first index on ties, as torch.argmax), top_k ids and softmax
// probabilities (T, k), highest first (ties: lower id first). argmax may be null.
void lens_state_fill(const float* logits, int T, int V, int k, int32_t* argmax, int32_t* topk_ids, float* topk_probs);

struct TokenRank {
    int rank = 0;       // 0 = the top prediction; tokens with an equal logit and a lower id count as above
    float prob = 0.0f;  // softmax probability
};
TokenRank lens_token_rank(const float* logits_row, int V, int token);

}  // namespace attn
