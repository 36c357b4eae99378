// Encoder-only masked-LM networks (BERT, RoBERTa, DistilBERT) once their config and weights are read:
// embeddings, the post-LN layer stack, and the masked-LM head. Config keys and tensor names live in
// bert.cpp and distilbert.cpp; this file knows neither.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ops.h"
#include "model/model.h"
#include "model/post_ln.h"
#include "model/weight_store.h"

namespace attn {

struct EncoderSpec {
    std::string architecture;                 // "bert", "roberta", "distilbert"
    int n_layer = 0, n_head = 0, n_embd = 0, n_vocab = 0, n_ctx = 0;
    float eps = 1e-12f;
    Activation activation = Activation::gelu_erf;       // inside the layers
    Activation head_activation = Activation::gelu_erf;  // in the masked-LM head's transform
    // RoBERTa numbers positions from pad_token_id + 1 and leaves pad tokens at pad_token_id; -1: 0..T-1.
    int position_pad_id = -1;
};

struct EncoderWeights {
    Matrix word, position;     // (V, D), (max positions, D)
    Tensor32 token_type;       // (D) the token type 0 row; empty when the model has no token types
    int token_type_rows = 0;   // rows of the checkpoint's token-type table
    Norm embed_norm;
    std::vector<BlockWeights> blocks;           // one per layer: attention and feed-forward
    Dense head_transform;      // (D, D): dense -> activation -> head_norm
    Norm head_norm;
    Matrix decoder;            // (V, D); empty when tied to `word`
    Tensor32 decoder_bias;     // (V)
};

// Position ids as transformers makes them from input ids: 0..T-1, or with a pad id (RoBERTa's
// create_position_ids_from_input_ids) pad + (number of non-pad tokens up to and including t), and
// pad itself for a pad token.
std::vector<int> encoder_position_ids(const std::vector<int32_t>& ids, int pad_id);

// store keeps the file bytes the matrices point into alive.
std::unique_ptr<Network> encoder_network(const EncoderSpec& spec, EncoderWeights weights, const WeightStore& store);

}  // namespace attn
