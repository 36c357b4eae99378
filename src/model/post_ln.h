// Fetching the weights of nn.Linear / nn.LayerNorm modules by name, as the post-LN families (BERT,
// RoBERTa, DistilBERT, BART) store them. The blocks themselves run in block.cpp.
//
//   AttentionBlock a;
//   a.q = dense_fetch(w, names, "attention.self.query", D, D, why);
//   a.norm = norm_fetch(w, names, "attention.output.LayerNorm", D, why);
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/block.h"
#include "model/weight_fetch.h"

namespace attn {

// The accepted spellings of one tensor name, e.g. "x" -> {"bert.x", "x"}.
using NameVariants = std::function<std::vector<std::string>(const std::string&)>;

// BASE.weight and BASE.bias, each under every spelling names() gives.
Dense dense_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t n_out,
                  int64_t n_in, const std::string& why);
// BASE.weight / BASE.bias, or the legacy BASE.gamma / BASE.beta of old TensorFlow-converted checkpoints.
Norm norm_fetch(const WeightStore& store, const NameVariants& names, const std::string& base, int64_t D,
                const std::string& why);

}  // namespace attn
