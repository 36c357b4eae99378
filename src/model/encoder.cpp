// Encoder forward pass, transformers semantics (eager attention, no padding mask: one unpadded sequence):
//   h0 = LayerNorm(word[ids] + position[pos] (+ token_type[0])); per layer: post-LN attention, post-LN FFN;
//   logits = decoder(LayerNorm(act(transform(h)))) + bias. Not causal; no final norm, so the hidden
// states are the embedding output and each layer's output, as transformers reports them.
#include "model/encoder.h"

#include "core/linear.h"
#include "model/block.h"
#include "model/trace_fill.h"

namespace attn {

std::vector<int> encoder_position_ids(const std::vector<int32_t>& ids, int pad_id) {
    std::vector<int> positions(ids.size());
    int counted = 0;
    for (size_t t = 0; t < ids.size(); ++t) {
        if (pad_id < 0) {
            positions[t] = static_cast<int>(t);
        } else if (ids[t] == pad_id) {
            positions[t] = pad_id;
        } else {
            positions[t] = pad_id + ++counted;
        }
    }
    return positions;
}

namespace {

class Encoder : public Network {
public:
    Encoder(const EncoderSpec& spec, EncoderWeights weights, const WeightStore& store)
        : s_(spec), w_(std::move(weights)), store_(store) {
        info_.architecture = spec.architecture;
        info_.n_layer = spec.n_layer;
        info_.n_head = info_.n_kv_head = spec.n_head;
        info_.n_embd = spec.n_embd;
        info_.n_ctx = spec.n_ctx;
        info_.n_vocab = spec.n_vocab;
        info_.causal = false;
        model_info_add_weights(info_, store);
        recipe_.post_ln = true;
        recipe_.activation = spec.activation;
        recipe_.eps = spec.eps;
        recipe_.n_head = recipe_.n_kv_head = spec.n_head;
        recipe_.head_dim = spec.n_embd / spec.n_head;
        recipe_.causal = false;
    }

    const ModelInfo& info() const override { return info_; }

    Trace forward(const std::vector<int32_t>& ids, const TraceOptions& options) const override {
        const int T = static_cast<int>(ids.size()), D = s_.n_embd, L = s_.n_layer;
        Trace trace;
        trace.architecture = s_.architecture;
        trace.tokens.ids = ids;
        attention_allocate(trace.attentions, options.capture_attentions, L, s_.n_head, T, T, /*causal=*/false);
        hidden_allocate(trace.hidden_states, options.capture_hidden_states, L + 1, T, D);

        std::vector<float> h(static_cast<size_t>(T) * D);  // (T, D) residual stream
        std::vector<float> row(D);                         // (D) one position embedding
        const std::vector<int> positions = encoder_position_ids(ids, s_.position_pad_id);
        for (int t = 0; t < T; ++t) {
            float* ht = h.data() + static_cast<size_t>(t) * D;
            weight_row_f32(w_.word.view, ids[t], ht);
            weight_row_f32(w_.position.view, positions[t], row.data());
            add_inplace(ht, row.data(), D);
            if (!w_.token_type.values.empty()) add_inplace(ht, w_.token_type.data(), D);
        }
        layer_norm(h.data(), T, D, w_.embed_norm.w.data(), w_.embed_norm.b.data(), s_.eps, h.data());

        StackCapture capture{&trace.attentions, nullptr, &trace.hidden_states};
        stack_forward(recipe_, w_.blocks, h, T, nullptr, 0, capture, options.hooks, "");
        hidden_capture(trace.hidden_states, L, h);

        std::vector<float> x(h.size());  // (T, D) the head's transformed states
        linear(h.data(), T, w_.head_transform.w.view, w_.head_transform.b.data(), x.data());
        activation_apply(s_.head_activation, x.data(), static_cast<long>(x.size()));
        layer_norm(x.data(), T, D, w_.head_norm.w.data(), w_.head_norm.b.data(), s_.eps, x.data());
        logits_compute(trace, x, T, D, w_.decoder.empty() ? w_.word.view : w_.decoder.view, options);
        for (size_t p = 0; p < trace.logit_positions.size(); ++p)
            add_inplace(trace.logits.data() + p * trace.n_vocab, w_.decoder_bias.data(), trace.n_vocab);
        return trace;
    }

private:
    EncoderSpec s_;
    BlockRecipe recipe_;   // post-LN, LayerNorm, plain MLP, bidirectional
    EncoderWeights w_;
    WeightStore store_;  // keeps the file bytes the matrices point into alive
    ModelInfo info_;
};

}  // namespace

std::unique_ptr<Network> encoder_network(const EncoderSpec& spec, EncoderWeights weights, const WeightStore& store) {
    return std::make_unique<Encoder>(spec, std::move(weights), store);
}

}  // namespace attn
