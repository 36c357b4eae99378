// A plain-language explanation of one prediction, generated from the numbers just computed: the
// predicted token and its probability, the input tokens that mattered most and by which method (and
// whether the methods agree), the heads that carried it with their labels, the layer where the logit lens
// settles on the answer, what ablating the most important head does, and which attribution is most
// faithful. Sentences are built from the string tables of the language the caller passes (English, Chinese),
// and every number comes from `ExplanationFacts`, formatted by the same functions the panels use.
//
//   ExplanationFacts f = explanation_facts(model, tokens, attribution, lens, head_stats, faithfulness);
//   Explanation e = explain(f, explanation_strings(Language::zh));
//   puts(e.text().c_str());
#pragma once
#include <string>
#include <vector>

#include "analysis/attribution.h"
#include "analysis/faithfulness.h"
#include "analysis/head_patterns.h"
#include "core/error.h"
#include "model/model.h"

namespace attn {

struct RankedToken {
    int position = 0;
    std::string piece;             // the token as text (decoded, trimmed)
    float value = 0.0f;
};

struct RankedHead {
    int layer = 0, head = 0;
    float importance = 0.0f;       // Attribution::head_importance
    float ablation_drop = 0.0f;    // Attribution::head_ablation (score drop); encoder-decoders: p drop
    HeadLabel label;
};

// A cross-attention head and how much of the predicting position's attention it gives one source token
// (encoder-decoders, where the gradient methods are not available).
struct CrossHead {
    int layer = 0, head = 0;
    int source = 0;                // source position
    std::string piece;
    float weight = 0.0f;           // cross_attentions(layer, head, last decoder position, source)
    HeadLabel label;
};

// Every number the explanation states, in one place: the panels show the same fields.
struct ExplanationFacts {
    std::string architecture;
    bool forward_only = false;         // encoder-decoder: no gradients, logit lens or faithfulness here
    int position = 0, target = -1;     // the scored position and the explained token id
    int n_layer = 0;                   // layers of the stack the heads belong to (BART: the decoder's)
    std::string predicted;             // the explained token's text
    float probability = 0.0f;          // exp(target_logprob)
    std::string foil;                  // empty: no contrast
    float foil_probability = -1.0f;
    // Per method (kAttributionMethods' key; forward-only: "occlusion_mask"), best first, up to 3 tokens.
    std::vector<std::pair<std::string, std::vector<RankedToken>>> top_tokens;
    bool methods_agree = false;        // the methods' top-1 token is the same
    std::vector<RankedHead> heads;     // most important first (by ablation when measured, else gradient)
    bool heads_by_ablation = false;
    RankedHead gradient_top;           // the head gradient importance ranks first (heads_by_ablation only)
    std::vector<CrossHead> cross_heads;  // encoder-decoders: the cross-attention heads that look most at top_tokens[0][0]
    int lens_settles_layer = -1;       // first residual state from which the lens argmax stays the answer; -1 never
    float lens_settle_prob = -1.0f;    // the lens' probability of the answer at that state
    int lens_final_rank = -1;          // the answer's rank at the last state (when it never settles)
    float ablation_prob_after = -1.0f; // probability of the answer with the most important head ablated; -1 unknown
    std::string most_faithful;         // empty: faithfulness not computed
    float most_faithful_gap = 0.0f;    // its mean (comprehensiveness - sufficiency) over k
    FaithfulnessRow most_faithful_row; // its row with the smallest k
};

// head_stats: head_statistics of the same input's attentions ((L, H), or empty: no labels).
ExplanationFacts explanation_facts(const Model& model, const TokenSeq& tokens, const Attribution& attribution,
                                   const LogitLens& lens, const std::vector<HeadStats>& head_stats,
                                   const Faithfulness* faithfulness);
// Encoder-decoders (the AttributionJob refuses them): from forward passes only. trace: the seq2seq trace of
// the source and decoder input; the prediction is at the last decoder position. Occlusion replaces one
// source token at a time with the tokenizer's mask (else unk) token; each decoder self-attention head is
// ablated through ForwardHooks::decoder_head_gates; labels come from the trace's own attentions.
Expected<ExplanationFacts> explanation_facts_seq2seq(const Model& model, const Trace& trace);

// One language's sentence templates ("{token}", "{prob}" ... placeholders filled from the facts):
// explanation_strings(Language) in analysis/explanation_strings.h.
struct ExplanationStrings;

// Which panel backs a sentence: the explain view's "why" list switches there.
enum class ExplanationPanel { none, predictions, attributions, heads, logit_lens, faithfulness };

struct ExplanationClaim {
    ExplanationPanel panel = ExplanationPanel::none;
    std::string method;        // attributions: the kAttributionMethods key to select
    int layer = -1, head = -1; // heads: the head to select
    std::string stack;         // heads: "self", "decoder" or "cross" (which attention the head belongs to)
    int position = -1;         // the token the claim is about (-1: none)
};

// Where a stated number sits and what it is.
struct ExplanationNumber {
    int sentence = 0;
    size_t begin = 0, end = 0;   // byte range in sentences[sentence]
    std::string text;            // as printed
    std::string source;          // what it is: "probability", "integrated_gradients[3]", "head_ablation[1,2]" ...
};

struct Explanation {
    std::vector<std::string> sentences;
    std::vector<ExplanationClaim> claims;   // one per sentence
    std::vector<float> numbers;        // every number the sentences state, in order (tests compare them)
    std::vector<ExplanationNumber> number_info;   // the same numbers: where, as text, and from what
    std::string text() const;          // the sentences joined by spaces (none after a "。")
};
Explanation explain(const ExplanationFacts& facts, const ExplanationStrings& strings);

// The one number format the explanation and the panels share: probabilities as "12.3%" (below 1%: two
// significant digits), scores as "+0.123" (three significant digits, signed).
std::string format_probability(float p);
std::string format_score(float v);

// The token as readers see it: decoded alone, surrounding spaces trimmed ("animal", "[SEP]").
std::string token_text(const Model& model, int32_t id);

}  // namespace attn
