// Saliency from one gradient d score / d e (e: the token-embedding rows fed to the model): how much
// each token's embedding moves the score, as a norm and as the first-order change gradient x input.
//
//   std::vector<float> l2 = saliency_l2(g.d_token_embeds, T, D);                   // (T)
//   std::vector<float> gxi = grad_x_input(g.d_token_embeds, g.token_embeds, T, D);  // (T)
#pragma once
#include <vector>

namespace attn {

// (T): ||grad[t, :]||_2.
std::vector<float> saliency_l2(const std::vector<float>& grad, int T, int D);

// (T): sum_d grad[t, d] * embeds[t, d].
std::vector<float> grad_x_input(const std::vector<float>& grad, const std::vector<float>& embeds, int T, int D);

}  // namespace attn
