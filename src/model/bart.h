// BART (BartForConditionalGeneration): config.json keys, tensor names (with or without "model."), and
// the encoder-decoder forward pass: encoder self attention, causal decoder self attention, and cross
// attention from decoder queries to the encoder's output. It does not tokenize or generate
// (generate.h does).
#pragma once
#include <memory>

#include "core/json.h"
#include "model/model.h"
#include "model/weight_store.h"

namespace attn {

std::unique_ptr<Network> bart_load(const Json& config, const WeightStore& weights);

}  // namespace attn
