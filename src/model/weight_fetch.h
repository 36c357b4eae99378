// Taking named weights out of a WeightStore for a model loader: tries the accepted names in order,
// checks the shape against what config.json implies, and converts to f32. Errors name the file, the
// tensor, the expected and the actual shape.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/weight_store.h"

namespace attn {

struct Tensor32 {
    std::vector<int64_t> shape;
    std::vector<float> values;
    const float* data() const { return values.data(); }
};

// names: accepted spellings (e.g. with and without a "transformer." prefix). why: which config keys
// imply the shape, for the message ("n_embd=64").
Tensor32 weight_fetch(const WeightStore& store, const std::vector<std::string>& names,
                      const std::vector<int64_t>& shape, const std::string& why);
bool weight_exists(const WeightStore& store, const std::vector<std::string>& names);

std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace attn
