// GPT-2 (GPT2LMHeadModel): config.json keys, weight names (with or without "transformer."), and the
// forward pass that fills a Trace. It does not tokenize; model.cpp wires tokenizer and network.
#pragma once
#include <memory>

#include "core/json.h"
#include "model/model.h"
#include "model/weight_store.h"

namespace attn {

std::unique_ptr<Network> gpt2_load(const Json& config, const WeightStore& weights);

}  // namespace attn
