// Integrated gradients (Sundararajan et al. 2017) from the zero baseline with a right Riemann sum:
//   ig[t] = sum_d e[t,d] * (1/N) sum_{k=1..N} d score / d e (k/N * e)[t,d]
// The model runs elsewhere (the job feeds ig_path_point as token_embeds); these functions hold the path
// and the sum, so they can be tested without a model.
//
//   IntegratedGradients ig(e, T, D, 32);
//   for (int k = 1; k <= 32; ++k) ig.add(k, gradient_at(ig.path_point(k)));
//   std::vector<float> per_token = ig.result();   // (T)
#pragma once
#include <vector>

namespace attn {

class IntegratedGradients {
public:
    IntegratedGradients() = default;
    IntegratedGradients(std::vector<float> embeds, int T, int D, int steps);
    // (T, D) the input of step k = 1..steps: k/steps * e.
    std::vector<float> path_point(int k) const;
    // The gradient d score / d e at path_point(k), (T, D). Steps may come in any order, each once.
    void add(const std::vector<float>& grad);
    int steps() const { return steps_; }
    int steps_added() const { return added_; }
    // (T) per-token attribution; meaningful once every step is added.
    std::vector<float> result() const;

private:
    std::vector<float> embeds_;
    std::vector<double> grad_sum_;
    int T_ = 0, D_ = 0, steps_ = 0, added_ = 0;
};

// Completeness (the axiom IG satisfies in the limit): sum(ig) - (score - baseline_score). Near zero
// when the steps are enough; a large gap says "use more steps".
float ig_completeness_gap(const std::vector<float>& ig, float score, float baseline_score);

}  // namespace attn
