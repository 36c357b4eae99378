// Attention x gradient, Chefer et al. 2021 ("Generic attention-model explainability", the rule for
// self attention): relevance starts as the identity and every layer adds its positive gradient-weighted
// attention, averaged over heads:
//   R = I;  for l = 1..L:  R += mean_h(max(dA_l * A_l, 0)) @ R
// and the scored position's row of R says how much each input token matters for it.
//
//   std::vector<float> r = attention_x_gradient(g.attentions, g.d_attentions, g.position);   // (T)
#pragma once
#include <vector>

#include "model/trace.h"

namespace attn {

// attention: (L, H, T, T) probabilities; d_attention: d score / d probabilities, same layout.
// Row `row` of R, (T); empty when the shapes disagree or row is out of range.
std::vector<float> attention_x_gradient(const AttentionTensor& attention, const std::vector<float>& d_attention, int row);

}  // namespace attn
