// The page's explain(): the explanation of the input on screen, computed to the end (attribution job,
// faithfulness, facts), as the JSON `attnscope-cli explain --json` writes for the same input.
#pragma once
#include <string>

#include "ui/app.h"

namespace attn {

struct ExplainRequest {
    int target = -1, foil = -1;   // -1: the model's prediction / no foil (decoder-only and encoder models)
    int ig_steps = 0;             // 0: the job's default (the CLI's)
};
Expected<std::string> app_explain_json(const App& app, const ExplainRequest& request);

}  // namespace attn
