// Norms of the residual stream and of what each sublayer writes into it, per token and layer, from the
// intermediates the observer reports ("embed", "layer.L.attn_out", "layer.L.mlp_out", "layer.L.out").
// hidden_norm uses the raw stream (before any final norm), so the last state is comparable with the rest.
//
//   ObservedTensors seen(activation_names(L));
//   ... run a forward pass with seen.observer() ...
//   ActivationSummary s = activation_summary(seen, L, T);
#pragma once
#include <set>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "analysis/observed.h"

namespace attn {

// (rows): the L2 norm of each row.
std::vector<float> row_norms(const float* data, int rows, int cols);

// The observer names activation_summary reads for an L-layer stack.
std::set<std::string> activation_names(int n_layer);

// Missing intermediates leave their rows zero (hidden_norm, attn_norm, mlp_norm keep their shapes).
ActivationSummary activation_summary(const ObservedTensors& seen, int n_layer, int n_token);

}  // namespace attn
