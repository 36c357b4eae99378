// The intervention flags of `trace` and `analyze`: --ablate L.H[:mean], --knockout Q>K[@L],
// --mask-token P, each repeatable or a comma list.
#pragma once
#include <set>
#include <string>

#include "analysis/interventions.h"
#include "cli/args.h"

namespace attn {

extern const std::set<std::string> kInterventionOptions;

// The interventions the flags ask for, checked against the model's layers and heads and the input's
// n_token positions. Throws UsageError naming the flag and the value.
Interventions interventions_from_args(const Args& args, const ModelInfo& info, int n_token);

}  // namespace attn
