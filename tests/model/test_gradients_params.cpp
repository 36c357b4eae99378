// Parameter gradients of whole small models against central finite differences: a GPT-2-like (pre-LN,
// fused Conv1D q|k|v, tied embeddings), a Llama-like (RMSNorm, SwiGLU, RoPE, GQA, q/k/v biases, untied
// head) and a BERT-like model (post-LN, embedding norm, token types, RoBERTa positions, MLM head), each
// 2 layers, D = 8, built in code with random f32 weights. Sampled entries of EVERY parameter tensor, the pass
// run in double; the f32 pass then against the double one on every entry.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>

#include "model/body.h"
#include "model/gradients.h"
#include "model/rope.h"

using namespace attn;

namespace {

constexpr int kD = 8, kF = 16, kV = 11, kLayers = 2;

// Builds random named tensors and remembers where each one's values live, so they can be perturbed.
struct Maker {
    std::mt19937 rng;
    std::map<std::string, std::pair<float*, size_t>> params;   // name -> (values, count)
    explicit Maker(unsigned seed) : rng(seed) {}

    float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
    Matrix matrix(const std::string& name, int rows, int cols, WeightLayout layout, float scale) {
        auto values = std::make_shared<std::vector<float>>(static_cast<size_t>(rows) * cols);
        for (float& v : *values) v = uniform(-scale, scale);
        params[name] = {values->data(), values->size()};
        Matrix m;
        m.name = name;
        m.view = WeightMatrix{DType::F32, rows, cols, values->data(), layout};
        m.owned = values;
        return m;
    }
    // Fills t and records it; call once t sits where it stays (its buffer does not move afterwards).
    void vector(Tensor32& t, const std::string& name, int n, float center, float scale) {
        t.name = name;
        t.shape = {n};
        t.values.resize(n);
        for (float& v : t.values) v = center + uniform(-scale, scale);
        params[name] = {t.values.data(), t.values.size()};
    }
    void norm(Norm& n, const std::string& base, bool bias) {
        vector(n.w, base + ".weight", kD, 1.0f, 0.3f);
        if (bias) vector(n.b, base + ".bias", kD, 0.0f, 0.3f);
    }
    Dense dense(const std::string& base, int n_out, int n_in, WeightLayout layout, bool bias) {
        Dense d;
        d.w = layout == WeightLayout::out_in ? matrix(base + ".weight", n_out, n_in, layout, 0.6f)
                                             : matrix(base + ".weight", n_in, n_out, layout, 0.6f);
        if (bias) vector(d.b, base + ".bias", n_out, 0.0f, 0.2f);
        return d;
    }
};

void gpt2_like(Body& b, Maker& m) {
    const auto io = WeightLayout::in_out;
    b.embed.token = m.matrix("wte.weight", kV, kD, WeightLayout::out_in, 1.0f);
    b.embed.position = m.matrix("wpe.weight", 16, kD, WeightLayout::out_in, 0.5f);
    b.blocks.resize(kLayers);
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "h." + std::to_string(l) + ".";
        BlockWeights& w = b.blocks[l];
        m.norm(w.attn.norm, p + "ln_1", true);
        w.attn.qkv = m.dense(p + "attn.c_attn", 3 * kD, kD, io, true);
        w.attn.out = m.dense(p + "attn.c_proj", kD, kD, io, true);
        m.norm(w.ffn.norm, p + "ln_2", true);
        w.ffn.fc1 = m.dense(p + "mlp.c_fc", kF, kD, io, true);
        w.ffn.fc2 = m.dense(p + "mlp.c_proj", kD, kF, io, true);
    }
    m.norm(b.head.final_norm, "ln_f", true);
    b.recipe.activation = Activation::gelu_tanh;
    b.recipe.n_head = b.recipe.n_kv_head = 2;
    b.recipe.head_dim = kD / 2;
    b.recipe.causal = true;
}

void llama_like(Body& b, Maker& m) {
    const auto oi = WeightLayout::out_in;
    const int H = 4, KV = 2, hd = 4;
    b.embed.token = m.matrix("model.embed_tokens.weight", kV, kD, oi, 1.0f);
    b.blocks.resize(kLayers);
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        BlockWeights& w = b.blocks[l];
        m.norm(w.attn.norm, p + "input_layernorm", false);
        w.attn.q = m.dense(p + "self_attn.q_proj", H * hd, kD, oi, true);
        w.attn.k = m.dense(p + "self_attn.k_proj", KV * hd, kD, oi, true);
        w.attn.v = m.dense(p + "self_attn.v_proj", KV * hd, kD, oi, true);
        w.attn.out = m.dense(p + "self_attn.o_proj", kD, H * hd, oi, false);
        m.norm(w.ffn.norm, p + "post_attention_layernorm", false);
        w.ffn.fc1 = m.dense(p + "mlp.gate_proj", kF, kD, oi, false);
        w.ffn.up = m.dense(p + "mlp.up_proj", kF, kD, oi, false);
        w.ffn.fc2 = m.dense(p + "mlp.down_proj", kD, kF, oi, false);
    }
    m.norm(b.head.final_norm, "model.norm", false);
    b.head.unembed = m.matrix("lm_head.weight", kV, kD, oi, 1.0f);
    RopeConfig rope;
    rope.rotary_dim = hd;
    b.rope_inv_freq = rope_inv_freq(rope);
    BlockRecipe& r = b.recipe;
    r.norm = NormKind::rms_norm;
    r.mlp = MlpKind::gated;
    r.activation = Activation::silu;
    r.n_head = H;
    r.n_kv_head = KV;
    r.head_dim = hd;
    r.causal = true;
    r.rope_inv_freq = &b.rope_inv_freq;
    r.rotary_dim = hd;
}

void bert_like(Body& b, Maker& m) {
    const auto oi = WeightLayout::out_in;
    b.embed.token = m.matrix("roberta.embeddings.word_embeddings.weight", kV, kD, oi, 1.0f);
    b.embed.position = m.matrix("roberta.embeddings.position_embeddings.weight", 16, kD, oi, 0.5f);
    b.embed.position_pad_id = 1;
    m.vector(b.embed.token_type, "roberta.embeddings.token_type_embeddings.weight", kD, 0.0f, 0.5f);
    b.embed.token_type_rows = 2;
    m.norm(b.embed.norm, "roberta.embeddings.LayerNorm", true);
    b.blocks.resize(kLayers);
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "roberta.encoder.layer." + std::to_string(l) + ".";
        BlockWeights& w = b.blocks[l];
        w.attn.q = m.dense(p + "attention.self.query", kD, kD, oi, true);
        w.attn.k = m.dense(p + "attention.self.key", kD, kD, oi, true);
        w.attn.v = m.dense(p + "attention.self.value", kD, kD, oi, true);
        w.attn.out = m.dense(p + "attention.output.dense", kD, kD, oi, true);
        m.norm(w.attn.norm, p + "attention.output.LayerNorm", true);
        w.ffn.fc1 = m.dense(p + "intermediate.dense", kF, kD, oi, true);
        w.ffn.fc2 = m.dense(p + "output.dense", kD, kF, oi, true);
        m.norm(w.ffn.norm, p + "output.LayerNorm", true);
    }
    b.head.transform = m.dense("lm_head.dense", kD, kD, oi, true);
    m.norm(b.head.transform_norm, "lm_head.layer_norm", true);
    m.vector(b.head.bias, "lm_head.bias", kV, 0.0f, 0.3f);
    b.recipe.post_ln = true;
    b.recipe.activation = Activation::gelu_erf;
    b.recipe.eps = 1e-12f;
    b.recipe.n_head = b.recipe.n_kv_head = 2;
    b.recipe.head_dim = kD / 2;
}

// Central differences in double (body_gradients_f64 widens the f32 weights) on four entries of every
// tensor. The weights themselves stay f32, so the step is what f32 can represent: (w + h) - (w - h) as
// stored. Then the f32 pass's parameter gradients against the double ones, on every entry.
void check_params(Body& body, Maker& m, const std::vector<int32_t>& ids, int position) {
    GradRequest request;
    request.score.position = position;
    request.want_param_grads = true;
    Expected<GradResult> g = body_gradients_f64(body, ids, request);
    REQUIRE_MESSAGE(g.ok(), g.error().message);
    CHECK(g->param_grads.size() == m.params.size());
    GradRequest score_only = request;
    score_only.backward = false;
    score_only.want_param_grads = false;
    score_only.score.target = g->target;
    auto score = [&] {
        Expected<GradResult> s = body_gradients_f64(body, ids, score_only);
        REQUIRE(s.ok());
        return s->score_f64;
    };
    const float step = 1e-3f;
    int checked = 0;
    for (const ParamGrad& pg : g->param_grads) {
        INFO(pg.name);
        auto it = m.params.find(pg.name);
        REQUIRE(it != m.params.end());
        float* values = it->second.first;
        const size_t n = it->second.second;
        size_t numel = 1;
        for (int64_t s : pg.shape) numel *= static_cast<size_t>(s);
        REQUIRE(pg.grad.size() == numel);
        CHECK(numel >= n);   // the token-type table has a second row the body never reads
        for (size_t i = n; i < numel; ++i) CHECK(pg.grad[i] == 0.0f);
        for (int k = 0; k < 4; ++k) {
            const size_t i = m.rng() % n;
            const float saved = values[i];
            values[i] = saved + step;
            const double w_up = values[i], up = score();
            values[i] = saved - step;
            const double w_down = values[i], down = score();
            values[i] = saved;
            const double fd = (up - down) / (w_up - w_down);
            INFO("entry " << i << ": finite difference " << fd << ", backward " << pg.grad[i]);
            CHECK(std::fabs(fd - pg.grad[i]) <= 1e-6 + 1e-5 * std::fabs(fd));
            ++checked;
        }
    }
    CHECK(checked == 4 * static_cast<int>(m.params.size()));

    // The f32 pass (Eigen kernels, what the app runs) against the double one.
    Expected<GradResult> f = body_gradients(body, ids, request);
    REQUIRE(f.ok());
    REQUIRE(f->param_grads.size() == g->param_grads.size());
    for (size_t t = 0; t < f->param_grads.size(); ++t) {
        const ParamGrad &single = f->param_grads[t], &twice = g->param_grads[t];
        INFO(single.name);
        CHECK(single.name == twice.name);
        REQUIRE(single.grad.size() == twice.grad.size());
        for (size_t i = 0; i < single.grad.size(); ++i)
            CHECK(std::fabs(single.grad[i] - twice.grad[i]) <= 1e-5 + 1e-4 * std::fabs(twice.grad[i]));
    }
}

}  // namespace

TEST_CASE("parameter gradients, whole GPT-2-like model (2 layers, D=8): finite differences, every tensor") {
    Maker m(1);
    Body body;
    gpt2_like(body, m);
    check_params(body, m, {3, 7, 1, 9, 4, 2}, -1);
}

TEST_CASE("parameter gradients, whole Llama-like model (RoPE, GQA, SwiGLU): finite differences, every tensor") {
    Maker m(2);
    Body body;
    llama_like(body, m);
    check_params(body, m, {3, 7, 1, 9, 4, 2}, -1);
}

TEST_CASE("parameter gradients, whole BERT-like model (post-LN, MLM head): finite differences, every tensor") {
    Maker m(3);
    Body body;
    bert_like(body, m);
    check_params(body, m, {0, 5, 8, 10, 6, 2}, 2);
}

TEST_CASE("parameter gradients: the tied unembedding is summed once into the token table") {
    Maker m(4);
    Body body;
    gpt2_like(body, m);
    GradRequest request;
    request.want_param_grads = true;
    Expected<GradResult> g = body_gradients(body, {3, 7, 1}, request);
    REQUIRE(g.ok());
    int tables = 0;
    for (const ParamGrad& p : g->param_grads) tables += p.name == "wte.weight";
    CHECK(tables == 1);
    // Token 10 is not in the input: its row's gradient comes from the unembedding alone.
    const ParamGrad& wte = g->param_grads[0];
    REQUIRE(wte.name == "wte.weight");
    float row10 = 0.0f;
    for (int i = 0; i < kD; ++i) row10 += std::fabs(wte.grad[10 * kD + i]);
    CHECK(row10 > 0.0f);
}
