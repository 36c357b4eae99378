// Filling a Trace from inside an architecture's forward pass: the parts every architecture shares
// (allocating captured tensors, copying residual states, logits at the requested positions).
#pragma once
#include <vector>

#include "core/linear.h"
#include "model/trace.h"

namespace attn {

// Sizes the captured tensors (only those options ask for). causal: whether queries see only the past.
void attention_allocate(AttentionTensor& a, bool capture, int L, int H, int T, int S, bool causal);
// attention_allocate without the zeros: the shape set, room for every layer reserved, probs empty. A
// stack adds each layer's zeros as its step reaches it (attention_grow_to, through StackCapture), so a
// stepped trace does not zero, and fault in, 600 MB in its first step (12 x 12 heads at T = 1024: one
// frame of 0.3-1.5 s here).
void attention_reserve(AttentionTensor& a, int L, int H, int T, int S, bool causal);
// probs grows to hold layers 0..layer (heads 0..head_end-1 of the last; -1: all), zeros in the new
// ones; nothing when it already does. A stack cut into parts grows it a group of heads at a time.
void attention_grow_to(AttentionTensor& a, int layer, int head_end = -1);
void hidden_allocate(HiddenTensor& h, bool capture, int n_state, int T, int D);
// Copies the residual stream (T, D) into state `state`, when hidden states are captured.
void hidden_capture(HiddenTensor& hidden, int state, const std::vector<float>& h);
// Pointer to head (l, h)'s (T, S) probabilities: into the trace when captured, else into scratch.
float* attention_slot(AttentionTensor& a, int layer, int head, std::vector<float>& scratch, int T, int S);

// The start of the logits: trace's logit positions (options.logit_positions; default the last, -1 means
// the last), n_vocab = V and zero logits (P, V); returns those positions' rows of h (T, D), side by side
// (P, D), for the unembedding to read.
std::vector<float> logits_begin(Trace& trace, const float* h, int T, int D, int V, const TraceOptions& options);
// Logits at options.logit_positions (as logits_begin) from the final normed states (T, D) and the
// unembedding (V, D).
void logits_compute(Trace& trace, const std::vector<float>& h_final, int T, int D, const WeightMatrix& unembed,
                    const TraceOptions& options);

}  // namespace attn
