// The sentence templates of every language, read from the string tables (assets/strings/explain.<code>.json,
// keys explain.*): the same facts, the same numbers, in the language the caller passes.
#include "analysis/explanation_strings.h"

#include <string>
#include <vector>

#include "analysis/explanation.h"
#include "analysis/head_patterns.h"

namespace attn {

namespace {

// A method's name in a sentence: explain.method.<kAttributionMethods key>; an unknown key is shown as it is.
template <Language L>
const char* method_name(const char* key) {
    const std::string k = std::string("explain.method.") + key;
    for (const std::string& known : string_keys(Language::en))
        if (known == k) return tr(L, k.c_str());
    return key;
}

template <Language L>
ExplanationStrings strings_of() {
    ExplanationStrings s;
    s.language = L;
    s.predicted = tr(L, "explain.predicted");
    s.predicted_foil = tr(L, "explain.predicted_foil");
    s.top_tokens = tr(L, "explain.top_tokens");
    s.token_item = tr(L, "explain.token_item");
    s.list_separator = tr(L, "explain.list_separator");
    s.list_last = tr(L, "explain.list_last");
    s.agree = tr(L, "explain.agree");
    s.disagree = tr(L, "explain.disagree");
    s.group_item = tr(L, "explain.group_item");
    s.group_separator = tr(L, "explain.group_separator");
    s.heads_ablation = tr(L, "explain.heads_ablation");
    s.heads_gradient = tr(L, "explain.heads_gradient");
    s.head_item = tr(L, "explain.head_item");
    s.head_item_unlabelled = tr(L, "explain.head_item_unlabelled");
    s.head_value_ablation = tr(L, "explain.head_value_ablation");
    s.head_value_gradient = tr(L, "explain.head_value_gradient");
    s.head_value_probability = tr(L, "explain.head_value_probability");
    s.heads_disagree = tr(L, "explain.heads_disagree");
    s.lens_embed = tr(L, "explain.lens_embed");
    s.lens_layer = tr(L, "explain.lens_layer");
    s.lens_never = tr(L, "explain.lens_never");
    s.ablation = tr(L, "explain.ablation");
    s.faithful = tr(L, "explain.faithful");
    s.forward_only = tr(L, "explain.forward_only");
    s.cross_head = tr(L, "explain.cross_head");
    s.method_name = method_name<L>;
    return s;
}

}  // namespace

const ExplanationStrings& explanation_strings(Language language) {
    static const ExplanationStrings en = strings_of<Language::en>();
    static const ExplanationStrings zh = strings_of<Language::zh>();
    return language == Language::zh ? zh : en;
}

}  // namespace attn
