// The most active MLP neurons of one token: one forward pass with the observer reading that layer's
// hidden activations ("layer.L.mlp_act", after the nonlinearity; gated MLPs: act(gate) * up).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis/attribution.h"
#include "analysis/observed.h"

namespace attn {

Expected<std::vector<Neuron>> top_neurons(const Model& model, const std::vector<int32_t>& ids, int layer, int token,
                                          int k) {
    const ModelInfo& info = model.info();
    if (layer < 0 || layer >= info.n_layer)
        return make_error("top neurons: layer " + std::to_string(layer) + " is outside the model's " +
                          std::to_string(info.n_layer) + " layers");
    if (token < 0 || token >= static_cast<int>(ids.size()))
        return make_error("top neurons: token " + std::to_string(token) + " is outside the input's " +
                          std::to_string(ids.size()) + " tokens");
    const std::string name = "layer." + std::to_string(layer) + ".mlp_act";
    ObservedTensors seen({name});
    TraceOptions options;
    options.capture_attentions = false;
    options.capture_hidden_states = false;
    options.hooks.observer = seen.observer();
    Expected<Trace> trace = model_trace(model, ids, options);
    if (!trace) return trace.error();
    const ObservedTensor* act = seen.find(name);
    if (!act || act->rows != static_cast<int>(ids.size()))
        return make_error("top neurons: " + info.architecture + "'s forward pass does not report MLP activations");
    const float* row = act->data.data() + static_cast<size_t>(token) * act->cols;
    std::vector<int> order(static_cast<size_t>(act->cols));
    std::iota(order.begin(), order.end(), 0);
    const int kk = std::clamp(k, 0, act->cols);
    std::partial_sort(order.begin(), order.begin() + kk, order.end(), [row](int a, int b) {
        const float fa = std::fabs(row[a]), fb = std::fabs(row[b]);
        return fa > fb || (fa == fb && a < b);
    });
    std::vector<Neuron> out;
    for (int i = 0; i < kk; ++i) out.push_back({order[i], row[order[i]]});
    return out;
}

}  // namespace attn
