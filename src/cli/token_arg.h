// A token named on the command line (--target, --answer, ...): an id, or text that is one token.
#pragma once
#include <cstdint>
#include <string>

#include "model/model.h"

namespace attn {

// A number is a token id; other text is tokenized as given (no special tokens added) and must be one
// token; an exact vocabulary entry ("Ġanimal") works too. Throws UsageError naming `option`.
int32_t parse_token(const std::string& option, const std::string& value, const Model& model);

}  // namespace attn
