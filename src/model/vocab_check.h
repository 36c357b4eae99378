// What a tokenizer's ids say about the model they feed. Hugging Face's tokenizers load all of these
// silently, and so does AttnScope, since the model still works for most texts; but a user reading a
// heatmap of such a model should know, so each becomes one load warning (Model::warnings).
#pragma once
#include <string>
#include <vector>

#include "model/tokenizer/tokenizer.h"

namespace attn {

// One line per problem found, each starting "tokenizer.json: ", none when the ids are fine:
//  - ids that two or more tokens share (an id decodes as one of them only);
//  - ids below the largest that no token has (they decode to nothing);
//  - tokens whose id is at or past the model's n_vocab embedding rows (a text using one cannot be
//    traced: ids_check refuses it).
// Time and memory grow with the number of tokens, never with the ids' values (a vocabulary holding
// the id 16777215 costs what one holding 600 does).
std::vector<std::string> vocab_warnings(const Tokenizer& tokenizer, int n_vocab);

}  // namespace attn
