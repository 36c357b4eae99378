#include "analysis/activation_summary.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace attn {
namespace {

void copy_norms(const ObservedTensors& seen, const std::string& name, int T, float* out) {
    const ObservedTensor* t = seen.find(name);
    if (!t || t->rows != T) return;
    std::vector<float> n = row_norms(t->data.data(), t->rows, t->cols);
    std::copy(n.begin(), n.end(), out);
}

}  // namespace

std::vector<float> row_norms(const float* data, int rows, int cols) {
    std::vector<float> out(static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        double s = 0.0;
        for (int c = 0; c < cols; ++c) {
            const double v = data[static_cast<size_t>(r) * cols + c];
            s += v * v;
        }
        out[r] = static_cast<float>(std::sqrt(s));
    }
    return out;
}

std::set<std::string> activation_names(int n_layer) {
    std::set<std::string> names = {"embed"};
    for (int l = 0; l < n_layer; ++l)
        for (const char* part : {"attn_out", "mlp_out", "out"}) names.insert("layer." + std::to_string(l) + "." + part);
    return names;
}

ActivationSummary activation_summary(const ObservedTensors& seen, int L, int T) {
    ActivationSummary s;
    s.n_layer = L;
    s.n_token = T;
    s.hidden_norm.assign(static_cast<size_t>(L + 1) * T, 0.0f);
    s.attn_norm.assign(static_cast<size_t>(L) * T, 0.0f);
    s.mlp_norm.assign(static_cast<size_t>(L) * T, 0.0f);
    copy_norms(seen, "embed", T, s.hidden_norm.data());
    for (int l = 0; l < L; ++l) {
        const std::string p = "layer." + std::to_string(l) + ".";
        copy_norms(seen, p + "out", T, s.hidden_norm.data() + static_cast<size_t>(l + 1) * T);
        copy_norms(seen, p + "attn_out", T, s.attn_norm.data() + static_cast<size_t>(l) * T);
        copy_norms(seen, p + "mlp_out", T, s.mlp_norm.data() + static_cast<size_t>(l) * T);
    }
    return s;
}

}  // namespace attn
