// Llama-family decoders (LlamaForCausalLM and its relatives Mistral, Qwen2; SmolLM and TinyLlama are
// Llama): RMSNorm, SwiGLU, rotary embeddings, grouped-query attention. It does not tokenize.
#pragma once
#include <memory>
#include <string>

#include "core/json.h"
#include "model/model.h"
#include "model/weight_store.h"

namespace attn {

std::unique_ptr<Network> llama_load(const std::string& model_type, const Json& config, const WeightStore& weights);

}  // namespace attn
