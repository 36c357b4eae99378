// BART (BartForConditionalGeneration): config.json keys, tensor names (with or without "model."), and
// the encoder-decoder forward pass: encoder self attention, causal decoder self attention, and cross
// attention from decoder queries to the encoder's output. It does not tokenize or generate
// (generate.h does).
#pragma once
#include <memory>

#include "core/json.h"
#include "model/block.h"
#include "model/model.h"
#include "model/weight_pack.h"
#include "model/weight_store.h"

namespace attn {

std::unique_ptr<Network> bart_load(const Json& config, const WeightStore& weights);

// A loaded BART's weights and recipes, as its forward reads them: what the seq2seq differentiable pass
// (model/seq2seq_gradients.h) runs and the trainer re-points at its own f32 copies.
struct BartWeights {
    Matrix enc_embed, dec_embed;       // (V, D) each, usually the same shared table
    Matrix enc_pos, dec_pos;           // (n_ctx + 2, D): position t reads row t + position_offset
    Matrix lm_head;                    // (V, D) only when untied
    Norm enc_embed_norm, dec_embed_norm;
    Tensor32 final_logits_bias;        // (1, V) or empty
    BlockRecipe enc_recipe;            // post-LN, bidirectional
    BlockRecipe dec_recipe;            // post-LN, causal, with cross attention on the encoder's output
    std::vector<BlockWeights> enc, dec;
    float embed_scale = 1.0f;          // sqrt(d_model) with scale_embedding
    int position_offset = 2;
    PackedWeights packed;              // both stacks' matrices packed for the product (model/weight_pack.h)
    const Matrix& unembed() const { return lm_head.empty() ? dec_embed : lm_head; }
};
// Both stacks' layer matrices, encoder first, and the tables (weight_pack.h).
LayerMatrices bart_layer_matrices(BartWeights& w);
// The weights of a BART network (null for any other network). The mutable one is for the trainer only: it
// may re-point matrices at storage it keeps alive for the network's lifetime.
const BartWeights* bart_weights(const Network& network);
BartWeights* bart_weights_mutable(Network& network);

}  // namespace attn
