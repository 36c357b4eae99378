#include "analysis/attribution_export.h"

#include "model/safetensors_write.h"

namespace attn {
namespace {

struct Adder {
    AttributionArrays* out;

    void f32(const std::string& name, std::vector<int64_t> shape, const std::vector<float>& data) {
        if (data.empty()) return;
        out->arrays.push_back({name, DType::F32, std::move(shape), data.data()});
    }
    void scalar(const std::string& name, float v) {
        out->floats.push_back({v});
        out->arrays.push_back({name, DType::F32, {1}, out->floats.back().data()});
    }
    template <class Int>
    void i64(const std::string& name, std::vector<int64_t> shape, const std::vector<Int>& data) {
        if (data.empty()) return;
        out->ints.emplace_back(data.begin(), data.end());
        out->arrays.push_back({name, DType::I64, std::move(shape), out->ints.back().data()});
    }
};

}  // namespace

const NamedArray* AttributionArrays::find(const std::string& name) const {
    for (const NamedArray& a : arrays)
        if (a.name == name) return &a;
    return nullptr;
}

void attribution_arrays(const std::vector<int32_t>& ids, const Attribution& a, const LogitLens& lens,
                        const ActivationSummary& act, AttributionArrays* out) {
    const int64_t T = a.n_token, D = a.n_embd, L = a.n_layer, H = a.n_head;
    Adder add{out};
    add.i64("input_ids", {T}, ids);
    // Nothing below the gradients stage means nothing was explained (cancelled first, or failed).
    if (a.saliency_grad.empty()) return;
    add.i64("target", {1}, std::vector<int32_t>{a.target});
    add.i64("score_position", {1}, std::vector<int32_t>{a.position});
    add.scalar("target_logprob", a.target_logprob);
    add.scalar("score", a.score);
    if (a.foil >= 0) {
        add.i64("foil", {1}, std::vector<int32_t>{a.foil});
        add.scalar("foil_logprob", a.foil_logprob);
    }
    add.f32("saliency_grad", {T, D}, a.saliency_grad);
    add.f32("saliency_l2", {T}, a.saliency_l2);
    add.f32("grad_x_input", {T}, a.grad_x_input);
    add.f32("attn_x_grad", {T}, a.attn_x_grad);
    add.f32("head_importance", {L, H}, a.head_importance);
    add.f32("rollout", {T, T}, a.rollout);
    add.f32("entropy", {L, H, T}, a.entropy);
    add.f32("mean_distance", {L, H, T}, a.mean_distance);
    if (!lens.argmax.empty()) {
        const int64_t S = lens.n_state, k = lens.top_k;
        add.i64("logit_lens_argmax", {S, T}, lens.argmax);
        add.i64("logit_lens_topk_ids", {S, T, k}, lens.topk_ids);
        add.f32("logit_lens_topk_probs", {S, T, k}, lens.topk_probs);
        add.i64("logit_lens_mid_topk_ids", {S - 1, T, k}, lens.mid_topk_ids);
        add.f32("logit_lens_mid_topk_probs", {S - 1, T, k}, lens.mid_topk_probs);
        add.i64("logit_lens_target_rank", {S}, lens.target_rank);
        add.f32("logit_lens_target_prob", {S}, lens.target_prob);
    }
    add.f32("activations_hidden_norm", {act.n_layer + 1, act.n_token}, act.hidden_norm);
    add.f32("activations_attn_norm", {act.n_layer, act.n_token}, act.attn_norm);
    add.f32("activations_mlp_norm", {act.n_layer, act.n_token}, act.mlp_norm);
    if (a.has_baseline) add.scalar("baseline_logprob", a.baseline_logprob);
    add.f32("integrated_gradients", {T}, a.integrated_gradients);
    if (!a.integrated_gradients.empty()) add.scalar("ig_completeness_gap", a.ig_completeness_gap);
    add.f32("occlusion_zero", {T}, a.occlusion_zero);
    add.f32("head_ablation", {L, H}, a.head_ablation);
    add.f32("permutation", {T}, a.permutation);
    add.f32("attention_flow", {T, T}, a.attention_flow);
}

Expected<Bytes> attribution_to_safetensors(const AttributionArrays& arrays,
                                           const std::map<std::string, std::string>& metadata) {
    SafetensorsWriter w;
    for (const NamedArray& a : arrays.arrays) w.add(a.name, a.dtype, a.shape, a.data);
    for (const auto& [key, value] : metadata) w.set_metadata(key, value);
    return w.write();
}

Expected<Bytes> attribution_to_npz(const AttributionArrays& arrays) {
    std::vector<std::pair<std::string, Bytes>> entries;
    for (const NamedArray& a : arrays.arrays) entries.emplace_back(a.name + ".npy", npy_array(a.dtype, a.shape, a.data));
    return zip_store(entries);
}

}  // namespace attn
