// The activations record of the differentiable pass (model/gradients.cpp): every tensor the backward
// reads, planned as offsets before the forward runs and then held in one allocation. The backward walks
// it in reverse. Offsets count floats; the shape of each saved tensor is beside it.
#pragma once
#include <cstddef>
#include <vector>

#include "model/body.h"

namespace attn {

// One block's saved tensors. Pre-LN: in -> x1 = norm1(in) -> q, k, v -> ctx -> mid = in + out(ctx) ->
// x2 = norm2(mid) -> f, u -> act -> next in = mid + fc2(act). Post-LN: in -> q, k, v -> ctx ->
// s1 = in + out(ctx) -> mid = norm1(s1) -> f, u -> act -> s2 = mid + fc2(act) -> next in = norm2(s2).
struct LayerSlots {
    size_t x1 = 0;             // (T, D) pre-LN only: norm1(in), the attention's input
    size_t n1_mean = 0;        // (T) norm1's mean (LayerNorm only)
    size_t n1_rstd = 0;        // (T) norm1's 1 / std
    size_t q = 0;              // (T, H * hd) queries, after RoPE
    size_t k = 0;              // (T, KV * hd) keys, after RoPE
    size_t v = 0;              // (T, KV * hd) values
    size_t probs = 0;          // (H, T, T) attention probabilities
    size_t ctx = 0;            // (T, H * hd) gated context vectors: the output projection's input
    size_t s1 = 0;             // (T, D) post-LN only: in + attention output, norm1's input
    size_t mid = 0;            // (T, D) the residual stream between attention and MLP
    size_t x2 = 0;             // (T, D) pre-LN only: norm2(mid), the MLP's input
    size_t n2_mean = 0;        // (T) norm2's mean (LayerNorm only)
    size_t n2_rstd = 0;        // (T) norm2's 1 / std
    size_t f = 0;              // (T, F) fc1 (gated: the gate projection), before the activation
    size_t u = 0;              // (T, F) gated MLPs only: the up projection
    size_t act = 0;            // (T, F) the MLP's hidden activations: act(f), gated act(f) * u
    size_t s2 = 0;             // (T, D) post-LN only: mid + MLP output, norm2's input
};

// The head runs on the scored row only: h = hidden[L] row `position`.
struct HeadSlots {
    size_t fn_out = 0;         // (D) final_norm(h), or h when there is no final norm
    size_t fn_mean = 0;        // (1)
    size_t fn_rstd = 0;        // (1)
    size_t tr_pre = 0;         // (D) masked-LM transform output, before its activation
    size_t tr_act = 0;         // (D) after the activation: transform_norm's input
    size_t tn_out = 0;         // (D) transform_norm's output: the unembedding's input
    size_t tn_mean = 0;        // (1)
    size_t tn_rstd = 0;        // (1)
    size_t logprobs = 0;       // (V) log-softmax of the logits
};

// Real: float for model_gradients, double for whole-model finite-difference tests.
template <typename Real>
struct GradRecord {
    int T = 0, D = 0, H = 0, KV = 0, hd = 0, F = 0, V = 0, L = 0;
    size_t e = 0;              // (T, D) the token-embedding rows fed
    size_t emb_sum = 0;        // (T, D) token_scale * e + position + type, the embedding norm's input
    size_t emb_mean = 0;       // (T)
    size_t emb_rstd = 0;       // (T)
    std::vector<size_t> hidden;   // L + 1 slots of (T, D): the residual stream entering each block, then the last output
    std::vector<LayerSlots> layers;
    HeadSlots head;
    std::vector<Real> data;    // the one allocation

    Real* at(size_t offset) { return data.data() + offset; }
    const Real* at(size_t offset) const { return data.data() + offset; }
};

// Plans the record of a Body on T tokens and allocates it (zeroed). float and double instantiated.
template <typename Real>
GradRecord<Real> grad_record_plan(const Body& body, int T);

}  // namespace attn
