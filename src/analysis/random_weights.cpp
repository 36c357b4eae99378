#include "analysis/random_weights.h"

#include <algorithm>
#include <cmath>

namespace attn {

double logits_entropy(const float* logits, int n) {
    if (!logits || n <= 1) return 0.0;
    const double top = *std::max_element(logits, logits + n);
    double z = 0.0, weighted = 0.0;   // z = sum e^(x - top); entropy = log z - sum p (x - top)
    for (int i = 0; i < n; ++i) {
        const double d = logits[i] - top, e = std::exp(d);
        z += e;
        weighted += e * d;
    }
    return std::log(z) - weighted / z;
}

bool logits_look_random(const float* logits, int n) {
    if (!logits || n <= 1) return false;
    return logits_entropy(logits, n) >= kRandomEntropyFraction * std::log(static_cast<double>(n));
}

}  // namespace attn
