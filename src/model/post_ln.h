// Post-LN Transformer sublayers shared by the encoders (BERT, RoBERTa, DistilBERT) and BART:
//   h = LayerNorm(h + out(attention(q(h), k(memory), v(memory))));  h = LayerNorm(h + fc2(act(fc1(h)))).
// Embeddings, weight names and heads stay in each architecture's file.
//
//   AttentionBlock a{dense_fetch(w, names, "attention.self.query", D, D, why), ...};
//   post_ln_attention(a, n_head, eps, h, T, h, T, /*causal=*/false, trace.attentions, layer);
//   post_ln_feed_forward(f, Activation::gelu_erf, eps, h, T);
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/ops.h"
#include "model/trace.h"
#include "model/weight_fetch.h"

namespace attn {

// The accepted spellings of one tensor name, e.g. "x" -> {"bert.x", "x"}.
using NameVariants = std::function<std::vector<std::string>(const std::string&)>;

struct Dense {   // nn.Linear with bias: weight (out, in), bias (out)
    Matrix w;
    Tensor32 b;
};

struct Norm {    // nn.LayerNorm: weight and bias (D)
    Tensor32 w, b;
};

struct AttentionBlock {
    Dense q, k, v, out;
    Norm norm;   // applied after the residual add
};

struct FeedForwardBlock {
    Dense fc1, fc2;   // fc1 (F, D), fc2 (D, F)
    Norm norm;
};

// BASE.weight and BASE.bias, each under every spelling names() gives.
Dense dense_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t n_out,
                  int64_t n_in, const std::string& why);
// BASE.weight / BASE.bias, or the legacy BASE.gamma / BASE.beta of old TensorFlow-converted checkpoints.
Norm norm_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t D,
                const std::string& why);

// h (T, D) = LayerNorm(h + out(attention)), queries from h, keys and values from memory (S, D); memory
// may be h itself (self attention). Scores are scaled by 1/sqrt(head size). Probabilities go to
// capture (L, H, T, S) at `layer` when it is allocated.
void post_ln_attention(const AttentionBlock& block, int n_head, float eps, float* h, int T, const float* memory,
                       int S, bool causal, AttentionTensor& capture, int layer);

// h (T, D) = LayerNorm(h + fc2(act(fc1(h)))).
void post_ln_feed_forward(const FeedForwardBlock& block, Activation act, float eps, float* h, int T);

}  // namespace attn
