// The sentence templates of one language, from the string tables (explain.<code>.json). A template names
// its values as {placeholders}; explain() fills them from the facts, so a translation may put them in any
// order. Lists are built from an item template and two separators.
#pragma once

#include "core/i18n.h"

namespace attn {

struct ExplanationStrings {
    Language language = Language::en;   // also the language of the head labels it names
    // {token} {prob}; with a contrast also {foil} {foil_prob}
    const char* predicted;
    const char* predicted_foil;
    // {method} {tokens}: a list of token_item
    const char* top_tokens;
    const char* token_item;        // {token} {score}
    const char* list_separator;    // between items
    const char* list_last;         // before the last item
    const char* agree;             // {count} {token}
    const char* disagree;          // {groups}: a list of group_item
    const char* group_item;        // {methods} {token}
    const char* group_separator;   // between group_items (their method lists use the list separators)
    // {heads}: a list of head_item / head_item_gradient
    const char* heads_ablation;
    const char* heads_gradient;
    const char* head_item;         // {layer} {head} {label} {confidence} {what} {value}
    const char* head_item_unlabelled;   // {layer} {head} {what} {value}
    const char* head_value_ablation;    // {what} when heads are ranked by ablation
    const char* head_value_gradient;    // {what} when ranked by gradient importance
    const char* head_value_probability; // {what} forward-only: the drop of the answer's probability
    const char* heads_disagree;    // {layer} {head}: gradient importance's first head
    const char* lens_embed;        // {token} {lens_prob}
    const char* lens_layer;        // {token} {layer} {last_layer} {lens_prob}
    const char* lens_never;        // {token} {rank}
    const char* ablation;          // {layer} {head} {token} {prob} {prob_after}
    const char* faithful;          // {method} {k} {comp} {suff} {gap}
    const char* forward_only;      // {architecture}
    const char* cross_head;        // {layer} {head} {label} {token} {weight}
    // Method names in sentences, by kAttributionMethods key; "occlusion_mask" is the forward-only one.
    const char* (*method_name)(const char* key);
};

// The templates of `language` (built once; the tables' texts live as long as the program).
const ExplanationStrings& explanation_strings(Language language);

}  // namespace attn
