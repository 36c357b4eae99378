// One head's computation with the real numbers of an input, every intermediate a lesson shows: the
// rows the attention reads, the head's Q, K and V, the scores Q·Kᵀ, scaled, masked, softmaxed, the
// weighted sum of V and how spread out each row is. One forward pass with an observer (model/hooks.h);
// the steps after Q/K/V are recomputed here in double, so the softmax rows can be checked against the
// Trace's attention and the context vectors against what the output projection reads.
//
//   Expected<HeadComputation> c = head_computation(model, trace, HeadStack::self, layer, head);
//   for (HeadStep s : c->steps) ...                       // RoPE and GQA steps only where they apply
//   float w = c->probs.at(query, key);                    // == trace.attentions.at(layer, head, query, key)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/model.h"

namespace attn {

// Which attention of the trace: self (decoder-only, encoder, BART's encoder), BART's decoder self
// attention, or its cross attention (decoder queries, encoder keys).
enum class HeadStack { self, decoder, cross };

// The steps of the lesson, in order. rope and gqa are listed only for models that have them.
enum class HeadStep { input, qkv, rope, gqa, scores, scale, mask, softmax, context, entropy };

// "input", "qkv", "rope", ...: the step's name for the page API and the URL.
const char* head_step_name(HeadStep step);
// False (and *out unchanged) when `name` is none of head_step_name's names.
bool head_step_from_name(const std::string& name, HeadStep* out);

struct StepMatrix {
    int rows = 0, cols = 0;
    std::vector<float> data;   // (rows, cols)
    float at(int r, int c) const { return data[static_cast<size_t>(r) * cols + c]; }
    const float* row(int r) const { return data.data() + static_cast<size_t>(r) * cols; }
};

enum class ScoreMask { none, causal };

struct HeadComputation {
    HeadStack stack = HeadStack::self;
    int layer = 0, head = 0;
    int n_query = 0, n_key = 0;       // T, S (S == T but for cross attention)
    int d_model = 0, d_head = 0;
    int n_head = 0, n_kv_head = 0;    // of this stack
    int kv_head = 0;                  // the K/V head this head reads
    std::vector<int> shared_heads;    // every query head reading kv_head (this one alone without GQA)
    bool rope = false;                // Q and K were rotated by position before the scores
    bool pre_norm = false;            // the input rows went through a layer norm first (pre-LN models)
    float scale = 0.0f;               // what the model multiplies the scores by
    bool scale_is_inverse_sqrt = false;   // scale == 1/sqrt(d_head) (GPT-2 can be configured otherwise)
    ScoreMask mask = ScoreMask::none;
    std::vector<HeadStep> steps;

    StepMatrix input;     // (T, D) the rows the attention reads (pre-LN: after the norm); cross: decoder rows
    StepMatrix q;         // (T, d_head) after RoPE where it applies
    StepMatrix k, v;      // (S, d_head) of kv_head
    StepMatrix scores;    // (T, S) q·k
    StepMatrix scaled;    // (T, S) scores * scale
    StepMatrix masked;    // (T, S) scaled, -inf where the mask hides a key
    StepMatrix probs;     // (T, S) softmax rows, each summing to 1
    StepMatrix context;   // (T, d_head) probs · v: what the output projection reads of this head
    std::vector<float> entropy_bits;   // (T) -sum p log2 p of each row
    std::vector<float> max_bits;       // (T) log2(keys the row can see): a uniform row's entropy
};

// Runs the model once on the trace's input (source and decoder ids for encoder-decoders) with an
// observer and builds the computation of (stack, layer, head). Errors name what is out of range.
Expected<HeadComputation> head_computation(const Model& model, const Trace& trace, HeadStack stack, int layer,
                                           int head);

}  // namespace attn
