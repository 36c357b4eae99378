// Top-k token probabilities from one logits row: what the "Prediction for [MASK]" and "Next token"
// panels show. Pure functions (no ImGui, no model), so they are tested directly.
//
//   std::vector<TokenProb> top = top_k_softmax(trace.logits_at(pos), trace.n_vocab, 5);
//   top[0].prob >= top[1].prob; the sum of all probs <= 1
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct TokenProb {
    int32_t id = -1;
    std::string piece;   // the tokenizer's string for id; filled by the caller that has a tokenizer
    float prob = 0.0f;   // softmax over the whole vocabulary
};

// The k most likely ids of softmax(logits), most likely first; ties go to the lower id (like argmax).
// Empty when logits is null or n_vocab <= 0.
std::vector<TokenProb> top_k_softmax(const float* logits, int n_vocab, int k);

// Predictions for one masked position of an encoder's input.
struct MaskPrediction {
    int position = -1;             // token index in the trace
    std::vector<TokenProb> top;    // most likely first
};

}  // namespace attn
