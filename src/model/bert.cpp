// BERT and RoBERTa (and XLM-RoBERTa, RoBERTa's exact architecture): config.json keys and tensor names
// ("bert." / "roberta." prefixes optional, legacy LayerNorm gamma/beta accepted). The forward pass is
// encoder.cpp's; RoBERTa differs from BERT only in its position ids and head names.
#include "model/bert.h"

#include "core/error.h"
#include "model/encoder.h"
#include "model/weight_fetch.h"

namespace attn {
namespace {

struct BertConfig {
    std::string model_type;
    int n_embd = 0, n_head = 0, n_layer = 0, n_ff = 0, n_vocab = 0, n_positions = 0, n_types = 0, pad_id = 0;
    float eps = 1e-12f;
    Activation activation = Activation::gelu_erf;
    bool tie_word_embeddings = true;
    bool roberta = false;
};

BertConfig bert_config_parse(const std::string& model_type, const Json& j) {
    const std::string file = "config.json";
    BertConfig c;
    c.model_type = model_type;
    c.roberta = model_type != "bert";
    c.n_embd = json_get_size(j, "hidden_size", file);
    c.n_head = json_get_size(j, "num_attention_heads", file);
    c.n_layer = json_get_size(j, "num_hidden_layers", file);
    c.n_ff = json_get_size(j, "intermediate_size", file);
    c.n_vocab = json_get_size(j, "vocab_size", file);
    c.n_positions = json_get_size_or(j, "max_position_embeddings", 512, file);
    c.n_types = json_get_size_or(j, "type_vocab_size", 2, file);
    c.pad_id = static_cast<int>(json_get_int_or(j, "pad_token_id", c.roberta ? 1 : 0, file));
    c.eps = json_get_epsilon_or(j, "layer_norm_eps", 1e-12, file);
    c.tie_word_embeddings = json_get_bool_or(j, "tie_word_embeddings", true, file);
    std::string act = json_get_string_or(j, "hidden_act", "gelu", file);
    if (!activation_from_name(act, &c.activation))
        throw Error(file + ": hidden_act '" + act +
                    "' is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu)");
    std::string position_type = json_get_string_or(j, "position_embedding_type", "absolute", file);
    if (position_type != "absolute")
        throw Error(file + ": position_embedding_type '" + position_type + "' is not supported (supported: absolute)");
    if (json_get_bool_or(j, "is_decoder", false, file))
        throw Error(file + ": is_decoder=true (a causal " + model_type + ") is not supported; only the bidirectional encoder is");
    if (c.n_embd % c.n_head != 0)
        throw Error(file + ": hidden_size=" + std::to_string(c.n_embd) + " is not divisible by num_attention_heads=" +
                    std::to_string(c.n_head));
    // RoBERTa's positions run pad_token_id + 1 .. pad_token_id + T, all inside the position table.
    if (c.roberta && (c.pad_id < 0 || c.pad_id + 1 >= c.n_positions))
        throw Error(file + ": pad_token_id=" + std::to_string(c.pad_id) + " leaves no positions below max_position_embeddings=" +
                    std::to_string(c.n_positions));
    return c;
}

std::unique_ptr<Network> bert_build(const BertConfig& c, const WeightStore& w) {
    const int64_t D = c.n_embd, F = c.n_ff, V = c.n_vocab;
    const std::string prefix = c.roberta ? "roberta." : "bert.";
    NameVariants body = [prefix](const std::string& n) { return std::vector<std::string>{prefix + n, n}; };
    NameVariants head = [](const std::string& n) { return std::vector<std::string>{n}; };
    const std::string d = "hidden_size=" + std::to_string(D);
    const std::string v = "vocab_size=" + std::to_string(V) + ", " + d;
    const std::string f = d + ", intermediate_size=" + std::to_string(F);
    const auto oi = WeightLayout::out_in;

    EncoderWeights e;
    e.word = matrix_fetch(w, body("embeddings.word_embeddings.weight"), {V, D}, oi, v);
    e.position = matrix_fetch(w, body("embeddings.position_embeddings.weight"), {c.n_positions, D}, oi,
                              "max_position_embeddings=" + std::to_string(c.n_positions) + ", " + d);
    Tensor32 types = weight_fetch(w, body("embeddings.token_type_embeddings.weight"), {c.n_types, D},
                                  "type_vocab_size=" + std::to_string(c.n_types) + ", " + d);
    // Every input is one segment: token type 0, the first row.
    e.token_type.name = types.name;
    e.token_type.shape = {D};
    e.token_type.values.assign(types.values.begin(), types.values.begin() + D);
    e.token_type_rows = c.n_types;
    e.embed_norm = norm_fetch(w, body, "embeddings.LayerNorm", D, d);
    for (int l = 0; l < c.n_layer; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l) + ".";
        AttentionBlock a;
        a.q = dense_fetch(w, body, p + "attention.self.query", D, D, d);
        a.k = dense_fetch(w, body, p + "attention.self.key", D, D, d);
        a.v = dense_fetch(w, body, p + "attention.self.value", D, D, d);
        a.out = dense_fetch(w, body, p + "attention.output.dense", D, D, d);
        a.norm = norm_fetch(w, body, p + "attention.output.LayerNorm", D, d);
        FeedForwardBlock ff;
        ff.fc1 = dense_fetch(w, body, p + "intermediate.dense", F, D, f);
        ff.fc2 = dense_fetch(w, body, p + "output.dense", D, F, f);
        ff.norm = norm_fetch(w, body, p + "output.LayerNorm", D, d);
        e.blocks.push_back(BlockWeights{std::move(a), {}, std::move(ff)});
    }

    // Masked-LM head: BERT's cls.predictions.*, RoBERTa's lm_head.*; the decoder is tied to the word
    // embeddings unless the checkpoint carries its own (or says it is untied).
    const std::string hp = c.roberta ? "lm_head." : "cls.predictions.";
    e.head_transform = dense_fetch(w, head, hp + (c.roberta ? "dense" : "transform.dense"), D, D, d);
    e.head_norm = norm_fetch(w, head, hp + (c.roberta ? "layer_norm" : "transform.LayerNorm"), D, d);
    if (!c.tie_word_embeddings || weight_exists(w, {hp + "decoder.weight"}))
        e.decoder = matrix_fetch(w, {hp + "decoder.weight"}, {V, D}, oi, v);
    e.decoder_bias = weight_fetch(w, {hp + "bias", hp + "decoder.bias"}, {V}, v);

    EncoderSpec s;
    s.architecture = c.model_type;
    s.n_layer = c.n_layer;
    s.n_head = c.n_head;
    s.n_embd = c.n_embd;
    s.n_vocab = c.n_vocab;
    s.eps = c.eps;
    s.activation = c.activation;
    // BERT's head uses hidden_act; RobertaLMHead always applies the exact (erf) gelu.
    s.head_activation = c.roberta ? Activation::gelu_erf : c.activation;
    s.position_pad_id = c.roberta ? c.pad_id : -1;
    s.n_ctx = c.roberta ? c.n_positions - c.pad_id - 1 : c.n_positions;
    return encoder_network(s, std::move(e), w);
}

}  // namespace

std::unique_ptr<Network> bert_load(const std::string& model_type, const Json& config, const WeightStore& weights) {
    return bert_build(bert_config_parse(model_type, config), weights);
}

}  // namespace attn
