// The attribution methods, as one table: the Attributions panel (method chooser, agreement table,
// colour scale: signed is diverging), the page's state, faithfulness and the explanation all read it.
// Pure functions (no ImGui) so the agreement numbers are tested directly.
//
//   for (const AttributionMethod& m : kAttributionMethods) {
//       std::vector<float> s = m.scores(attribution);   // (T), empty when not computed
//   }
//   float rho = spearman(a, b);                          // rank correlation, ties get mean ranks
#pragma once
#include <vector>

#include "analysis/attribution.h"

namespace attn {

struct AttributionMethod {
    const char* name;          // the CLI's tensor name ("integrated_gradients")
    const char* label;         // the chooser's entry
    const char* short_label;   // the agreement table's column head
    bool is_signed;            // scores can be negative: a diverging colour scale centred on 0
    const char* what;          // one sentence for the tooltip: what a high score means
    std::vector<float> (*scores)(const Attribution& a);   // one score per input token, or empty
};

constexpr int kNumAttributionMethods = 7;
extern const AttributionMethod kAttributionMethods[kNumAttributionMethods];
constexpr int kMethodIntegratedGradients = 2;   // the panel's first choice: complete and signed

// Index of `name` in kAttributionMethods, or -1.
int attribution_method_index(const char* name);

// Spearman's rank correlation of two equally long score lists (ties get their mean rank). 0 when
// shorter than 2 or when either list is constant (no order to compare).
float spearman(const std::vector<float>& a, const std::vector<float>& b);
// Index of the largest score (the token the method credits most), or -1 for an empty list.
int top_index(const std::vector<float>& scores);

}  // namespace attn
