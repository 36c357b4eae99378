#include "analysis/head_importance.h"

#include <cmath>
#include <cstddef>

#include "model/hooks.h"

namespace attn {

std::vector<float> head_importance(const std::vector<float>& d_head_gates) {
    std::vector<float> out(d_head_gates.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = std::fabs(d_head_gates[i]);
    return out;
}

std::vector<float> ablation_gates(int n_layer, int n_head, int layer, int head) {
    std::vector<float> gates = head_gates_ones(n_layer, n_head);
    const size_t i = static_cast<size_t>(layer) * n_head + head;
    if (layer >= 0 && head >= 0 && head < n_head && i < gates.size()) gates[i] = 0.0f;
    return gates;
}

}  // namespace attn
