// The explanation as JSON, one layout for `attnscope-cli explain --json` and the page's
// attnscope.explain(): {text, sentences, numbers, number_info, claims, facts, faithfulness}.
#pragma once
#include <string>

#include "analysis/explanation.h"
#include "core/json.h"

namespace attn {

Json explanation_to_json(const ExplanationFacts& facts, const Explanation& explanation, const Faithfulness* faithfulness);
// dump() that never throws on a token's invalid UTF-8 (byte-level pieces): such bytes become U+FFFD.
std::string json_text(const Json& j, int indent = 2);
const char* explanation_panel_name(ExplanationPanel p);   // "attributions", "logit_lens", ...

}  // namespace attn
