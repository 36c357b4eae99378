// A token named on the command line (--target, --foil, --answer, ...): shared by analyze, explain and patch.
#pragma once
#include <cstdint>
#include <string>

#include "model/model.h"

namespace attn {

bool all_digits(const std::string& s);
// A number is a token id; other text is tokenized as given (no special tokens added) and must be one
// token, so a leading space counts (GPT-2: " animal" is "Ġanimal", "animal" another token); when it
// is not one token, an exact vocabulary entry ("Ġanimal", "[MASK]") is accepted too. Throws UsageError.
int32_t parse_token(const std::string& option, const std::string& value, const Model& model);

}  // namespace attn
