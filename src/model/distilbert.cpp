// DistilBERT (DistilBertForMaskedLM): its own config.json keys (dim, n_heads, n_layers, hidden_dim,
// activation) and tensor names ("distilbert." prefix optional). No token types; LayerNorm eps is fixed
// at 1e-12 as in transformers. The forward pass is encoder.cpp's.
#include <cmath>

#include "core/error.h"
#include "model/bert.h"
#include "model/encoder.h"
#include "model/weight_fetch.h"

namespace attn {
namespace {

struct DistilBertConfig {
    int n_embd = 0, n_head = 0, n_layer = 0, n_ff = 0, n_vocab = 0, n_positions = 0;
    Activation activation = Activation::gelu_erf;
    bool tie_word_embeddings = true;
    bool sinusoidal = false;
};

DistilBertConfig distilbert_config_parse(const Json& j) {
    const std::string file = "config.json";
    DistilBertConfig c;
    c.n_embd = json_get_size(j, "dim", file);
    c.n_head = json_get_size(j, "n_heads", file);
    c.n_layer = json_get_size(j, "n_layers", file);
    c.n_ff = json_get_size(j, "hidden_dim", file);
    c.n_vocab = json_get_size(j, "vocab_size", file);
    c.n_positions = json_get_size_or(j, "max_position_embeddings", 512, file);
    c.tie_word_embeddings = json_get_bool_or(j, "tie_word_embeddings", true, file);
    std::string act = json_get_string_or(j, "activation", "gelu", file);
    if (!activation_from_name(act, &c.activation))
        throw Error(file + ": activation '" + act +
                    "' is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu)");
    c.sinusoidal = json_get_bool_or(j, "sinusoidal_pos_embds", false, file);
    if (c.n_embd % c.n_head != 0)
        throw Error(file + ": dim=" + std::to_string(c.n_embd) + " is not divisible by n_heads=" + std::to_string(c.n_head));
    return c;
}

// transformers' create_sinusoidal_embeddings: (n_pos, dim), sin at even columns, cos at odd ones, angle
// pos / 10000^(2 * (j / 2) / dim), computed in double and stored as f32.
Matrix sinusoid_table(int n_pos, int dim) {
    auto table = std::make_shared<std::vector<float>>(static_cast<size_t>(n_pos) * dim);
    for (int pos = 0; pos < n_pos; ++pos)
        for (int j = 0; j < dim; ++j) {
            const double angle = pos / std::pow(10000.0, 2.0 * (j / 2) / dim);
            (*table)[static_cast<size_t>(pos) * dim + j] = static_cast<float>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
        }
    Matrix m;
    m.view = WeightMatrix{DType::F32, n_pos, dim, table->data(), WeightLayout::out_in};
    m.owned = std::move(table);
    return m;
}

}  // namespace

std::unique_ptr<Network> distilbert_load(const Json& config, const WeightStore& w) {
    const DistilBertConfig c = distilbert_config_parse(config);
    const int64_t D = c.n_embd, F = c.n_ff, V = c.n_vocab;
    NameVariants body = [](const std::string& n) { return std::vector<std::string>{"distilbert." + n, n}; };
    NameVariants head = [](const std::string& n) { return std::vector<std::string>{n}; };
    const std::string d = "dim=" + std::to_string(D);
    const std::string v = "vocab_size=" + std::to_string(V) + ", " + d;
    const std::string f = d + ", hidden_dim=" + std::to_string(F);
    const auto oi = WeightLayout::out_in;

    EncoderWeights e;
    e.word = matrix_fetch(w, body("embeddings.word_embeddings.weight"), {V, D}, oi, v);
    // With sinusoidal_pos_embds the table is frozen at its initialization; checkpoints store it and
    // loading overrides the initialization, so a stored table wins and a missing one is recomputed.
    const std::vector<std::string> position_names = body("embeddings.position_embeddings.weight");
    if (c.sinusoidal && !weight_exists(w, position_names))
        e.position = sinusoid_table(c.n_positions, c.n_embd);
    else
        e.position = matrix_fetch(w, position_names, {c.n_positions, D}, oi,
                                  "max_position_embeddings=" + std::to_string(c.n_positions) + ", " + d);
    e.embed_norm = norm_fetch(w, body, "embeddings.LayerNorm", D, d);
    for (int l = 0; l < c.n_layer; ++l) {
        const std::string p = "transformer.layer." + std::to_string(l) + ".";
        AttentionBlock a;
        a.q = dense_fetch(w, body, p + "attention.q_lin", D, D, d);
        a.k = dense_fetch(w, body, p + "attention.k_lin", D, D, d);
        a.v = dense_fetch(w, body, p + "attention.v_lin", D, D, d);
        a.out = dense_fetch(w, body, p + "attention.out_lin", D, D, d);
        a.norm = norm_fetch(w, body, p + "sa_layer_norm", D, d);
        FeedForwardBlock ff;
        ff.fc1 = dense_fetch(w, body, p + "ffn.lin1", F, D, f);
        ff.fc2 = dense_fetch(w, body, p + "ffn.lin2", D, F, f);
        ff.norm = norm_fetch(w, body, p + "output_layer_norm", D, d);
        e.blocks.push_back(BlockWeights{std::move(a), {}, std::move(ff)});
    }
    // Masked-LM head; vocab_projector is tied to the word embeddings unless the checkpoint has its own.
    e.head_transform = dense_fetch(w, head, "vocab_transform", D, D, d);
    e.head_norm = norm_fetch(w, head, "vocab_layer_norm", D, d);
    if (!c.tie_word_embeddings || weight_exists(w, {"vocab_projector.weight"}))
        e.decoder = matrix_fetch(w, {"vocab_projector.weight"}, {V, D}, oi, v);
    e.decoder_bias = weight_fetch(w, {"vocab_projector.bias"}, {V}, v);

    EncoderSpec s;
    s.architecture = "distilbert";
    s.n_layer = c.n_layer;
    s.n_head = c.n_head;
    s.n_embd = c.n_embd;
    s.n_vocab = c.n_vocab;
    s.n_ctx = c.n_positions;
    s.eps = 1e-12f;
    s.activation = s.head_activation = c.activation;
    return encoder_network(s, std::move(e), w);
}

}  // namespace attn
