// Taking named weights out of a WeightStore for a model loader: tries the accepted names in order,
// checks the shape against what config.json implies, and returns either a small f32 copy (norms,
// biases) or a matrix view that keeps the stored dtype (F32/F16/BF16) without copying. Errors name the
// file, the tensor, the expected and the actual shape.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/linear.h"
#include "model/model.h"
#include "model/weight_store.h"

namespace attn {

struct Tensor32 {
    std::string name;                  // the checkpoint's tensor name; empty when computed, not stored
    std::vector<int64_t> shape;
    std::vector<float> values;
    const float* data() const { return values.empty() ? nullptr : values.data(); }
};

// A weight matrix that points into the model file's bytes (kept alive by the network's WeightStore),
// or into its own aligned copy when the file's bytes are misaligned for the dtype.
struct Matrix {
    std::string name;                  // the checkpoint's tensor name (parameter gradients use it); may be empty
    WeightMatrix view;
    std::shared_ptr<const std::vector<float>> owned;  // only for misaligned data (widened to f32)
    bool empty() const { return view.data == nullptr; }
};

// names: accepted spellings (e.g. with and without a "transformer." prefix). why: which config keys
// imply the shape, for the message ("n_embd=64").
Tensor32 weight_fetch(const WeightStore& store, const std::vector<std::string>& names,
                      const std::vector<int64_t>& shape, const std::string& why);
// shape is {rows, cols} as stored; layout says which of them is the output dimension.
Matrix matrix_fetch(const WeightStore& store, const std::vector<std::string>& names,
                    const std::vector<int64_t>& shape, WeightLayout layout, const std::string& why);
bool weight_exists(const WeightStore& store, const std::vector<std::string>& names);

std::string shape_to_string(const std::vector<int64_t>& shape);

// Parameter count, bytes in memory and dtypes of a network whose matrices stay in the store.
void model_info_add_weights(ModelInfo& info, const WeightStore& store);

}  // namespace attn
