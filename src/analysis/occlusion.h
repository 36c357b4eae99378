// Occlusion: how much the score drops when one token's embedding row is set to zero (the same zero
// baseline integrated gradients uses). occlusion[t] = score - score(e with row t zero).
//
//   for (int t = 0; t < T; ++t) drop[t] = score - score_of(occluded_embeds(e, D, t));
#pragma once
#include <vector>

namespace attn {

// e (T, D) with row `token` zeroed; unchanged when token is outside 0..T-1.
std::vector<float> occluded_embeds(const std::vector<float>& embeds, int D, int token);

}  // namespace attn
