// Filling a Trace from inside an architecture's forward pass: the parts every architecture shares
// (allocating captured tensors, copying residual states, logits at the requested positions).
#pragma once
#include <vector>

#include "core/linear.h"
#include "model/trace.h"

namespace attn {

// Sizes the captured tensors (only those options ask for). causal: whether queries see only the past.
void attention_allocate(AttentionTensor& a, bool capture, int L, int H, int T, int S, bool causal);
void hidden_allocate(HiddenTensor& h, bool capture, int n_state, int T, int D);
// Copies the residual stream (T, D) into state `state`, when hidden states are captured.
void hidden_capture(HiddenTensor& hidden, int state, const std::vector<float>& h);
// Pointer to head (l, h)'s (T, S) probabilities: into the trace when captured, else into scratch.
float* attention_slot(AttentionTensor& a, int layer, int head, std::vector<float>& scratch, int T, int S);

// Logits at options.logit_positions (default: the last; -1 means the last) from the final normed
// states (T, D) and the unembedding (V, D).
void logits_compute(Trace& trace, const std::vector<float>& h_final, int T, int D, const WeightMatrix& unembed,
                    const TraceOptions& options);

}  // namespace attn
