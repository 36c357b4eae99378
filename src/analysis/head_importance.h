// Head importance two ways: the first-order one, |d score / d gate| where a gate scales a head's context
// vector (Michel et al. 2019), from one backward pass; and the exact one, the score drop when the head is
// ablated (gate 0), one forward pass per head.
//
//   std::vector<float> imp = head_importance(g.d_head_gates);               // (L, H)
//   hooks.head_gates = ablation_gates(L, H, l, h);  drop = score - score_with(hooks);
#pragma once
#include <vector>

namespace attn {

// (L, H) |d score / d gate|.
std::vector<float> head_importance(const std::vector<float>& d_head_gates);

// (L, H) gates all 1 except head h of layer l, which is 0.
std::vector<float> ablation_gates(int n_layer, int n_head, int layer, int head);

}  // namespace attn
