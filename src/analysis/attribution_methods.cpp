// The method table and the agreement statistics behind the Attributions panel.
#include "analysis/attribution_methods.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace attn {

namespace {

std::vector<float> l2(const Attribution& a) { return a.saliency_l2; }
std::vector<float> gxi(const Attribution& a) { return a.grad_x_input; }
std::vector<float> ig(const Attribution& a) { return a.integrated_gradients; }
std::vector<float> occlusion(const Attribution& a) { return a.occlusion_zero; }
std::vector<float> permutation(const Attribution& a) { return a.permutation; }
std::vector<float> axg(const Attribution& a) { return a.attn_x_grad; }
// Rollout is (T, T): the scored position's row says how much of it each input token feeds.
std::vector<float> rollout_row(const Attribution& a) {
    const size_t T = static_cast<size_t>(a.n_token);
    if (T == 0 || a.rollout.size() != T * T || a.position < 0 || a.position >= a.n_token) return {};
    return std::vector<float>(a.rollout.begin() + a.position * T, a.rollout.begin() + (a.position + 1) * T);
}

std::vector<double> ranks(const std::vector<float>& v) {
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return v[i] < v[j]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double mean = 0.5 * static_cast<double>(i + j);
        for (size_t k = i; k <= j; ++k) r[order[k]] = mean;
        i = j + 1;
    }
    return r;
}

}  // namespace

const AttributionMethod kAttributionMethods[kNumAttributionMethods] = {
    {"saliency_l2", "Saliency (gradient L2 norm)", "L2", false,
     "How strongly the score reacts to any small change of this token's embedding (size only, no sign).", l2},
    {"grad_x_input", "Gradient x input", "GxI", true,
     "Gradient times embedding: a first-order guess of what removing the token would cost.", gxi},
    {"integrated_gradients", "Integrated gradients", "IG", true,
     "Gradients averaged from an all-zero input to the real one, times the input; they sum to the score's change.", ig},
    {"occlusion_zero", "Occlusion (zero the token)", "Occ", true,
     "How much the score drops when this token's embedding is set to zero.", occlusion},
    {"permutation", "Permutation (random tokens)", "Perm", true,
     "Mean score drop when this token is replaced by random vocabulary tokens.", permutation},
    {"attn_x_grad", "Attention x gradient", "AxG", false,
     "Chefer et al. 2021: attention weights times their gradients, propagated through the layers.", axg},
    {"rollout", "Attention rollout (row)", "Roll", false,
     "How much of the scored position's state comes from each token, following attention alone.", rollout_row},
};

int attribution_method_index(const char* name) {
    for (int i = 0; i < kNumAttributionMethods; ++i)
        if (name && std::strcmp(name, kAttributionMethods[i].name) == 0) return i;
    return -1;
}

float spearman(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size() || a.size() < 2) return 0.0f;
    std::vector<double> ra = ranks(a), rb = ranks(b);
    const double mean = 0.5 * static_cast<double>(a.size() - 1);
    double num = 0, da = 0, db = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        num += (ra[i] - mean) * (rb[i] - mean);
        da += (ra[i] - mean) * (ra[i] - mean);
        db += (rb[i] - mean) * (rb[i] - mean);
    }
    if (da <= 0 || db <= 0) return 0.0f;
    return static_cast<float>(num / std::sqrt(da * db));
}

int top_index(const std::vector<float>& scores) {
    if (scores.empty()) return -1;
    return static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

}  // namespace attn
