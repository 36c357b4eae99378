// What surrounds the shared block layer in a decoder-only or encoder model, as data: the embeddings, the
// block recipe and weights, and the head. An architecture's file only parses config.json and fills a Body
// (gpt2.cpp, llama.cpp, encoder.cpp); body_forward runs every one of them, and the differentiable pass
// (model/gradients.h) reads the same Body, so an architecture never needs a forward of its own.
//
//   Body b;  b.architecture = "gpt2";  b.embed.token = matrix_fetch(...);  b.recipe.causal = true;  ...
//   std::unique_ptr<Network> net = body_network(std::move(b), info, store);
//   Trace t = net->forward(ids, options);
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/block.h"
#include "model/model.h"
#include "model/weight_fetch.h"
#include "model/weight_pack.h"
#include "model/weight_store.h"

namespace attn {

// h0 = norm(token_scale * token[id] + position[pos] + token_type), the residual stream entering layer 0.
struct EmbedWeights {
    Matrix token;               // (V, D)
    Matrix position;            // (n_positions, D) absolute positions; empty: none (RoPE models)
    int position_pad_id = -1;   // RoBERTa numbers positions from pad + 1 (encoder_position_ids); -1: 0..T-1
    Tensor32 token_type;        // (D) the token type 0 row; empty: none
    int token_type_rows = 0;    // rows of the checkpoint's token-type table (its gradient's shape)
    Norm norm;                  // a LayerNorm after the sum (encoders); empty w: none
    float token_scale = 1.0f;
};

// logits = unembed(transform_norm(act(transform(final_norm(h))))) + bias, each stage optional.
struct HeadWeights {
    Norm final_norm;                  // pre-LN models: the recipe's norm kind; empty w: none
    Dense transform;                  // masked-LM heads (BERT, RoBERTa, DistilBERT): (D, D); empty: none
    Activation transform_activation = Activation::gelu_erf;
    Norm transform_norm;              // the LayerNorm after the transform
    Matrix unembed;                   // (V, D); empty: tied to embed.token
    Tensor32 bias;                    // (V); empty: none
};

struct Body {
    std::string architecture;         // the Trace's architecture name
    EmbedWeights embed;
    BlockRecipe recipe;               // every norm of the body uses recipe.eps
    std::vector<BlockWeights> blocks;
    HeadWeights head;
    std::vector<float> rope_inv_freq; // recipe.rope_inv_freq points here when RoPE is used (body_network sets it)
    PackedWeights packed;             // the layer matrices' packing for the product (model/weight_pack.h)

    int n_embd() const { return embed.token.view.cols; }
    const WeightMatrix& unembed() const { return head.unembed.empty() ? embed.token.view : head.unembed.view; }
};

// (T, D) token-embedding rows looked up for ids, widened to f32.
void body_token_rows(const Body& body, const std::vector<int32_t>& ids, float* rows);
// The position row of each input position (absolute embeddings only).
std::vector<int> body_positions(const Body& body, const std::vector<int32_t>& ids);
// h (T, D) = token_scale * rows + position + token type, before the embedding norm.
void body_embed_sum(const Body& body, const std::vector<int32_t>& ids, const float* rows, float* h);
// logits (T, V) of rows (T, D) already through the final norm: transform, unembedding, bias.
void body_head_logits(const Body& body, const float* rows, int T, float* logits);
// What the unembedding reads for those rows: the rows, or a masked-LM head's transform of them.
std::vector<float> body_head_rows(const Body& body, std::vector<float> rows, int T);

// The blocks' matrices and the head's transform, and the embedding and unembedding tables (weight_pack.h).
LayerMatrices body_layer_matrices(Body& body);

// The inference forward pass of any Body (Trace conventions of model/trace.h).
Trace body_forward(const Body& body, const std::vector<int32_t>& ids, const TraceOptions& options);
// The same pass in steps (model/forward_job.h): embeddings, one block per step, head. body must outlive it.
std::unique_ptr<ForwardJob> body_forward_job(const Body& body, const std::vector<int32_t>& ids, const TraceOptions& options);

// A Network over a Body; store keeps the file bytes the matrices point into alive.
std::unique_ptr<Network> body_network(Body body, const ModelInfo& info, const WeightStore& store);

}  // namespace attn
