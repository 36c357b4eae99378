#include "ui/lesson_text.h"

namespace attn {

const char* const kLessonSymbols = "√∞ᵀ−≈";

const LessonStrings kLessonEnglish = {
    "en",
    {
        {HeadStep::input, "Input row", "What the head reads", ""},
        {HeadStep::qkv, "Query Q", "Queries, keys and values",
         "The head multiplies every row by three learned matrices. The query (Q) says what a token is looking "
         "for, the key (K) what it offers to others, and the value (V) what it passes on if it is chosen. "
         "Each is a short vector of {d} numbers per token: blue is negative, red positive."},
        {HeadStep::rope, "Rotated query Q", "Position: rotary embeddings (RoPE)",
         "This model tells the head where each token is by rotating its query and key by an angle that grows "
         "with the position. The dot product of the next step then depends on how far apart two tokens are. "
         "The Q and K shown are already rotated: they are exactly what the scores use."},
        {HeadStep::gqa, "Shared key K", "Shared keys and values (grouped-query attention)", ""},
        {HeadStep::scores, "Scores", "Similarity: Q·Kᵀ",
         "Each query is compared with every key by a dot product (multiply number by number, add up). A large "
         "score means: this key matches what the query looks for. Row = the token looking, column = the token "
         "looked at."},
        {HeadStep::scale, "Scaled scores", "Scaled scores", ""},
        {HeadStep::mask, "Masked scores", "The mask", ""},
        {HeadStep::softmax, "Weights", "Softmax: a soft selection",
         "Softmax turns scores into a soft selection: each row becomes positive weights that sum to 1. The "
         "biggest score gets the most weight, but the others keep a little. These are the attention weights "
         "the other views show."},
        {HeadStep::context, "Context vector", "Weighted sum of the values",
         "Each token's result is the weighted sum of the value vectors, with its row of weights: mostly the "
         "values of the tokens it attends to. The output projection then adds the results of all the layer's "
         "heads into the residual stream, the next layer's input."},
        {HeadStep::entropy, "", "How spread out is each row?",
         "The entropy of a row, in bits, says how spread out the attention is: 0 bits means all the weight is "
         "on one token; the most possible, log2 of the tokens it can see, means it is spread evenly. A head "
         "with low entropy picks one token; a high one averages."},
    },
    "{T} tokens enter layer {layer}, each as a row of {D} numbers: the residual stream after the layer "
    "norm this model applies before attention. The picture shows every number; hover a cell to read it.",
    "{T} tokens enter layer {layer}, each as a row of {D} numbers: the residual stream, which this model "
    "normalises after each sublayer. The picture shows every number; hover a cell to read it.",
    "Cross attention: the {T} target tokens ask the questions. Each enters layer {layer} as a row of {D} "
    "numbers; the keys and values come from the encoder's output for the source text.",
    "Scores grow with the length of the vectors: the sum of {d} products. Multiplying by 1/√{d} = {scale} keeps "
    "them in a range where the softmax still spreads its weight, so the model can learn; without it one key "
    "would take almost everything.",
    "This model multiplies its scores by {scale} (its configuration asks for that instead of 1/√{d}), to keep "
    "them in a range where the softmax still spreads its weight.",
    "The mask stops a word from seeing the future: the scores of later tokens are set to −∞ (grey), so the "
    "softmax gives them weight 0. That is what lets the model learn to predict the next word.",
    "No mask: this model reads the whole text at once, so every token may look at every token, before and "
    "after it. (One text has no padding to hide either.)",
    "No mask: each target token may look at every token of the source text.",
    "This model has {n_head} query heads but only {n_kv} key/value heads: heads {first} to {last} all use the "
    "same keys and values (K/V head {kv}), each with its own queries. It saves memory; each head still makes "
    "its own pattern.",
    "Lesson: layer {layer}, head {head} ({kind})",
    "Step {index} of {count}",
    "< Previous",
    "Next >",
    "{row} for “{token}” (position {position}):",
    "Click a row to follow another token.",
    "Row sum: {sum}",
    "… {count} more",
    "{bits} of {max} bits",
    "token|how spread out|most possible",
    "hidden by the mask (score −∞, weight 0)",
    "Lesson mode shows one head's computation with the numbers of a loaded model: open a model and type a text.",
    "self attention",
    "encoder self attention",
    "decoder self attention",
    "cross attention",
};

const LessonStepText& lesson_step_text(const LessonStrings& strings, HeadStep step) {
    for (const LessonStepText& t : strings.steps)
        if (t.step == step) return t;
    return strings.steps.front();
}

std::string lesson_fill(const char* text, const std::vector<std::pair<const char*, std::string>>& values) {
    std::string out = text;
    for (const auto& [name, value] : values) {
        const std::string key = std::string("{") + name + "}";
        for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
            out.replace(at, key.size(), value);
    }
    return out;
}

}  // namespace attn
