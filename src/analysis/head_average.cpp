#include "analysis/head_average.h"

#include <algorithm>

namespace attn {

std::vector<int> head_average_heads(const AttentionTensor& a, const std::vector<int>& heads) {
    std::vector<int> out;
    for (int h : heads)
        if (h >= 0 && h < a.n_head) out.push_back(h);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty())
        for (int h = 0; h < a.n_head; ++h) out.push_back(h);
    return out;
}

std::string head_list_text(const std::vector<int>& heads) {
    std::string s;
    for (int h : heads) s += (s.empty() ? "" : ",") + std::to_string(h);
    return s;
}

std::vector<float> head_average(const AttentionTensor& a, int layer, const std::vector<int>& heads) {
    if (a.empty() || layer < 0 || layer >= a.n_layer) return {};
    const std::vector<int> used = head_average_heads(a, heads);
    const size_t n = static_cast<size_t>(a.n_query) * a.n_key;
    std::vector<double> sum(n, 0.0);   // double: 64 heads of float rounding would show in the 6th digit
    for (int h : used) {
        const float* p = a.head(layer, h);
        for (size_t i = 0; i < n; ++i) sum[i] += p[i];
    }
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(sum[i] / static_cast<double>(used.size()));
    return out;
}

}  // namespace attn
