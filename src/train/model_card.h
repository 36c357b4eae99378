// A zoo model's card: README.md for people (task, exact command, data, held-out accuracy, what each
// interesting head does) and card.json for programs (the explorer shows the card beside the model picker
// and opens on the featured head; the tests re-measure every claim).
//
// card.json:
//   {"task": "coref", "summary": "...", "family": "encoder", "class": "BertForMaskedLM",
//    "command": "tools/train --task coref --out assets/models/coref --seed 1", "seed": 1, "steps": 3000,
//    "train_seconds": 95.2, "held_out_accuracy": 0.991, "held_out_examples": 1000,
//    "example_text": "the animal didn't cross the street because it was too tired",
//    "featured": {"layer": 1, "head": 2, "query": "it"},
//    "claims": [{"layer": 1, "head": 2, "pattern": "coreference", "metric": "coref_check_pass_rate",
//                "value": 0.97, "min_value": 0.9, "statement": "..."}]}
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/task.h"

namespace attn {

constexpr char kModelCardFile[] = "card.json";

struct ModelCard {
    std::string task, summary, description, family, hf_class, command;
    uint64_t seed = 0;
    int steps = 0;
    double train_seconds = 0.0;
    double held_out_accuracy = 0.0;
    int held_out_examples = 0;
    std::string example_text;
    int featured_layer = 0, featured_head = 0;
    std::string featured_query;   // the example's word whose row the explorer pins ("" none; last occurrence)
    std::vector<HeadClaim> claims;
    std::string markdown;   // README.md's text (filled by model_card_parse from card.json only when absent)
};

std::string model_card_json(const ModelCard& card);
// Errors name the file and the field.
Expected<ModelCard> model_card_parse(const std::string& json, const std::string& file_name);
// README.md: front matter as Hugging Face model cards have it, then the sections.
std::string model_card_markdown(const ModelCard& card);

}  // namespace attn
