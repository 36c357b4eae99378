// Encoders as a Body (model/body.h), transformers semantics (eager attention, no padding mask: one sequence):
//   h0 = LayerNorm(word[ids] + position[pos] (+ token_type[0])); per layer: post-LN attention, post-LN FFN;
//   logits = decoder(LayerNorm(act(transform(h)))) + bias. Not causal; no final norm, so the hidden
// states are the embedding output and each layer's output, as transformers reports them.
#include "model/encoder.h"

#include "model/body.h"

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

std::unique_ptr<Network> encoder_network(const EncoderSpec& spec, EncoderWeights weights, const WeightStore& store) {
    ModelInfo info;
    info.architecture = spec.architecture;
    info.n_layer = spec.n_layer;
    info.n_head = info.n_kv_head = spec.n_head;
    info.n_embd = spec.n_embd;
    info.n_ctx = spec.n_ctx;
    info.n_vocab = spec.n_vocab;
    info.causal = false;
    model_info_add_weights(info, store);

    Body body;
    body.architecture = spec.architecture;
    body.embed.token = std::move(weights.word);
    body.embed.position = std::move(weights.position);
    body.embed.position_pad_id = spec.position_pad_id;
    body.embed.token_type = std::move(weights.token_type);
    body.embed.token_type_rows = weights.token_type_rows;
    body.embed.norm = std::move(weights.embed_norm);
    body.blocks = std::move(weights.blocks);
    body.head.transform = std::move(weights.head_transform);
    body.head.transform_activation = spec.head_activation;
    body.head.transform_norm = std::move(weights.head_norm);
    body.head.unembed = std::move(weights.decoder);
    body.head.bias = std::move(weights.decoder_bias);
    BlockRecipe& r = body.recipe;   // post-LN, LayerNorm, plain MLP, bidirectional
    r.post_ln = true;
    r.activation = spec.activation;
    r.eps = spec.eps;
    r.n_head = r.n_kv_head = spec.n_head;
    r.head_dim = spec.n_embd / spec.n_head;
    r.causal = false;
    return body_network(std::move(body), info, store);
}

}  // namespace attn
