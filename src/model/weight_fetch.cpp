// Named, shape-checked weight access for model loaders.
#include "model/weight_fetch.h"

#include "core/error.h"

namespace attn {

std::string shape_to_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

static const TensorView* find_any(const WeightStore& store, const std::vector<std::string>& names) {
    for (const auto& n : names)
        if (const TensorView* t = store.find(n)) return t;
    return nullptr;
}

bool weight_exists(const WeightStore& store, const std::vector<std::string>& names) {
    return find_any(store, names) != nullptr;
}

static const TensorView& find_checked(const WeightStore& store, const std::vector<std::string>& names,
                                      const std::vector<int64_t>& shape, const std::string& why) {
    const TensorView* t = find_any(store, names);
    if (!t) throw Error(store.source() + ": missing tensor '" + names.front() + "' (expected shape " +
                        shape_to_string(shape) + ")");
    if (t->shape != shape)
        throw Error(t->file + ": tensor '" + t->name + "': shape " + shape_to_string(t->shape) + " but config " + why +
                    " needs " + shape_to_string(shape));
    if (t->dtype != DType::F32 && t->dtype != DType::F16 && t->dtype != DType::BF16)
        throw Error(t->file + ": tensor '" + t->name + "': dtype " + dtype_name(t->dtype) +
                    " is not a floating-point weight type (F32, F16, BF16)");
    return *t;
}

Tensor32 weight_fetch(const WeightStore& store, const std::vector<std::string>& names,
                      const std::vector<int64_t>& shape, const std::string& why) {
    const TensorView& t = find_checked(store, names, shape, why);
    return Tensor32{t.name, t.shape, tensor_to_f32(t)};
}

Matrix matrix_fetch(const WeightStore& store, const std::vector<std::string>& names,
                    const std::vector<int64_t>& shape, WeightLayout layout, const std::string& why) {
    const TensorView& t = find_checked(store, names, shape, why);
    Matrix m;
    m.name = t.name;
    m.view = WeightMatrix{t.dtype, static_cast<int>(shape[0]), static_cast<int>(shape[1]), t.data, layout};
    if (reinterpret_cast<uintptr_t>(t.data) % dtype_size(t.dtype) != 0) {
        auto copy = std::make_shared<std::vector<float>>(tensor_to_f32(t));
        m.view.dtype = DType::F32;
        m.view.data = copy->data();
        m.owned = std::move(copy);
    }
    return m;
}

void model_info_add_weights(ModelInfo& info, const WeightStore& store) {
    info.n_params = store.total_params();
    info.weight_bytes = store.total_bytes();
    info.weight_dtypes = store.dtypes();
}

}  // namespace attn
