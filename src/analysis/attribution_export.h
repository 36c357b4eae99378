// An explained prediction as named tensors: the one table of names, dtypes and shapes that
// `attnscope-cli analyze`, the page's analyze() and the README share. The reference's names
// (target, saliency_grad, ..., logit_lens_argmax) keep its dtypes and shapes exactly; the rest are ours.
// Tensors a cancelled or not-applicable stage did not compute are left out.
//
//   AttributionArrays arrays;
//   attribution_arrays(ids, job.result(), job.lens(), job.activations(), &arrays);
//   Expected<Bytes> st = attribution_to_safetensors(arrays, {{"producer", "attnscope"}});
//   Expected<Bytes> npz = attribution_to_npz(arrays);       // np.load(f)["integrated_gradients"]
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "model/trace_export.h"

namespace attn {

struct AttributionArrays {
    std::vector<NamedArray> arrays;
    std::deque<std::vector<int64_t>> ints;    // storage for the I64 arrays (ids are int32 in memory)
    std::deque<std::vector<float>> floats;    // storage for scalars stored as (1) tensors
    AttributionArrays() = default;
    AttributionArrays(const AttributionArrays&) = delete;   // arrays point into this object and the results
    AttributionArrays& operator=(const AttributionArrays&) = delete;
    const NamedArray* find(const std::string& name) const;
};

// The results must outlive `out` (float tensors are referenced, not copied).
void attribution_arrays(const std::vector<int32_t>& ids, const Attribution& a, const LogitLens& lens,
                        const ActivationSummary& activations, AttributionArrays* out);

Expected<Bytes> attribution_to_safetensors(const AttributionArrays& arrays,
                                           const std::map<std::string, std::string>& metadata);
Expected<Bytes> attribution_to_npz(const AttributionArrays& arrays);

}  // namespace attn
