// Everything the CLI's `heads` and the page's attnscope.heads() report about one attention kind of a trace:
// per head its label, confidence, every statistic (keys from kHeadStatTable), per-query arrays and every
// pattern's score, with the BOS rule in "notes". One builder, one JSON writer, so both say the same.
//
//   Expected<HeadsReport> r = heads_report(model, trace, "self", &induction_options);   // nullptr: no induction
//   std::string json = heads_report_json(*r, "models/gpt2", /*per_query=*/true);
#pragma once
#include <string>
#include <vector>

#include "analysis/head_patterns.h"
#include "core/error.h"

namespace attn {

struct HeadsReport {
    std::string architecture;
    std::string kind;                  // "self", "decoder" or "cross"
    TokenSeq queries, keys;            // keys == queries except for cross attention
    std::vector<HeadStats> stats;      // (L, H)
    std::vector<HeadLabel> labels;     // (L, H)
    bool induction_measured = false;
    InductionOptions induction;        // what it was measured with
    int n_layer = 0, n_head = 0;
};

// The BOS rule as one sentence, for JSON "notes" and the UI's tooltips.
extern const char* const kHeadsBosNote;

// kind: "self" (decoder-only / encoder / BART's encoder), "decoder" or "cross" (encoder-decoders). The
// induction score is measured (induction != nullptr) for "self" only: it runs the model on its own input.
// measured: that score already measured on this model with *induction (the app's, once per model), used
// instead of running the model again; null measures it here.
Expected<HeadsReport> heads_report(const Model& model, const Trace& trace, const std::string& kind,
                                   const InductionOptions* induction, const std::vector<float>* measured = nullptr);

// JSON text: model, architecture, kind, tokens, notes, statistics (definitions), patterns, heads[].
std::string heads_report_json(const HeadsReport& report, const std::string& model_name, bool per_query);

}  // namespace attn
