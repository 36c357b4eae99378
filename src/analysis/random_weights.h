// Is a model's output meaningless? Randomly initialised weights (the test fixtures) predict an almost
// uniform distribution over the vocabulary, and their attention patterns mean nothing. The rule: the
// softmax of the logits at a probe position has an entropy of at least 0.9 ln V (a trained model,
// even a small one, is far below that on ordinary text). Pure functions of a logits row.
//
//   bool random = logits_look_random(trace.logits_at(last), trace.n_vocab);
#pragma once

namespace attn {

constexpr double kRandomEntropyFraction = 0.9;   // of ln V, the entropy of the uniform distribution

// Entropy of softmax(logits) in nats (computed stably in double); 0 for n_vocab <= 1 or no logits.
double logits_entropy(const float* logits, int n_vocab);

// True when the entropy is >= kRandomEntropyFraction * ln(n_vocab). False without logits.
bool logits_look_random(const float* logits, int n_vocab);

}  // namespace attn
