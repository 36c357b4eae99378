// Looking through a model's weights for NaN and infinities before anything is computed from them. A
// downloaded checkpoint can hold them (a diverged fine-tune, a bad conversion); the model still loads
// (what it computes is what the user asked to see), but the user is told at once which tensor is bad,
// and every cell computed from it is drawn in the colormap's "bad" colour (ui/colormap.h).
//
//   NonFiniteWeights bad = weights_nonfinite(store);
//   if (bad.count) warn(nonfinite_weights_message(bad, store.source()));
#pragma once
#include <cstdint>
#include <string>

#include "model/weight_store.h"

namespace attn {

struct NonFiniteWeights {
    int64_t count = 0;          // NaN or ±Inf values, all float tensors together
    int64_t tensors = 0;        // tensors holding at least one
    std::string first_tensor;   // the first such tensor in name order, "" when none
    int64_t first_index = -1;   // flat index of its first bad value
};

// Scans every F32, F16 and BF16 tensor (bit tests, no conversion; memory-bandwidth bound).
NonFiniteWeights weights_nonfinite(const WeightStore& weights);

// "model.safetensors: 3 weights in 1 tensor are NaN or infinite (first: 'wte.weight' at element 5);
// what is computed from them is drawn in the bad-value colour".
std::string nonfinite_weights_message(const NonFiniteWeights& bad, const std::string& file);

}  // namespace attn
