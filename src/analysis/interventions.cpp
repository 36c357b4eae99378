// Interventions become hooks: zero ablation is a head gate of 0 (the gradient pass knows gates), mean
// ablation an editor of the heads' context vectors (the forward only), knockouts and masked tokens edge
// knockouts (both passes).
#include "analysis/interventions.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "model/gradients.h"

namespace attn {

std::string Interventions::describe() const {
    std::ostringstream out;
    const char* sep = "";
    for (const HeadAblation& a : heads) {
        out << sep << "ablate L" << a.layer << " H" << a.head << (a.mode == AblationMode::mean ? " (mean)" : "");
        sep = "; ";
    }
    for (const EdgeKnockout& k : knockouts) {
        out << sep << k.query << " -/-> " << k.key;
        if (k.layer >= 0) out << " in L" << k.layer;
        sep = "; ";
    }
    for (int p : masked_tokens) {
        out << sep << "mask " << p;
        sep = "; ";
    }
    return out.str();
}

namespace {

// Every row of head h's columns of a (T, H * hd) context replaced by their mean over the T rows.
void replace_by_mean(float* ctx, int T, int cols, int head, int hd) {
    if (T <= 0) return;
    std::vector<double> mean(static_cast<size_t>(hd), 0.0);
    for (int t = 0; t < T; ++t)
        for (int i = 0; i < hd; ++i) mean[i] += ctx[static_cast<size_t>(t) * cols + head * hd + i];
    for (int t = 0; t < T; ++t)
        for (int i = 0; i < hd; ++i)
            ctx[static_cast<size_t>(t) * cols + head * hd + i] = static_cast<float>(mean[i] / T);
}

}  // namespace

ForwardHooks intervention_hooks(const Interventions& iv, int n_layer, int n_head, int n_token) {
    ForwardHooks hooks;
    std::map<std::string, std::vector<int>> mean_heads;   // "layer.L.context" -> heads replaced by their mean
    for (const HeadAblation& a : iv.heads) {
        if (a.layer < 0 || a.layer >= n_layer || a.head < 0 || a.head >= n_head) continue;
        if (a.mode == AblationMode::zero) {
            if (hooks.head_gates.empty()) hooks.head_gates = head_gates_ones(n_layer, n_head);
            hooks.head_gates[static_cast<size_t>(a.layer) * n_head + a.head] = 0.0f;
        } else {
            mean_heads["layer." + std::to_string(a.layer) + ".context"].push_back(a.head);
        }
    }
    hooks.knockouts = iv.knockouts;
    for (int p : iv.masked_tokens)
        for (int q = 0; q < n_token; ++q)
            if (q != p) hooks.knockouts.push_back({-1, q, p});
    if (!mean_heads.empty())
        hooks.editor = [mean_heads, n_head](const std::string& name, int rows, int cols, float* data) {
            auto it = mean_heads.find(name);
            if (it == mean_heads.end() || n_head <= 0) return;
            const int hd = cols / n_head;
            for (int h : it->second) replace_by_mean(data, rows, cols, h, hd);
        };
    return hooks;
}

bool interventions_have_backward(const Interventions& iv) {
    return std::none_of(iv.heads.begin(), iv.heads.end(),
                        [](const HeadAblation& a) { return a.mode == AblationMode::mean; });
}

namespace {

std::vector<float> softmax_row(const float* logits, int V) {
    std::vector<float> p(static_cast<size_t>(V));
    float m = -INFINITY;
    for (int i = 0; i < V; ++i) m = std::max(m, logits[i]);
    double sum = 0.0;
    for (int i = 0; i < V; ++i) sum += p[i] = std::exp(logits[i] - m);
    for (float& x : p) x = static_cast<float>(x / sum);
    return p;
}

std::vector<int32_t> top_ids(const std::vector<float>& p, int k) {
    std::vector<int32_t> ids(p.size());
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
    k = std::min<int>(k, static_cast<int>(ids.size()));
    std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                      [&](int32_t a, int32_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    ids.resize(static_cast<size_t>(k));
    return ids;
}

}  // namespace

InterventionEffect intervention_effect(const Trace& before, const Trace& after, const Model& model, int position,
                                       int k) {
    InterventionEffect fx;
    fx.position = position >= 0 ? position : score_position_default(model, before.tokens.ids);
    const float* lb = before.logits_at(fx.position);
    const float* la = after.logits_at(fx.position);
    const int V = before.n_vocab;
    if (lb && la && V > 0 && after.n_vocab == V) {
        const std::vector<float> pb = softmax_row(lb, V), pa = softmax_row(la, V);
        const std::vector<int32_t> tb = top_ids(pb, k), ta = top_ids(pa, k);
        fx.argmax_before = tb.empty() ? -1 : tb[0];
        fx.argmax_after = ta.empty() ? -1 : ta[0];
        std::vector<int32_t> ids = tb;
        for (int32_t id : ta)
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
            return std::max(pb[a], pa[a]) > std::max(pb[b], pa[b]);
        });
        for (int32_t id : ids) fx.tokens.push_back({id, model.tokenizer.id_to_token(id), pb[id], pa[id]});
    }
    const AttentionTensor& a = before.attentions;
    const AttentionTensor& b = after.attentions;
    if (!a.empty() && a.probs.size() == b.probs.size()) {
        const size_t cells = static_cast<size_t>(a.n_query) * a.n_key;
        fx.attention_change.assign(static_cast<size_t>(a.n_layer) * a.n_head, 0.0f);
        for (size_t h = 0; h < fx.attention_change.size(); ++h) {
            float m = 0.0f;
            for (size_t c = 0; c < cells; ++c) m = std::max(m, std::fabs(b.probs[h * cells + c] - a.probs[h * cells + c]));
            fx.attention_change[h] = m;
            fx.max_attention_change = std::max(fx.max_attention_change, m);
        }
    }
    return fx;
}

}  // namespace attn
