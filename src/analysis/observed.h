// The intermediates an analysis asked the forward pass's observer for (model/hooks.h), kept by name.
//
//   ObservedTensors seen({"embed", "layer.0.mlp_act"});
//   options.hooks.observer = seen.observer();
//   model_trace(model, ids, options);
//   const ObservedTensor* a = seen.find("layer.0.mlp_act");   // null: the model did not report it
#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/hooks.h"

namespace attn {

struct ObservedTensor {
    int rows = 0, cols = 0;
    std::vector<float> data;   // (rows, cols)
};

class ObservedTensors {
public:
    explicit ObservedTensors(std::set<std::string> wanted) : wanted_(std::move(wanted)) {}
    // Copies the wanted names; the returned observer refers to this object, which must outlive the pass.
    ForwardObserver observer() {
        return [this](const std::string& name, int rows, int cols, const float* data) {
            if (!wanted_.count(name)) return;
            ObservedTensor& t = seen_[name];
            t.rows = rows;
            t.cols = cols;
            t.data.assign(data, data + static_cast<size_t>(rows) * cols);
        };
    }
    const ObservedTensor* find(const std::string& name) const {
        auto it = seen_.find(name);
        return it == seen_.end() ? nullptr : &it->second;
    }

private:
    std::set<std::string> wanted_;
    std::map<std::string, ObservedTensor> seen_;
};

}  // namespace attn
