// Log-softmax and the attribution score. The logsumexp is accumulated in double for f32 rows: vocabularies
// of 50k+ entries lose digits in a float sum, and the score's logprob is compared at 1e-5.
#include "core/nn_loss.h"

#include <cmath>
#include <cstddef>

namespace attn {

template <typename Real>
void logsoftmax_forward(Real* logprobs, const Real* logits, int T, int V) {
    for (int t = 0; t < T; ++t) {
        const Real* z = logits + static_cast<size_t>(t) * V;
        Real* lp = logprobs + static_cast<size_t>(t) * V;
        double max_z = z[0];
        for (int i = 1; i < V; ++i) max_z = z[i] > max_z ? z[i] : max_z;
        double sum = 0.0;
        for (int i = 0; i < V; ++i) sum += std::exp(static_cast<double>(z[i]) - max_z);
        const double lse = max_z + std::log(sum);
        for (int i = 0; i < V; ++i) lp[i] = static_cast<Real>(z[i] - lse);
    }
}

template <typename Real>
void logsoftmax_backward(Real* dlogits, const Real* dlogprobs, const Real* logprobs, int T, int V) {
    for (int t = 0; t < T; ++t) {
        const Real* dlp = dlogprobs + static_cast<size_t>(t) * V;
        const Real* lp = logprobs + static_cast<size_t>(t) * V;
        double total = 0.0;
        for (int i = 0; i < V; ++i) total += dlp[i];
        for (int i = 0; i < V; ++i)
            dlogits[static_cast<size_t>(t) * V + i] += dlp[i] - std::exp(lp[i]) * static_cast<Real>(total);
    }
}

template <typename Real>
Real score_forward(const Real* logprobs, int target, int foil) {
    return logprobs[target] - (foil >= 0 ? logprobs[foil] : Real(0));
}

template <typename Real>
void score_backward(Real* dlogits, const Real* logprobs, int V, int target, int foil, Real dscore) {
    if (foil >= 0) {
        dlogits[target] += dscore;
        dlogits[foil] -= dscore;
        return;
    }
    for (int i = 0; i < V; ++i) dlogits[i] -= dscore * std::exp(logprobs[i]);
    dlogits[target] += dscore;
}

#define ATTN_NN_LOSS_INSTANTIATE(Real)                                                       \
    template void logsoftmax_forward<Real>(Real*, const Real*, int, int);                   \
    template void logsoftmax_backward<Real>(Real*, const Real*, const Real*, int, int);     \
    template Real score_forward<Real>(const Real*, int, int);                               \
    template void score_backward<Real>(Real*, const Real*, int, int, int, Real);
ATTN_NN_LOSS_INSTANTIATE(float)
ATTN_NN_LOSS_INSTANTIATE(double)

}  // namespace attn
