#include "model/weight_scan.h"

#include <cstring>

namespace attn {

namespace {

// Counts elements whose exponent bits are all ones (NaN or ±Inf) in `n` little-endian values of
// `Bits` (uint32_t for F32, uint16_t for F16/BF16); `exponent` is the format's exponent mask. memcpy per
// element: the data may be misaligned (safetensors.h), and the compiler turns it into plain loads.
template <typename Bits>
int64_t count_exponent_all_ones(const uint8_t* data, int64_t n, Bits exponent, int64_t* first) {
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) {
        Bits v;
        std::memcpy(&v, data + i * static_cast<int64_t>(sizeof(Bits)), sizeof(Bits));
        if ((v & exponent) == exponent) {
            if (count == 0) *first = i;
            ++count;
        }
    }
    return count;
}

}  // namespace

NonFiniteWeights weights_nonfinite(const WeightStore& weights) {
    NonFiniteWeights bad;
    for (const std::string& name : weights.names()) {
        const TensorView* t = weights.find(name);
        if (!t) continue;
        int64_t first = -1, count = 0;
        switch (t->dtype) {
            case DType::F32: count = count_exponent_all_ones<uint32_t>(t->data, t->numel(), 0x7f800000u, &first); break;
            case DType::F16: count = count_exponent_all_ones<uint16_t>(t->data, t->numel(), 0x7c00u, &first); break;
            case DType::BF16: count = count_exponent_all_ones<uint16_t>(t->data, t->numel(), 0x7f80u, &first); break;
            default: break;
        }
        if (count == 0) continue;
        if (bad.tensors == 0) {
            bad.first_tensor = name;
            bad.first_index = first;
        }
        bad.count += count;
        ++bad.tensors;
    }
    return bad;
}

std::string nonfinite_weights_message(const NonFiniteWeights& bad, const std::string& file) {
    return file + ": " + std::to_string(bad.count) + (bad.count == 1 ? " weight" : " weights") + " in " +
           std::to_string(bad.tensors) + (bad.tensors == 1 ? " tensor" : " tensors") + (bad.count == 1 ? " is" : " are") +
           " NaN or infinite (first: '" + bad.first_tensor + "' at element " + std::to_string(bad.first_index) +
           "); what is computed from them is drawn in the bad-value colour";
}

}  // namespace attn
