// Softmax + partial sort over one logits row. Subtracting the row's max keeps exp() finite for any
// logits the model produces.
#include "ui/predictions.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attn {

std::vector<TokenProb> top_k_softmax(const float* logits, int n_vocab, int k) {
    std::vector<TokenProb> out;
    if (!logits || n_vocab <= 0 || k <= 0) return out;
    float max = *std::max_element(logits, logits + n_vocab);
    double sum = 0.0;
    for (int i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - max);
    std::vector<int> order(n_vocab);
    std::iota(order.begin(), order.end(), 0);
    k = std::min(k, n_vocab);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); });
    for (int i = 0; i < k; ++i) {
        TokenProb p;
        p.id = order[i];
        p.prob = static_cast<float>(std::exp(static_cast<double>(logits[order[i]]) - max) / sum);
        out.push_back(p);
    }
    return out;
}

}  // namespace attn
