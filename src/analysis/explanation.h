// A plain-language explanation of one prediction, generated from the numbers just computed: the
// predicted token and its probability, the input tokens that mattered most and by which method (and
// whether the methods agree), the heads that carried it with their labels, the layer where the logit lens
// settles on the answer, what ablating the most important head does, and which attribution is most
// faithful. Sentences are built from a string table (English now; a second language is one more table),
// and every number comes from `ExplanationFacts`, formatted by the same functions the panels use.
//
//   ExplanationFacts f = explanation_facts(model, tokens, attribution, lens, head_stats, faithfulness);
//   Explanation e = explain(f, kExplanationEnglish);
//   puts(e.text().c_str());
#pragma once
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "analysis/faithfulness.h"
#include "analysis/head_patterns.h"

namespace attn {

struct RankedToken {
    int position = 0;
    std::string piece;
    float value = 0.0f;
};

struct RankedHead {
    int layer = 0, head = 0;
    float importance = 0.0f;       // Attribution::head_importance
    float ablation_drop = 0.0f;    // Attribution::head_ablation (score drop)
    HeadLabel label;
};

// Every number the explanation states, in one place: the panels show the same fields.
struct ExplanationFacts {
    std::string predicted;             // the explained token's text
    float probability = 0.0f;          // exp(target_logprob)
    std::string foil;                  // empty: no contrast
    std::vector<std::pair<std::string, std::vector<RankedToken>>> top_tokens;   // per method, best first
    bool methods_agree = false;        // the methods' top-1 token is the same
    std::vector<RankedHead> heads;     // most important first
    int lens_settles_layer = -1;       // first residual state from which the lens argmax stays the answer; -1 never
    float ablation_prob_after = -1.0f; // probability of the answer with the most important head ablated; -1 unknown
    std::string most_faithful;         // empty: faithfulness not computed
};

ExplanationFacts explanation_facts(const Model& model, const TokenSeq& tokens, const Attribution& attribution,
                                   const LogitLens& lens, const std::vector<HeadStats>& head_stats,
                                   const Faithfulness* faithfulness);

// One language's sentence templates ("{token}", "{prob}" ... placeholders filled from the facts).
struct ExplanationStrings;
extern const ExplanationStrings& kExplanationEnglish;

struct Explanation {
    std::vector<std::string> sentences;
    std::vector<float> numbers;        // every number the sentences state, in order (tests compare them)
    std::string text() const;          // the sentences joined by spaces
};
Explanation explain(const ExplanationFacts& facts, const ExplanationStrings& strings);

// The one number format the explanation and the panels share: probabilities as "12.3%", scores "0.123".
std::string format_probability(float p);
std::string format_score(float v);

}  // namespace attn
