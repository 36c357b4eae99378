// Reading the transformers reference outputs (tests/fixtures/*/reference.safetensors): tensors named
// "case{N}.{name}", and tolerance comparisons that report the worst element.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "fixture_path.h"
#include "model/safetensors.h"
#include "platform/file_io.h"

struct Reference {
    attn::SafetensorsFile file;

    static Reference load(const std::string& model_dir) {
        auto bytes = attn::file_read(fixture_path(model_dir + "/reference.safetensors"));
        if (!bytes) throw std::runtime_error(bytes.error().message);
        auto parsed = attn::safetensors_parse(std::make_shared<const attn::Bytes>(std::move(*bytes)),
                                              model_dir + "/reference.safetensors");
        if (!parsed) throw std::runtime_error(parsed.error().message);
        return Reference{std::move(*parsed)};
    }
    const attn::TensorView& tensor(int case_index, const std::string& name) const {
        std::string full = "case" + std::to_string(case_index) + "." + name;
        const attn::TensorView* t = file.find(full);
        if (!t) throw std::runtime_error("reference has no tensor " + full);
        return *t;
    }
    bool has(int case_index, const std::string& name) const {
        return file.find("case" + std::to_string(case_index) + "." + name) != nullptr;
    }
    std::vector<float> f32(int case_index, const std::string& name) const {
        return attn::tensor_to_f32(tensor(case_index, name));
    }
    std::vector<int32_t> ids(int case_index, const std::string& name) const {
        auto wide = attn::tensor_to_i64(tensor(case_index, name));
        return std::vector<int32_t>(wide.begin(), wide.end());
    }
    int n_cases() const {
        int n = 0;
        while (file.find("case" + std::to_string(n) + ".input_ids")) ++n;
        return n;
    }
};

inline float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return INFINITY;
    float worst = 0.0f;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
    return worst;
}
