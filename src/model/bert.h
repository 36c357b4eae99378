// Encoder masked-LM architectures: BERT (BertForMaskedLM), RoBERTa and XLM-RoBERTa (RobertaForMaskedLM),
// DistilBERT (DistilBertForMaskedLM): config.json keys and tensor names, handed to encoder.h's network.
// They do not tokenize; model.cpp wires tokenizer and network.
#pragma once
#include <memory>
#include <string>

#include "core/json.h"
#include "model/model.h"
#include "model/weight_store.h"

namespace attn {

// model_type "bert", "roberta" or "xlm-roberta".
std::unique_ptr<Network> bert_load(const std::string& model_type, const Json& config, const WeightStore& weights);
std::unique_ptr<Network> distilbert_load(const Json& config, const WeightStore& weights);

}  // namespace attn
