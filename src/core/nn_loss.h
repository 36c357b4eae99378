// Log-softmax over the vocabulary and the score an attribution explains, as forward/backward pairs:
// score = logprob(target), or logprob(target) - logprob(foil) for "why A and not B". Templates on the
// float type (float and double instantiated). Backwards ADD into gradients.
//
//   logsoftmax_forward(logprobs, logits, 1, V);
//   Real s = score_forward(logprobs, target, /*foil=*/-1);
//   score_backward(dlogits, logprobs, V, target, -1, /*dscore=*/1);    // d score / d logits
#pragma once

namespace attn {

// logprobs (T, V) = logits - logsumexp(logits), per row (max subtracted first). May alias logits.
template <typename Real>
void logsoftmax_forward(Real* logprobs, const Real* logits, int T, int V);
// dlogits (T, V) += dlogprobs - softmax * sum(dlogprobs), per row, from the saved logprobs.
template <typename Real>
void logsoftmax_backward(Real* dlogits, const Real* dlogprobs, const Real* logprobs, int T, int V);

// One row's score: logprobs[target], minus logprobs[foil] when foil >= 0.
template <typename Real>
Real score_forward(const Real* logprobs, int target, int foil);
// dlogits (V) += dscore * d score / d logits: onehot(target) - softmax, or onehot(target) - onehot(foil)
// with a foil (the softmax terms cancel).
template <typename Real>
void score_backward(Real* dlogits, const Real* logprobs, int V, int target, int foil, Real dscore);

}  // namespace attn
