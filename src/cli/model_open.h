// Opening a model folder for a CLI command; a failure becomes a UsageError (one line, exit 2).
#pragma once
#include <string>

#include "model/model.h"

namespace attn {

ModelPtr model_open(const std::string& folder);

}  // namespace attn
