// GPT-2 as a Body (model/body.h), Hugging Face semantics (eager attention):
//   h0 = wte[ids] + wpe[pos]; per block: h += attn(ln_1(h)); h += mlp(ln_2(h)); logits = ln_f(h) @ wte^T.
// config.json keys and tensor names; body_forward runs it.
#include "model/gpt2.h"

#include <cmath>

#include "core/error.h"
#include "core/ops.h"
#include "model/body.h"
#include "model/weight_fetch.h"

namespace attn {
namespace {

struct Gpt2Config {
    int n_embd = 0, n_head = 0, n_layer = 0, n_ctx = 0, n_inner = 0, n_vocab = 0;
    float eps = 1e-5f;
    Activation activation = Activation::gelu_tanh;
    bool scale_attn_weights = true;
    bool scale_by_inverse_layer_idx = false;
    bool tie_word_embeddings = true;
};

Gpt2Config gpt2_config_parse(const Json& j) {
    const std::string file = "config.json";
    Gpt2Config c;
    c.n_embd = json_get_size(j, "n_embd", file);
    c.n_head = json_get_size(j, "n_head", file);
    c.n_layer = json_get_size(j, "n_layer", file);
    c.n_ctx = json_get_size(j, "n_positions", file);
    c.n_vocab = json_get_size(j, "vocab_size", file);
    c.n_inner = json_get_size_or(j, "n_inner", 4 * c.n_embd, file);
    c.eps = json_get_epsilon_or(j, "layer_norm_epsilon", 1e-5, file);
    c.scale_attn_weights = json_get_bool_or(j, "scale_attn_weights", true, file);
    c.scale_by_inverse_layer_idx = json_get_bool_or(j, "scale_attn_by_inverse_layer_idx", false, file);
    c.tie_word_embeddings = json_get_bool_or(j, "tie_word_embeddings", true, file);
    std::string act = json_get_string_or(j, "activation_function", "gelu_new", file);
    if (!activation_from_name(act, &c.activation))
        throw Error(file + ": activation_function '" + act +
                    "' is not supported (supported: gelu_new, gelu, gelu_pytorch_tanh, gelu_fast, relu, silu)");
    if (c.n_embd % c.n_head != 0)
        throw Error(file + ": n_embd=" + std::to_string(c.n_embd) + " is not divisible by n_head=" +
                    std::to_string(c.n_head));
    return c;
}

// Accepts "h.0.attn.c_attn.weight" and "transformer.h.0.attn.c_attn.weight".
std::vector<std::string> gpt2_names(const std::string& name) { return {name, "transformer." + name}; }

Body gpt2_body(const Gpt2Config& c, const WeightStore& w) {
    const int64_t D = c.n_embd, F = c.n_inner, V = c.n_vocab;
    const std::string d = "n_embd=" + std::to_string(D);
    const auto io = WeightLayout::in_out, oi = WeightLayout::out_in;
    Body body;
    body.architecture = "gpt2";
    body.embed.token = matrix_fetch(w, gpt2_names("wte.weight"), {V, D}, oi, "vocab_size=" + std::to_string(V) + ", " + d);
    body.embed.position = matrix_fetch(w, gpt2_names("wpe.weight"), {c.n_ctx, D}, oi,
                                       "n_positions=" + std::to_string(c.n_ctx) + ", " + d);
    body.head.final_norm.w = weight_fetch(w, gpt2_names("ln_f.weight"), {D}, d);
    body.head.final_norm.b = weight_fetch(w, gpt2_names("ln_f.bias"), {D}, d);
    const std::string f = d + ", n_inner=" + std::to_string(F);
    for (int l = 0; l < c.n_layer; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        // Conv1D weights are stored (in, out): c_attn (D, 3D), c_proj (D, D), c_fc (D, F), mlp.c_proj (F, D).
        BlockWeights b;
        b.attn.norm.w = weight_fetch(w, gpt2_names(p + "ln_1.weight"), {D}, d);
        b.attn.norm.b = weight_fetch(w, gpt2_names(p + "ln_1.bias"), {D}, d);
        b.attn.qkv.w = matrix_fetch(w, gpt2_names(p + "attn.c_attn.weight"), {D, 3 * D}, io, d);
        b.attn.qkv.b = weight_fetch(w, gpt2_names(p + "attn.c_attn.bias"), {3 * D}, d);
        b.attn.out.w = matrix_fetch(w, gpt2_names(p + "attn.c_proj.weight"), {D, D}, io, d);
        b.attn.out.b = weight_fetch(w, gpt2_names(p + "attn.c_proj.bias"), {D}, d);
        b.ffn.norm.w = weight_fetch(w, gpt2_names(p + "ln_2.weight"), {D}, d);
        b.ffn.norm.b = weight_fetch(w, gpt2_names(p + "ln_2.bias"), {D}, d);
        b.ffn.fc1.w = matrix_fetch(w, gpt2_names(p + "mlp.c_fc.weight"), {D, F}, io, f);
        b.ffn.fc1.b = weight_fetch(w, gpt2_names(p + "mlp.c_fc.bias"), {F}, f);
        b.ffn.fc2.w = matrix_fetch(w, gpt2_names(p + "mlp.c_proj.weight"), {F, D}, io, f);
        b.ffn.fc2.b = weight_fetch(w, gpt2_names(p + "mlp.c_proj.bias"), {D}, f);
        b.attn_scale = c.scale_attn_weights ? 1.0f / std::sqrt(static_cast<float>(D / c.n_head)) : 1.0f;
        if (c.scale_by_inverse_layer_idx) b.attn_scale /= static_cast<float>(l + 1);
        body.blocks.push_back(std::move(b));
    }
    // An untied checkpoint carries its own lm_head; a tied one may carry a copy or nothing.
    if (!c.tie_word_embeddings || weight_exists(w, {"lm_head.weight"}))
        body.head.unembed = matrix_fetch(w, {"lm_head.weight"}, {V, D}, oi, "vocab_size=" + std::to_string(V) + ", " + d);
    BlockRecipe& r = body.recipe;   // pre-LN, LayerNorm, plain MLP, causal, fused q|k|v
    r.activation = c.activation;
    r.eps = c.eps;
    r.n_head = r.n_kv_head = c.n_head;
    r.head_dim = c.n_embd / c.n_head;
    r.causal = true;
    return body;
}

}  // namespace

std::unique_ptr<Network> gpt2_load(const Json& config, const WeightStore& weights) {
    const Gpt2Config c = gpt2_config_parse(config);
    ModelInfo info;
    info.architecture = "gpt2";
    info.n_layer = c.n_layer;
    info.n_head = info.n_kv_head = c.n_head;
    info.n_embd = c.n_embd;
    info.n_ctx = c.n_ctx;
    info.n_vocab = c.n_vocab;
    info.causal = true;
    model_info_add_weights(info, weights);
    return body_network(gpt2_body(c, weights), info, weights);
}

}  // namespace attn
