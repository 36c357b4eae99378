// Llama/Mistral/Qwen2 as a Body (model/body.h), transformers semantics (eager attention):
//   h0 = embed[ids]; per layer: h += o_proj(attn(rope(q), rope(k), v)) of rms_norm(h);
//   h += down(silu(gate(x)) * up(x)) of rms_norm(h); logits = rms_norm(h) @ lm_head^T.
// Attention is reported per query head (L, n_heads, T, T) even when key/value heads are shared (GQA).
#include "model/llama.h"

#include <cmath>

#include "core/error.h"
#include "core/ops.h"
#include "model/body.h"
#include "model/rope.h"
#include "model/weight_fetch.h"

namespace attn {
namespace {

struct LlamaConfig {
    std::string model_type;
    int n_embd = 0, n_head = 0, n_kv_head = 0, head_dim = 0, n_layer = 0, n_ff = 0, n_vocab = 0, n_ctx = 0;
    float eps = 1e-6f;
    Activation activation = Activation::silu;
    bool qkv_bias = false, o_bias = false, mlp_bias = false;
    bool tie_word_embeddings = false;
    RopeConfig rope;
};

// rope_theta and scaling: top-level rope_theta + rope_scaling (most Hub configs) or rope_parameters
// (newer transformers). Unsupported scaling types are refused by name.
RopeConfig rope_parse(const Json& j, int head_dim) {
    const std::string file = "config.json";
    RopeConfig r;
    r.rotary_dim = head_dim;
    const double partial = json_get_number_or(j, "partial_rotary_factor", 1.0, file);
    r.rotary_dim = static_cast<int>(head_dim * partial);
    r.theta = json_get_number_or(j, "rope_theta", 10000.0, file);
    const Json* scaling = nullptr;
    auto params = j.find("rope_parameters");
    if (params != j.end() && params->is_object()) {
        r.theta = json_get_number_or(*params, "rope_theta", r.theta, file + " rope_parameters");
        scaling = &*params;
    }
    auto legacy = j.find("rope_scaling");
    if (legacy != j.end() && legacy->is_object()) scaling = &*legacy;
    if (scaling) {
        const std::string label = file + " rope scaling";
        std::string type = json_get_string_or(*scaling, "rope_type", "", label);
        if (type.empty()) type = json_get_string_or(*scaling, "type", "default", label);
        if (type != "default" && type != "linear" && type != "dynamic" && type != "llama3")
            throw Error(file + ": rope scaling type '" + type +
                        "' is not supported (supported: default, linear, dynamic, llama3)");
        r.type = type;
        r.factor = json_get_number_or(*scaling, "factor", 1.0, label);
        r.low_freq_factor = json_get_number_or(*scaling, "low_freq_factor", 1.0, label);
        r.high_freq_factor = json_get_number_or(*scaling, "high_freq_factor", 4.0, label);
        r.original_max_positions =
            static_cast<int>(json_get_int_or(*scaling, "original_max_position_embeddings", 0, label));
        if ((type == "linear" || type == "llama3") && !(r.factor > 0.0))
            throw Error(file + ": rope scaling factor must be positive");
        if (type == "llama3" && (r.original_max_positions <= 0 || r.high_freq_factor == r.low_freq_factor))
            throw Error(file + ": llama3 rope scaling needs original_max_position_embeddings and distinct "
                               "low_freq_factor/high_freq_factor");
    }
    if (!(r.theta > 0.0)) throw Error(file + ": rope_theta must be positive");
    if (r.rotary_dim <= 0 || r.rotary_dim % 2 != 0 || r.rotary_dim > head_dim)
        throw Error(file + ": rotary dimension " + std::to_string(r.rotary_dim) + " must be even and at most head_dim=" +
                    std::to_string(head_dim));
    return r;
}

LlamaConfig llama_config_parse(const std::string& model_type, const Json& j) {
    const std::string file = "config.json";
    LlamaConfig c;
    c.model_type = model_type;
    c.n_embd = json_get_size(j, "hidden_size", file);
    c.n_head = json_get_size(j, "num_attention_heads", file);
    c.n_kv_head = json_get_size_or(j, "num_key_value_heads", c.n_head, file);
    c.n_layer = json_get_size(j, "num_hidden_layers", file);
    c.n_ff = json_get_size(j, "intermediate_size", file);
    c.n_vocab = json_get_size(j, "vocab_size", file);
    c.n_ctx = json_get_size_or(j, "max_position_embeddings", 2048, file);
    const bool explicit_head_dim = j.contains("head_dim") && !j["head_dim"].is_null();
    if (!explicit_head_dim && c.n_embd % c.n_head != 0)
        throw Error(file + ": hidden_size=" + std::to_string(c.n_embd) + " is not divisible by num_attention_heads=" +
                    std::to_string(c.n_head));
    c.head_dim = json_get_size_or(j, "head_dim", c.n_embd / c.n_head, file);
    // An explicit head_dim makes the attention width a product of two config sizes: keep it in range.
    if (static_cast<int64_t>(c.n_head) * c.head_dim > kConfigSizeMax)
        throw Error(file + ": num_attention_heads x head_dim = " + std::to_string(c.n_head) + " x " +
                    std::to_string(c.head_dim) + " is too large (at most " + std::to_string(kConfigSizeMax) + ")");
    if (c.n_head % c.n_kv_head != 0)
        throw Error(file + ": num_attention_heads=" + std::to_string(c.n_head) +
                    " is not a multiple of num_key_value_heads=" + std::to_string(c.n_kv_head));
    c.eps = json_get_epsilon_or(j, "rms_norm_eps", 1e-6, file);
    std::string act = json_get_string_or(j, "hidden_act", "silu", file);
    if (!activation_from_name(act, &c.activation))
        throw Error(file + ": hidden_act '" + act + "' is not supported (supported: silu, gelu, gelu_new, relu)");
    c.tie_word_embeddings = json_get_bool_or(j, "tie_word_embeddings", model_type == "qwen2", file);
    if (model_type == "qwen2") {
        c.qkv_bias = true;  // Qwen2 always has q/k/v biases and none on o_proj
    } else {
        c.qkv_bias = c.o_bias = json_get_bool_or(j, "attention_bias", false, file);
        c.mlp_bias = json_get_bool_or(j, "mlp_bias", false, file);
    }
    // A sliding window shorter than the context masks distant keys; we show inputs up to the window,
    // where it has no effect, and truncate longer ones.
    const bool sliding = model_type == "mistral" || json_get_bool_or(j, "use_sliding_window", false, file);
    if (sliding) {
        int64_t window = json_get_int_or(j, "sliding_window", 0, file);
        if (window > 0 && window < c.n_ctx) c.n_ctx = static_cast<int>(window);
    }
    c.rope = rope_parse(j, c.head_dim);
    return c;
}

Body llama_body(const LlamaConfig& c, const WeightStore& w) {
    const int64_t D = c.n_embd, V = c.n_vocab, qd = int64_t(c.n_head) * c.head_dim,
                  kvd = int64_t(c.n_kv_head) * c.head_dim, F = c.n_ff;
    const auto oi = WeightLayout::out_in;
    const std::string d = "hidden_size=" + std::to_string(D);
    const std::string a = d + ", heads=" + std::to_string(c.n_head) + "x" + std::to_string(c.head_dim) +
                          ", kv heads=" + std::to_string(c.n_kv_head);
    const std::string f = d + ", intermediate_size=" + std::to_string(F);
    auto names = [](const std::string& n) { return std::vector<std::string>{"model." + n, n}; };
    Body body;
    body.architecture = c.model_type;
    body.embed.token = matrix_fetch(w, names("embed_tokens.weight"), {V, D}, oi, "vocab_size=" + std::to_string(V) + ", " + d);
    body.head.final_norm.w = weight_fetch(w, names("norm.weight"), {D}, d);
    for (int l = 0; l < c.n_layer; ++l) {
        const std::string p = "layers." + std::to_string(l) + ".";
        BlockWeights L;
        L.attn.norm.w = weight_fetch(w, names(p + "input_layernorm.weight"), {D}, d);
        L.ffn.norm.w = weight_fetch(w, names(p + "post_attention_layernorm.weight"), {D}, d);
        L.attn.q.w = matrix_fetch(w, names(p + "self_attn.q_proj.weight"), {qd, D}, oi, a);
        L.attn.k.w = matrix_fetch(w, names(p + "self_attn.k_proj.weight"), {kvd, D}, oi, a);
        L.attn.v.w = matrix_fetch(w, names(p + "self_attn.v_proj.weight"), {kvd, D}, oi, a);
        L.attn.out.w = matrix_fetch(w, names(p + "self_attn.o_proj.weight"), {D, qd}, oi, a);
        if (c.qkv_bias) {
            L.attn.q.b = weight_fetch(w, names(p + "self_attn.q_proj.bias"), {qd}, a);
            L.attn.k.b = weight_fetch(w, names(p + "self_attn.k_proj.bias"), {kvd}, a);
            L.attn.v.b = weight_fetch(w, names(p + "self_attn.v_proj.bias"), {kvd}, a);
        }
        if (c.o_bias) L.attn.out.b = weight_fetch(w, names(p + "self_attn.o_proj.bias"), {D}, a);
        L.ffn.fc1.w = matrix_fetch(w, names(p + "mlp.gate_proj.weight"), {F, D}, oi, f);
        L.ffn.up.w = matrix_fetch(w, names(p + "mlp.up_proj.weight"), {F, D}, oi, f);
        L.ffn.fc2.w = matrix_fetch(w, names(p + "mlp.down_proj.weight"), {D, F}, oi, f);
        if (c.mlp_bias) {
            L.ffn.fc1.b = weight_fetch(w, names(p + "mlp.gate_proj.bias"), {F}, f);
            L.ffn.up.b = weight_fetch(w, names(p + "mlp.up_proj.bias"), {F}, f);
            L.ffn.fc2.b = weight_fetch(w, names(p + "mlp.down_proj.bias"), {D}, f);
        }
        body.blocks.push_back(std::move(L));
    }
    if (!c.tie_word_embeddings || weight_exists(w, {"lm_head.weight"}))
        body.head.unembed = matrix_fetch(w, {"lm_head.weight"}, {V, D}, oi, "vocab_size=" + std::to_string(V) + ", " + d);
    body.rope_inv_freq = rope_inv_freq(c.rope);
    BlockRecipe& r = body.recipe;   // pre-LN, RMSNorm, SwiGLU, RoPE, grouped-query, causal
    r.norm = NormKind::rms_norm;
    r.mlp = MlpKind::gated;
    r.activation = c.activation;
    r.eps = c.eps;
    r.n_head = c.n_head;
    r.n_kv_head = c.n_kv_head;
    r.head_dim = c.head_dim;
    r.causal = true;
    r.rotary_dim = c.rope.rotary_dim;   // body_network points r.rope_inv_freq at body.rope_inv_freq
    return body;
}

}  // namespace

std::unique_ptr<Network> llama_load(const std::string& model_type, const Json& config, const WeightStore& weights) {
    const LlamaConfig c = llama_config_parse(model_type, config);
    ModelInfo info;
    info.architecture = c.model_type;
    info.n_layer = c.n_layer;
    info.n_head = c.n_head;
    info.n_kv_head = c.n_kv_head;
    info.n_embd = c.n_embd;
    info.n_ctx = c.n_ctx;
    info.n_vocab = c.n_vocab;
    info.causal = true;
    model_info_add_weights(info, weights);
    return body_network(llama_body(c, weights), info, weights);
}

}  // namespace attn
