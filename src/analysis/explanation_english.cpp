// The English sentence templates.
#include <cstring>

#include "analysis/explanation.h"
#include "analysis/explanation_strings.h"

namespace attn {

namespace {

const char* english_method(const char* key) {
    static const struct {
        const char* key;
        const char* name;
    } names[] = {
        {"saliency_l2", "saliency"},
        {"grad_x_input", "gradient x input"},
        {"integrated_gradients", "integrated gradients"},
        {"occlusion_zero", "occlusion"},
        {"permutation", "permutation"},
        {"attn_x_grad", "attention x gradient"},
        {"rollout", "attention rollout"},
        {"occlusion_mask", "occlusion (each source token replaced by the mask token)"},
    };
    for (const auto& n : names)
        if (std::strcmp(n.key, key) == 0) return n.name;
    return key;
}

const ExplanationStrings kEnglish = {
    "en",
    "The model predicts \u201c{token}\u201d with probability {prob}.",
    "The model predicts \u201c{token}\u201d with probability {prob}, against {foil_prob} for \u201c{foil}\u201d.",
    "By {method}, the input tokens that mattered most are {tokens}.",
    "\u201c{token}\u201d ({score})",
    ", ",
    " and ",
    "All {count} methods agree that \u201c{token}\u201d matters most.",
    "The methods disagree about the most important token: {groups}.",
    "{methods} put \u201c{token}\u201d first",
    "; ",
    "The heads whose ablation lowers the score most are {heads}.",
    "The heads with the largest gradient importance are {heads}.",
    "layer {layer} head {head} ({label}, confidence {confidence}; {what} {value})",
    "layer {layer} head {head} ({what} {value})",
    "score drop",
    "importance",
    "probability drop",
    "Gradient importance ranks layer {layer} head {head} first instead.",
    "The logit lens ranks \u201c{token}\u201d top already at the embeddings and keeps it there ({lens_prob}).",
    "The logit lens first ranks \u201c{token}\u201d top after layer {layer} (of layers 0 to {last_layer}) and keeps it "
    "there ({lens_prob} at that point).",
    "The logit lens never settles on \u201c{token}\u201d: after the last layer it ranks it #{rank}.",
    "Ablating layer {layer} head {head} changes the probability of \u201c{token}\u201d from {prob} to {prob_after}.",
    "The most faithful method on this input is {method}: the probability drops by {comp} without its top tokens "
    "(k = {k}) and by {suff} with only them (mean comprehensiveness minus sufficiency {gap}).",
    "This is an encoder-decoder model ({architecture}): gradient attributions, the logit lens and the faithfulness "
    "test are not available for it here, so this explanation uses forward passes only.",
    "Cross-attention layer {layer} head {head} ({label}) gives \u201c{token}\u201d {weight} of the predicting "
    "position's attention.",
    english_method,
};

}  // namespace

const ExplanationStrings& kExplanationEnglish = kEnglish;

}  // namespace attn
