// BART forward pass, transformers semantics (eager attention, one unpadded sequence each side):
//   encoder: h0 = LayerNorm(embed[src] * scale + pos[s + 2]); per layer post-LN self attention, post-LN FFN.
//   decoder: g0 = LayerNorm(embed[dec] * scale + pos[t + 2]); per layer post-LN causal self attention,
//            post-LN cross attention over the encoder output, post-LN FFN.
//   logits = g @ lm_head^T + final_logits_bias. No final norm: hidden states are each stack's embedding
//   output and its layers' outputs, as transformers reports them.
#include "model/bart.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/gemm.h"
#include "core/linear.h"
#include "model/forward_job.h"
#include "model/post_ln.h"
#include "model/trace_fill.h"
#include "model/weight_fetch.h"

namespace attn {
namespace {

struct BartConfig {
    int n_embd = 0, n_vocab = 0, n_ctx = 0;
    int n_enc_layer = 0, n_enc_head = 0, n_enc_ff = 0;
    int n_dec_layer = 0, n_dec_head = 0, n_dec_ff = 0;
    int decoder_start = -1;
    float embed_scale = 1.0f;
    Activation activation = Activation::gelu_erf;
    bool tie_word_embeddings = true;
};

// BART's learned position tables carry two extra rows: position t reads row t + 2.
constexpr int kPositionOffset = 2;
// nn.LayerNorm's default; BART does not make it configurable.
constexpr float kEps = 1e-5f;

BartConfig bart_config_parse(const Json& j) {
    const std::string file = "config.json";
    BartConfig c;
    c.n_embd = json_get_size(j, "d_model", file);
    c.n_vocab = json_get_size(j, "vocab_size", file);
    c.n_ctx = json_get_size_or(j, "max_position_embeddings", 1024, file);
    c.n_enc_layer = json_get_size(j, "encoder_layers", file);
    c.n_enc_head = json_get_size(j, "encoder_attention_heads", file);
    c.n_enc_ff = json_get_size(j, "encoder_ffn_dim", file);
    c.n_dec_layer = json_get_size(j, "decoder_layers", file);
    c.n_dec_head = json_get_size(j, "decoder_attention_heads", file);
    c.n_dec_ff = json_get_size(j, "decoder_ffn_dim", file);
    c.tie_word_embeddings = json_get_bool_or(j, "tie_word_embeddings", true, file);
    if (json_get_bool_or(j, "scale_embedding", false, file)) c.embed_scale = std::sqrt(static_cast<float>(c.n_embd));
    std::string act = json_get_string_or(j, "activation_function", "gelu", file);
    if (!activation_from_name(act, &c.activation))
        throw Error(file + ": activation_function '" + act +
                    "' is not supported (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu)");
    for (auto [key, heads] : {std::pair<const char*, int>{"encoder_attention_heads", c.n_enc_head},
                              std::pair<const char*, int>{"decoder_attention_heads", c.n_dec_head}})
        if (c.n_embd % heads != 0)
            throw Error(file + ": d_model=" + std::to_string(c.n_embd) + " is not divisible by " + key + "=" +
                        std::to_string(heads));
    // transformers starts decoding from decoder_start_token_id, else from bos_token_id.
    c.decoder_start = static_cast<int>(
        json_get_int_or(j, "decoder_start_token_id", json_get_int_or(j, "bos_token_id", -1, file), file));
    if (c.decoder_start < 0 || c.decoder_start >= c.n_vocab)
        throw Error(file + ": decoder_start_token_id (or bos_token_id) must name a token in [0, vocab_size=" +
                    std::to_string(c.n_vocab) + ")");
    return c;
}

// (n, D) = LayerNorm(embed[ids] * embed_scale + positions[t + 2]).
std::vector<float> bart_embed(const BartWeights& w, int D, const std::vector<int32_t>& ids, const Matrix& tokens,
                              const Matrix& positions, const Norm& norm) {
    const int n = static_cast<int>(ids.size());
    std::vector<float> h(static_cast<size_t>(n) * D);  // (n, D)
    std::vector<float> row(D);                         // (D)
    for (int t = 0; t < n; ++t) {
        float* ht = h.data() + static_cast<size_t>(t) * D;
        weight_row_f32(tokens.view, ids[t], ht);
        for (int i = 0; i < D; ++i) ht[i] *= w.embed_scale;
        weight_row_f32(positions.view, t + w.position_offset, row.data());
        add_inplace(ht, row.data(), D);
    }
    layer_norm(h.data(), n, D, norm.w.data(), norm.b.data(), kEps, h.data());
    return h;
}

// The forward pass in steps: the encoder's embeddings, its stack's steps (a block each, or its parts past
// TraceOptions::step_multiply_adds), the decoder's embeddings, its stack's steps (cross attention reads
// the finished encoder output), the logits' rows, then the LM head's columns in runs, the final logits
// bias with the last.
class BartForwardJob : public ForwardJob {
public:
    BartForwardJob(const BartWeights& w, int D, const std::vector<int32_t>& source_ids,
                   const std::vector<int32_t>& decoder_ids, const TraceOptions& options)
        : w_(w), D_(D), source_ids_(source_ids), decoder_ids_(decoder_ids), options_(options),
          decoder_hooks_(options.hooks.for_decoder()) {
        const int S = static_cast<int>(source_ids.size()), T = static_cast<int>(decoder_ids.size());
        const int P = options.logit_positions.empty() ? 1 : static_cast<int>(options.logit_positions.size());
        head_columns_ = columns_per_run(w.unembed().view, P, options.step_multiply_adds);
        steps_total_ = 1 + StackRun::steps_for(w.enc_recipe, w.enc, S, 0, options.step_multiply_adds) + 1 +
                       StackRun::steps_for(w.dec_recipe, w.dec, T, S, options.step_multiply_adds) + 1 +
                       column_runs(w.unembed().view, P, options.step_multiply_adds);
    }
    BartForwardJob(const BartForwardJob&) = delete;   // the runs point into trace_, enc_, dec_ and the hooks
    BartForwardJob& operator=(const BartForwardJob&) = delete;

    int steps_total() const override { return steps_total_; }
    int steps_done() const override { return std::min(next_, steps_total_); }   // a progress bar's, never past
    // From the runs themselves, not the count: a steps_total that missed a step cannot end the trace
    // early, nor one that counted too many run the head (and its bias) again.
    bool done() const override { return head_begun_ && head_next_ * head_columns_ >= w_.unembed().view.n_out(); }
    void step() override {
        if (done()) return;
        if (next_ == 0) encoder_begin();
        else if (!encoder_run_->done()) encoder_run_->step();
        else if (!decoder_run_) decoder_begin();
        else if (!decoder_run_->done()) decoder_run_->step();
        else if (!head_begun_) head_begin();
        else head_run();
        ++next_;
    }
    Trace take() override { return std::move(trace_); }

private:
    void encoder_begin() {
        const int S = static_cast<int>(source_ids_.size()), T = static_cast<int>(decoder_ids_.size());
        const int LE = static_cast<int>(w_.enc.size()), LD = static_cast<int>(w_.dec.size());
        const bool attn = options_.capture_attentions, hidden = options_.capture_hidden_states;
        trace_.architecture = "bart";
        trace_.tokens.ids = source_ids_;
        trace_.decoder_tokens.ids = decoder_ids_;
        attention_allocate(trace_.attentions, attn, LE, w_.enc_recipe.n_head, S, S, /*causal=*/false);
        attention_allocate(trace_.decoder_attentions, attn, LD, w_.dec_recipe.n_head, T, T, /*causal=*/true);
        attention_allocate(trace_.cross_attentions, attn, LD, w_.dec_recipe.n_head, T, S, /*causal=*/false);
        hidden_allocate(trace_.hidden_states, hidden, LE + 1, S, D_);
        hidden_allocate(trace_.decoder_hidden_states, hidden, LD + 1, T, D_);
        enc_ = bart_embed(w_, D_, source_ids_, w_.enc_embed, w_.enc_pos, w_.enc_embed_norm);
        StackCapture capture{attn ? &trace_.attentions : nullptr, nullptr, &trace_.hidden_states};
        encoder_run_ = std::make_unique<StackRun>(w_.enc_recipe, w_.enc, enc_, S, nullptr, 0, capture, options_.hooks, "", true,
                                              options_.step_multiply_adds);
    }

    void decoder_begin() {
        const int S = static_cast<int>(source_ids_.size()), T = static_cast<int>(decoder_ids_.size());
        const bool attn = options_.capture_attentions;
        hidden_capture(trace_.hidden_states, static_cast<int>(w_.enc.size()), enc_);
        dec_ = bart_embed(w_, D_, decoder_ids_, w_.dec_embed, w_.dec_pos, w_.dec_embed_norm);
        StackCapture capture{attn ? &trace_.decoder_attentions : nullptr, attn ? &trace_.cross_attentions : nullptr,
                             &trace_.decoder_hidden_states};
        decoder_run_ = std::make_unique<StackRun>(w_.dec_recipe, w_.dec, dec_, T, enc_.data(), S, capture, decoder_hooks_,
                                              "decoder.", true, options_.step_multiply_adds);
    }

    // The decoder's last hidden state and the rows logits are kept for.
    void head_begin() {
        head_begun_ = true;
        hidden_capture(trace_.decoder_hidden_states, static_cast<int>(w_.dec.size()), dec_);
        head_rows_ = logits_begin(trace_, dec_.data(), static_cast<int>(decoder_ids_.size()), D_, w_.unembed().view.n_out(),
                                  options_);
    }

    void head_run() {
        const WeightMatrix& unembed = w_.unembed().view;
        const int P = static_cast<int>(trace_.logit_positions.size());
        const int n0 = head_next_ * head_columns_, n1 = std::min(unembed.n_out(), n0 + head_columns_);
        gemm_columns(head_rows_.data(), P, unembed, nullptr, trace_.logits.data(), n0, n1);
        if (++head_next_ * head_columns_ < unembed.n_out() || w_.final_logits_bias.values.empty()) return;
        for (int i = 0; i < P; ++i)
            add_inplace(trace_.logits.data() + static_cast<size_t>(i) * trace_.n_vocab, w_.final_logits_bias.data(),
                        trace_.n_vocab);
    }

    const BartWeights& w_;
    int D_;
    std::vector<int32_t> source_ids_, decoder_ids_;
    TraceOptions options_;
    ForwardHooks decoder_hooks_;   // the decoder's gates and knockouts, the same observer
    Trace trace_;
    std::vector<float> enc_, dec_;   // (S, D) and (T, D) residual streams
    std::unique_ptr<StackRun> encoder_run_, decoder_run_;
    bool head_begun_ = false;
    std::vector<float> head_rows_;   // (P, D)
    int head_columns_ = 0, head_next_ = 0;
    int steps_total_ = 0;
    int next_ = 0;
};

class Bart : public Network {
public:
    Bart(const BartConfig& c, const WeightStore& w) : c_(c), store_(w) {
        const int64_t D = c.n_embd, V = c.n_vocab, P = c.n_ctx + kPositionOffset;
        NameVariants names = [](const std::string& n) { return std::vector<std::string>{"model." + n, n}; };
        const auto oi = WeightLayout::out_in;
        const std::string d = "d_model=" + std::to_string(D);
        const std::string v = "vocab_size=" + std::to_string(V) + ", " + d;
        const std::string p = "max_position_embeddings=" + std::to_string(c.n_ctx) + " (+2), " + d;
        // The encoder and decoder embeddings are tied to model.shared; checkpoints may store any of them.
        auto embed_names = [&](const std::string& own) {
            std::vector<std::string> all = names(own);
            for (const char* other : {"shared.weight", "encoder.embed_tokens.weight", "decoder.embed_tokens.weight"})
                for (const std::string& n : names(other)) all.push_back(n);
            return all;
        };
        w_.enc_embed = matrix_fetch(w, embed_names("encoder.embed_tokens.weight"), {V, D}, oi, v);
        w_.dec_embed = matrix_fetch(w, embed_names("decoder.embed_tokens.weight"), {V, D}, oi, v);
        w_.enc_pos = matrix_fetch(w, names("encoder.embed_positions.weight"), {P, D}, oi, p);
        w_.dec_pos = matrix_fetch(w, names("decoder.embed_positions.weight"), {P, D}, oi, p);
        w_.enc_embed_norm = norm_fetch(w, names, "encoder.layernorm_embedding", D, d);
        w_.dec_embed_norm = norm_fetch(w, names, "decoder.layernorm_embedding", D, d);
        auto attention = [&](const std::string& base, int64_t heads) {
            const std::string a = d + ", heads=" + std::to_string(heads);
            AttentionBlock b;
            b.q = dense_fetch(w, names, base + ".q_proj", D, D, a);
            b.k = dense_fetch(w, names, base + ".k_proj", D, D, a);
            b.v = dense_fetch(w, names, base + ".v_proj", D, D, a);
            b.out = dense_fetch(w, names, base + ".out_proj", D, D, a);
            b.norm = norm_fetch(w, names, base + "_layer_norm", D, a);
            return b;
        };
        auto feed_forward = [&](const std::string& base, int64_t F, const char* key) {
            const std::string f = d + ", " + key + "=" + std::to_string(F);
            FeedForwardBlock b;
            b.fc1 = dense_fetch(w, names, base + "fc1", F, D, f);
            b.fc2 = dense_fetch(w, names, base + "fc2", D, F, f);
            b.norm = norm_fetch(w, names, base + "final_layer_norm", D, f);
            return b;
        };
        for (int l = 0; l < c.n_enc_layer; ++l) {
            const std::string base = "encoder.layers." + std::to_string(l) + ".";
            w_.enc.push_back(BlockWeights{attention(base + "self_attn", c.n_enc_head), {},
                                        feed_forward(base, c.n_enc_ff, "encoder_ffn_dim")});
        }
        for (int l = 0; l < c.n_dec_layer; ++l) {
            const std::string base = "decoder.layers." + std::to_string(l) + ".";
            w_.dec.push_back(BlockWeights{attention(base + "self_attn", c.n_dec_head),
                                            attention(base + "encoder_attn", c.n_dec_head),
                                            feed_forward(base, c.n_dec_ff, "decoder_ffn_dim")});
        }
        if (!c.tie_word_embeddings || weight_exists(w, {"lm_head.weight"}))
            w_.lm_head = matrix_fetch(w, {"lm_head.weight"}, {V, D}, oi, v);
        // A buffer in BartForConditionalGeneration (zeros unless trained); older exports may lack it.
        if (weight_exists(w, {"final_logits_bias"}))
            w_.final_logits_bias = weight_fetch(w, {"final_logits_bias"}, {1, V}, v);

        info_.architecture = "bart";
        info_.n_layer = c.n_enc_layer;
        info_.n_head = info_.n_kv_head = c.n_enc_head;
        info_.n_decoder_layer = c.n_dec_layer;
        info_.n_decoder_head = c.n_dec_head;
        info_.n_embd = c.n_embd;
        info_.n_ctx = c.n_ctx;
        info_.n_vocab = c.n_vocab;
        info_.decoder_start_token_id = c.decoder_start;
        info_.causal = false;
        info_.encoder_decoder = true;
        model_info_add_weights(info_, w);
        w_.enc_recipe.post_ln = true;
        w_.enc_recipe.activation = c.activation;
        w_.enc_recipe.eps = kEps;
        w_.enc_recipe.n_head = w_.enc_recipe.n_kv_head = c.n_enc_head;
        w_.enc_recipe.head_dim = c.n_embd / c.n_enc_head;
        w_.dec_recipe = w_.enc_recipe;
        w_.dec_recipe.n_head = w_.dec_recipe.n_kv_head = c.n_dec_head;
        w_.dec_recipe.head_dim = c.n_embd / c.n_dec_head;
        w_.dec_recipe.causal = true;
        w_.dec_recipe.cross = true;
        w_.embed_scale = c.embed_scale;
        w_.position_offset = kPositionOffset;
    }

    const ModelInfo& info() const override { return info_; }
    void pack_weights() override { attn::pack_weights(w_.packed, bart_layer_matrices(w_)); }
    bool pack_weights_step() override { return attn::pack_weights_step(w_.packed, bart_layer_matrices(w_)); }
    void weights_will_change() override { unpack_weights(w_.packed, bart_layer_matrices(w_)); }
    int packed_in_place() const override { return attn::packed_in_place(bart_layer_matrices(const_cast<BartWeights&>(w_))); }   // reads only

    // A source alone is traced with the decoder at its start token, as generation's first step sees it.
    Trace forward(const std::vector<int32_t>& ids, const TraceOptions& options) const override {
        return forward_seq2seq(ids, {c_.decoder_start}, options);
    }
    std::unique_ptr<ForwardJob> forward_job(const std::vector<int32_t>& ids, const TraceOptions& options) const override {
        return forward_seq2seq_job(ids, {c_.decoder_start}, options);
    }

    std::unique_ptr<ForwardJob> forward_seq2seq_job(const std::vector<int32_t>& source_ids,
                                                    const std::vector<int32_t>& decoder_ids,
                                                    const TraceOptions& options) const override {
        return std::make_unique<BartForwardJob>(w_, c_.n_embd, source_ids, decoder_ids, options);
    }

public:
    BartWeights w_;

private:
    BartConfig c_;
    WeightStore store_;                  // keeps the file bytes the matrices point into alive
    ModelInfo info_;
};

}  // namespace

LayerMatrices bart_layer_matrices(BartWeights& w) {
    LayerMatrices m;
    for (std::vector<BlockWeights>* stack : {&w.enc, &w.dec})
        for (BlockWeights& b : *stack) add_block_matrices(m, b);
    m.tables = {&w.enc_embed, &w.dec_embed, &w.enc_pos, &w.dec_pos, &w.lm_head};
    return m;
}

std::unique_ptr<Network> bart_load(const Json& config, const WeightStore& weights) {
    return std::make_unique<Bart>(bart_config_parse(config), weights);
}

const BartWeights* bart_weights(const Network& network) {
    const Bart* b = dynamic_cast<const Bart*>(&network);
    return b ? &b->w_ : nullptr;
}

BartWeights* bart_weights_mutable(Network& network) {
    Bart* b = dynamic_cast<Bart*>(&network);
    return b ? &b->w_ : nullptr;
}

}  // namespace attn
