// Per-head statistics of attention rows: how spread out a head is (entropy) and how far it looks
// (mean distance). Pure functions of an AttentionTensor, in the reference's (L, H, T) layout.
//
//   std::vector<float> e = attention_entropy(trace.attentions);        // (L, H, T) nats
//   std::vector<float> d = attention_mean_distance(trace.attentions);  // (L, H, T) tokens
//   float e_lht = e[(l * H + h) * T + t];
#pragma once
#include <vector>

#include "model/trace.h"

namespace attn {

// -sum_s A[t,s] log A[t,s] in nats (A clipped at 1e-30 inside the log, so masked zeros add 0).
// 0 for a head that looks at one token only, log(S) for a uniform one.
std::vector<float> attention_entropy(const AttentionTensor& attention);

// sum_s A[t,s] |t - s|: the expected distance in tokens. Self attention only (query and key positions
// must index the same sequence); empty for cross attention.
std::vector<float> attention_mean_distance(const AttentionTensor& attention);

}  // namespace attn
